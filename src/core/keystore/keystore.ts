/**
 * The keystore: Sealbird's private keys and the public material that goes with them.
 *
 * Design, in one breath: a random 256-bit data key encrypts each record's secret with
 * AES-256-GCM (AAD = record id + kind); the data key is wrapped with an Argon2id key from the
 * passphrase and stored in the header; unlocking unwraps it into a non-extractable CryptoKey
 * held in memory only. Public parts are plaintext JSON, readable while locked.
 *
 * Because the data key never changes, a passphrase change rewrites the header alone, in one
 * atomic backend write: any interruption leaves the old or the new header, never neither.
 */
import { SealbirdError } from "../errors.js";
import { randomBytes, toHex } from "../bytes.js";
import { open, recordAad, seal } from "./aead.js";
import { decodeBackup, encodeBackup } from "./backup.js";
import { createDataKey, rewrapDataKey, unwrapDataKey } from "./data-key.js";
import { parseHeader, serializeHeader, type KeystoreHeader } from "./header.js";
import { checkRecordFields, isValidId, parseRecord, serializeRecord, type StoredRecord } from "./record-format.js";
import type { KdfParams, KeystoreBackend, KeystoreRecord, NewRecord, RecordInfo, RecordPatch } from "./types.js";

export interface KdfOptions {
  /** Override Argon2id parameters (tests pass weak ones for speed; production keeps defaults). */
  kdf?: Partial<KdfParams>;
}

export interface ImportResult {
  added: number;
  replaced: number;
  skipped: number;
}

export class Keystore {
  /** The unlocked data key; memory only, dropped by lock(). */
  #key: CryptoKey | null = null;
  #header: KeystoreHeader;
  #revision = 0;
  readonly backend: KeystoreBackend;

  private constructor(backend: KeystoreBackend, header: KeystoreHeader) {
    this.backend = backend;
    this.#header = header;
  }

  /** Creates a new keystore in an empty backend and returns it unlocked. */
  static async create(backend: KeystoreBackend, passphrase: string, opts: KdfOptions = {}): Promise<Keystore> {
    await assertEmpty(backend);
    const { header, key } = await createDataKey(passphrase, opts.kdf);
    await backend.putHeader(serializeHeader(header));
    const ks = new Keystore(backend, header);
    ks.#key = key;
    return ks;
  }

  /** Opens an existing keystore, locked. */
  static async open(backend: KeystoreBackend): Promise<Keystore> {
    await backend.recover?.();
    return new Keystore(backend, await readHeader(backend));
  }

  /**
   * Creates a new keystore from a backup and returns it unlocked. The passphrase of the new
   * keystore is `newPassphrase`, or the backup's passphrase if none is given. The backup is
   * fully decrypted and checked before anything is written, so a wrong passphrase or a bad
   * file leaves the backend untouched.
   */
  static async importBackup(
    backend: KeystoreBackend,
    bytes: Uint8Array,
    backupPassphrase: string,
    opts: KdfOptions & { newPassphrase?: string } = {},
  ): Promise<Keystore> {
    await assertEmpty(backend);
    const records = await decodeBackup(bytes, backupPassphrase);
    try {
      const ks = await Keystore.create(backend, opts.newPassphrase ?? backupPassphrase, opts);
      for (const r of records) await ks.#write(r);
      return ks;
    } finally {
      for (const r of records) r.secret?.fill(0);
    }
  }

  get isUnlocked(): boolean {
    return this.#key !== null;
  }

  /**
   * Grows with every change made through this object (records written or removed, lock,
   * unlock), so a caller can keep what it derived from the records (parsed keys, contexts) for
   * exactly as long as it is valid.
   */
  get revision(): number {
    return this.#revision;
  }

  /** Argon2id parameters of this keystore (without the salt), e.g. to offer an upgrade. */
  get kdfParams(): Omit<KdfParams, "salt"> {
    const { salt: _salt, ...rest } = this.#header.kdf;
    return rest;
  }

  /**
   * Unlocks with the passphrase. Re-reads the header first, so a passphrase changed by another
   * window or process since open() is honoured. Wrong passphrase → `keystore-wrong-passphrase`
   * and nothing changes (a previously unlocked keystore stays unlocked).
   */
  async unlock(passphrase: string): Promise<void> {
    const header = await readHeader(this.backend);
    const key = await unwrapDataKey(header, passphrase);
    this.#header = header;
    this.#key = key;
    this.#revision++;
  }

  /**
   * The unlocked data key as a non-extractable CryptoKey, for a host that must survive its own
   * suspension (the MV3 background keeps it in storage.session, memory only). Null when locked.
   * The key never leaves the process that holds it: it cannot be exported.
   */
  get sessionKey(): CryptoKey | null {
    return this.#key;
  }

  /**
   * Unlocks with a data key kept from an earlier unlock of the same store (see sessionKey).
   * The key is checked against the header's key check before it is accepted.
   */
  async resume(key: CryptoKey): Promise<void> {
    if (key.extractable) throw new SealbirdError("usage", "A session key must be non-extractable.");
    const header = await readHeader(this.backend);
    // No key check value is stored, so a record's secret is the proof: a key from another
    // store (or an older one) fails its tag. A store without secrets has nothing to protect yet.
    for (const info of await this.listRecords()) {
      if (!info.hasSecret) continue;
      const r = await this.#read(info.id);
      if (r.secret && !(await open(key, r.secret, recordAad(r.id, r.kind)))) {
        throw new SealbirdError("keystore-wrong-passphrase", "The remembered session key does not open this keystore.");
      }
      break;
    }
    this.#header = header;
    this.#key = key;
    this.#revision++;
  }

  /** Forgets the data key. A CryptoKey cannot be wiped; dropping the last reference is all we can do. */
  lock(): void {
    this.#key = null;
    this.#revision++;
  }

  /**
   * Re-wraps the same data key under a new passphrase (fresh salt; same Argon2 parameters unless
   * `opts.kdf` says otherwise) and swaps the header in one atomic backend write. Works locked
   * or unlocked and does not change the lock state. Old passphrase wrong →
   * `keystore-wrong-passphrase`, store unchanged.
   */
  async changePassphrase(oldPassphrase: string, newPassphrase: string, opts: KdfOptions = {}): Promise<void> {
    const header = await readHeader(this.backend);
    const next = await rewrapDataKey(header, oldPassphrase, newPassphrase, opts.kdf);
    await this.backend.replaceHeader(serializeHeader(next));
    this.#header = next;
  }

  /** Adds a record and returns its new id. A record with a secret needs the keystore unlocked. */
  async addRecord(r: NewRecord): Promise<string> {
    checkRecordFields(r);
    if (r.secret !== undefined && !(r.secret instanceof Uint8Array)) throw new SealbirdError("usage", "secret must be bytes");
    if (r.secret !== undefined) this.#requireKey();
    // 128 random bits: unguessable and collision-free without coordination between windows.
    const id = toHex(randomBytes(16));
    await this.#write({
      id,
      kind: r.kind,
      ...(r.label !== undefined ? { label: r.label } : {}),
      created: new Date().toISOString(),
      public: r.public,
      ...(r.secret !== undefined ? { secret: r.secret } : {}),
    });
    return id;
  }

  /** Public parts of all records (optionally of one kind), oldest first. Works while locked. */
  async listRecords(kind?: string): Promise<RecordInfo[]> {
    const all = (await this.backend.listRecords()).map((s) => parseRecord(s));
    return all
      .filter((r) => kind === undefined || r.kind === kind)
      .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1))
      .map(info);
  }

  /** Public part of one record. Works while locked. */
  async getRecord(id: string): Promise<RecordInfo> {
    return info(await this.#read(id));
  }

  /**
   * The decrypted secret of a record. Needs the keystore unlocked (`keystore-locked`).
   * The caller owns the returned bytes and should fill(0) them when done.
   */
  async getSecret(id: string): Promise<Uint8Array> {
    const key = this.#requireKey();
    const r = await this.#read(id);
    if (!r.secret) throw new SealbirdError("keystore-record-not-found", `record ${id} has no secret`, { id, secret: false });
    const plain = await open(key, r.secret, recordAad(r.id, r.kind));
    // The data key is known good (it unwrapped), so a failing tag means the record was damaged
    // or its secret was moved from another record.
    if (!plain) throw new SealbirdError("keystore-corrupt", `record ${id}: secret fails authentication`, { id });
    return plain;
  }

  async removeRecord(id: string): Promise<void> {
    await this.#read(id); // record-not-found for unknown ids
    await this.backend.deleteRecord(id);
    this.#revision++;
  }

  /**
   * Changes label, public part and/or secret. `null` removes the label or the secret. The kind
   * is fixed for a record's life (its secret is bound to it). Setting a secret needs unlocked.
   */
  async updateRecord(id: string, patch: RecordPatch): Promise<void> {
    checkRecordFields({ label: patch.label, public: patch.public });
    const setSecret = patch.secret instanceof Uint8Array;
    if (patch.secret !== undefined && patch.secret !== null && !setSecret) throw new SealbirdError("usage", "secret must be bytes");
    if (setSecret) this.#requireKey();
    const cur = await this.#read(id);
    const next: StoredRecord = { ...cur, ...(patch.public !== undefined ? { public: patch.public } : {}) };
    if (patch.label === null) delete next.label;
    else if (patch.label !== undefined) next.label = patch.label;
    if (patch.secret === null) delete next.secret;
    if (setSecret) {
      next.secret = await seal(this.#requireKey(), patch.secret as Uint8Array, recordAad(cur.id, cur.kind));
    }
    await this.backend.putRecord(id, serializeRecord(next));
    this.#revision++;
  }

  /**
   * All records, secrets included, as one encrypted file under a key derived from
   * `backupPassphrase` (see backup.ts). Needs the keystore unlocked.
   */
  async exportBackup(backupPassphrase: string, opts: KdfOptions = {}): Promise<Uint8Array> {
    this.#requireKey();
    const stored = (await this.backend.listRecords()).map((s) => parseRecord(s));
    const records: KeystoreRecord[] = [];
    try {
      for (const r of stored) {
        const { secret: _box, ...rest } = r;
        records.push(r.secret ? { ...rest, secret: await this.getSecret(r.id) } : rest);
      }
      return await encodeBackup(records, backupPassphrase, opts.kdf);
    } finally {
      for (const r of records) r.secret?.fill(0);
    }
  }

  /**
   * Adds the records of a backup to this (unlocked) keystore, keeping their ids. A record whose
   * id already exists is skipped (default) or replaced. The backup is fully decrypted and
   * checked first, so a wrong passphrase or a bad file changes nothing; an I/O failure while
   * writing can leave some records imported (each record write itself is atomic).
   */
  async importBackup(
    bytes: Uint8Array,
    backupPassphrase: string,
    opts: { onConflict?: "skip" | "replace" } = {},
  ): Promise<ImportResult> {
    this.#requireKey();
    const records = await decodeBackup(bytes, backupPassphrase);
    const result: ImportResult = { added: 0, replaced: 0, skipped: 0 };
    try {
      for (const r of records) {
        const exists = (await this.backend.getRecord(r.id)) !== null;
        if (exists && opts.onConflict !== "replace") {
          result.skipped++;
          continue;
        }
        await this.#write(r);
        if (exists) result.replaced++;
        else result.added++;
      }
      return result;
    } finally {
      for (const r of records) r.secret?.fill(0);
    }
  }

  #requireKey(): CryptoKey {
    if (!this.#key) throw new SealbirdError("keystore-locked", "the keystore is locked");
    return this.#key;
  }

  async #read(id: string): Promise<StoredRecord> {
    const s = isValidId(id) ? await this.backend.getRecord(id) : null;
    if (s === null) throw new SealbirdError("keystore-record-not-found", `no record ${String(id)}`, { id });
    return parseRecord(s, id);
  }

  /** Encrypts the secret (if any) under the data key and stores the record. */
  async #write(r: KeystoreRecord): Promise<void> {
    const { secret, ...rest } = r;
    const stored: StoredRecord = rest;
    if (secret) stored.secret = await seal(this.#requireKey(), secret, recordAad(r.id, r.kind));
    await this.backend.putRecord(r.id, serializeRecord(stored));
    this.#revision++;
  }
}

function info(r: StoredRecord): RecordInfo {
  const { secret, ...rest } = r;
  return { ...rest, hasSecret: secret !== undefined };
}

async function readHeader(backend: KeystoreBackend): Promise<KeystoreHeader> {
  const s = await backend.getHeader();
  if (s === null) throw new SealbirdError("keystore-not-found", "no keystore here");
  return parseHeader(s);
}

/**
 * A new keystore needs an empty backend. Records without a header mean a keystore whose header
 * was lost: creating a new data key over them would orphan their secrets for good.
 */
async function assertEmpty(backend: KeystoreBackend): Promise<void> {
  if ((await backend.getHeader()) !== null) throw new SealbirdError("keystore-exists", "a keystore already exists here");
  const n = (await backend.listRecords()).length;
  if (n > 0) {
    throw new SealbirdError("keystore-exists", "records of a keystore without header exist here", { orphanRecords: n });
  }
}
