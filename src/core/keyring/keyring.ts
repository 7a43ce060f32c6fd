/**
 * The keyring: what Sealbird knows about keys, as records in the Keystore. It is the one place
 * that turns records into the S/MIME and OpenPGP engine contexts, imports files into records,
 * and remembers what valid signed mail taught us. The CLI and the add-on's background both
 * use it, so they agree on the record format.
 */
import { SealbirdError } from "../errors.js";
import type { Keystore, RecordInfo } from "../keystore/index.js";
import type { SmimeContext, SmimeIdentity, EncryptRecipient } from "../smime/index.js";
import type { KeyType, PgpContext, PgpKeyInfo } from "../pgp/index.js";
import { b64, unb64, type PgpKeyPublic, type SmimeCertificatePublic, type SmimeIdentityPublic, type TrustAnchorPublic } from "./record-codec.js";
import type { PrivateKey, PublicKey } from "openpgp";
import type { InspectResult } from "../message/inspect.js";
import type { SmimeLayerResult } from "../smime/index.js";
import { findAddress, getHeader, parseAddressList, canonicalizeLineEndings } from "../mime/index.js";
import { DEFAULT_MIME_LIMITS, type HeaderField } from "../mime/entity.js";
import { parseHeaderSection } from "../mime/header-fields.js";
import type { PgpLayerResult } from "../pgp/index.js";
import type { KeyChoice, KeySource, StoreOptions } from "./pgp-store.js";
import type { FoundKey } from "../discovery/accept.js";
import type { SmimeUnusable } from "./smime-usability.js";

/** The certificate that lasts longest is the newest one its owner uses. */
function newestFirst(records: RecordInfo[]): RecordInfo[] {
  return [...records].sort((a, b) => String(b.public["notAfter"]).localeCompare(String(a.public["notAfter"])));
}

export interface Learned {
  certificates: KeyringEntry[];
  /** OpenPGP keys new, changed or pending after this message (unchanged ones are not listed). */
  pgpKeys: StoredEntry[];
}

export interface KeyringEntry {
  id: string;
  kind: string;
  label?: string;
  fingerprint: string;
  emails: string[];
  subject?: string;
  notAfter?: string;
  hasSecret: boolean;
  pending?: boolean;
  /** OpenPGP: where the key came from (the strongest source it was seen from). */
  source?: string;
}

export interface LearnOptions {
  /** Take keys from Autocrypt-Gossip headers of decrypted mail (the user's setting; default on). */
  gossip?: boolean;
}

/** What storing a found or learned key did: see ./pgp-store.ts. */
export interface StoredEntry extends KeyringEntry {
  outcome: "new" | "updated" | "unchanged" | "pending" | "own";
}

// The protocol engines are loaded by the methods that need them: reading records for S/MIME
// work never loads openpgp.js, and OpenPGP work never loads pkijs (each CLI command is a
// process of its own, and module loading is most of a small message's time).
const certs = () => import("../cert/index.js");
const pkcs12 = () => import("../pkcs12/index.js");
const pgp = () => import("../pgp/index.js");
const pgpStore = () => import("./pgp-store.js");
const usability = () => import("./smime-usability.js");

export class Keyring {
  constructor(readonly store: Keystore) {}

  // ---- listing ---------------------------------------------------------------------------

  async list(): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const r of await this.store.listRecords()) {
      if (r.kind === "setting") continue;
      const p = r.public as Partial<SmimeIdentityPublic & PgpKeyPublic>;
      out.push({
        id: r.id,
        kind: r.kind,
        label: r.label,
        fingerprint: String(p.fingerprint ?? ""),
        emails: Array.isArray(p.emails) ? p.emails : [],
        subject: p.subject,
        notAfter: p.notAfter,
        hasSecret: r.hasSecret,
        pending: p.pending,
        ...(p.source ? { source: p.source } : {}),
      });
    }
    return out;
  }

  private async byFingerprint(kind: string, fingerprint: string): Promise<RecordInfo | undefined> {
    return (await this.store.listRecords(kind)).find((r) => r.public["fingerprint"] === fingerprint);
  }

  // ---- S/MIME ----------------------------------------------------------------------------

  /** Imports a PKCS#12 file as an identity; an identity with the same certificate is replaced. */
  async importPkcs12(der: Uint8Array, password: string): Promise<KeyringEntry> {
    const p12 = await (await pkcs12()).importPkcs12(der, password);
    const info = (await certs()).certificateInfo(p12.certificate);
    const pub: SmimeIdentityPublic = {
      certificate: b64(p12.certificate),
      chain: p12.chain.map(b64),
      emails: info.emails,
      fingerprint: info.fingerprint,
      subject: info.subject,
      notAfter: info.notAfter,
    };
    const existing = await this.byFingerprint("smime-identity", info.fingerprint);
    if (existing) await this.store.removeRecord(existing.id);
    const label = p12.friendlyName ?? info.subject;
    const id = await this.store.addRecord({ kind: "smime-identity", label, public: { ...pub }, secret: p12.privateKeyPkcs8 });
    return { id, kind: "smime-identity", label, fingerprint: info.fingerprint, emails: info.emails, subject: info.subject, notAfter: info.notAfter, hasSecret: true };
  }

  /** Imports PEM/DER certificates as correspondents' certificates or as trust anchors. */
  async importCertificates(data: Uint8Array, as: "smime-certificate" | "trust-anchor"): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const der of (await certs()).toDerList(data)) out.push(await this.addCertificate(der, as));
    return out;
  }

  async addCertificate(der: Uint8Array, as: "smime-certificate" | "trust-anchor", extra: Partial<SmimeCertificatePublic> = {}): Promise<KeyringEntry> {
    const info = (await certs()).certificateInfo(der);
    const existing = await this.byFingerprint(as, info.fingerprint);
    const pub: SmimeCertificatePublic | TrustAnchorPublic =
      as === "trust-anchor"
        ? { certificate: b64(der), fingerprint: info.fingerprint, subject: info.subject, notAfter: info.notAfter }
        : { certificate: b64(der), chain: [], emails: info.emails, fingerprint: info.fingerprint, subject: info.subject, notAfter: info.notAfter, ...extra };
    let id: string;
    if (existing) {
      id = existing.id;
      // Learning the same signer again on every message must not rewrite (and so invalidate
      // whatever was derived from) an unchanged record.
      const merged = { ...existing.public, ...pub };
      if (JSON.stringify(merged) !== JSON.stringify(existing.public)) await this.store.updateRecord(id, { public: merged });
    } else {
      id = await this.store.addRecord({ kind: as, label: info.subject, public: { ...pub } });
    }
    return { id, kind: as, fingerprint: info.fingerprint, emails: info.emails, subject: info.subject, notAfter: info.notAfter, hasSecret: false };
  }

  async smimeIdentities(): Promise<SmimeIdentity[]> {
    if (!this.store.isUnlocked) return [];
    const out: SmimeIdentity[] = [];
    for (const r of await this.store.listRecords("smime-identity")) {
      const p = r.public as unknown as SmimeIdentityPublic;
      out.push({ certificate: unb64(p.certificate), chain: (p.chain ?? []).map(unb64), privateKeyPkcs8: await this.store.getSecret(r.id) });
    }
    return out;
  }

  async smimeContext(): Promise<SmimeContext> {
    const identities = await this.smimeIdentities();
    const trustAnchors = (await this.store.listRecords("trust-anchor")).map((r) => unb64(r.public["certificate"]));
    const knownCertificates: Uint8Array[] = [];
    for (const kind of ["smime-certificate", "smime-identity"]) {
      for (const r of await this.store.listRecords(kind)) {
        knownCertificates.push(unb64(r.public["certificate"]));
        for (const c of (r.public["chain"] as string[] | undefined) ?? []) knownCertificates.push(unb64(c));
      }
    }
    return { identities, trustAnchors, knownCertificates };
  }

  /**
   * Our identity for an address (the signer): the one valid now that lasts longest (after a
   * renewal the old identity stays, for decrypting old mail, but signs no more); `no-key` when
   * there is none.
   */
  async smimeSigner(email: string, now: Date = new Date()): Promise<SmimeIdentity> {
    const addr = email.toLowerCase();
    const mine = (await this.store.listRecords("smime-identity")).filter((r) => ((r.public["emails"] as string[]) ?? []).includes(addr));
    const { smimeRecordUnusable } = await usability();
    const r = newestFirst(mine).find((x) => !smimeRecordUnusable(x, now)) ?? newestFirst(mine)[0];
    if (!r) throw new SealbirdError("no-key", `No S/MIME certificate with a private key for ${email}.`, { email });
    const p = r.public as unknown as SmimeIdentityPublic;
    return { certificate: unb64(p.certificate), chain: (p.chain ?? []).map(unb64), privateKeyPkcs8: await this.store.getSecret(r.id) };
  }

  /**
   * Certificates to encrypt to, one per address; missing addresses are reported together.
   * Expired, not yet valid and revoked certificates are never used: an address that has only
   * such certificates is missing, and `details.unusable` says why.
   */
  async smimeRecipients(emails: string[], now: Date = new Date()): Promise<EncryptRecipient[]> {
    const { smimeRecordUnusable } = await usability();
    const found: EncryptRecipient[] = [];
    const missing: string[] = [];
    const unusable: Record<string, SmimeUnusable> = {};
    const records = [...(await this.store.listRecords("smime-identity")), ...(await this.store.listRecords("smime-certificate"))];
    for (const email of emails) {
      const addr = email.toLowerCase();
      const matches = newestFirst(records.filter((r) => ((r.public["emails"] as string[]) ?? []).includes(addr)));
      const r = matches.find((x) => !smimeRecordUnusable(x, now));
      if (!r) {
        missing.push(email);
        const why = matches[0] ? smimeRecordUnusable(matches[0], now) : undefined;
        if (why) unusable[addr] = why;
        continue;
      }
      const caps = r.public["capabilities"] as SmimeCertificatePublic["capabilities"];
      found.push({
        certificate: unb64(r.public["certificate"]),
        // Stored as collected from the correspondent's sMIMECapabilities (see remember()).
        capabilities: caps as EncryptRecipient["capabilities"],
      });
    }
    if (missing.length) {
      const why = (e: string) => (unusable[e.toLowerCase()] ? `${e} (${unusable[e.toLowerCase()]})` : e);
      throw new SealbirdError("recipient-no-key", `No usable certificate for: ${missing.map(why).join(", ")}`, { missing, unusable });
    }
    return found;
  }

  /** Remembers that an online check found a correspondent's certificate revoked. */
  async markSmimeRevoked(fingerprint: string, revoked: NonNullable<SmimeCertificatePublic["revoked"]>): Promise<void> {
    const r = await this.byFingerprint("smime-certificate", fingerprint);
    if (r && !r.public["revoked"]) await this.store.updateRecord(r.id, { public: { ...r.public, revoked } });
  }

  // ---- OpenPGP ---------------------------------------------------------------------------

  async importPgp(data: Uint8Array, passphrase?: string): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const { key, info } of await (await pgp()).importPgpKeys(data, passphrase)) {
      if (key.isPrivate()) out.push(await this.addPgpSecret(key as PrivateKey, info));
      // The user's own import: taken even where another key is known for the address.
      else out.push(await this.storePgp(key, { source: "import", accept: true }));
    }
    return out;
  }

  async generatePgp(userId: { name?: string; email: string }, type: KeyType = "curve25519"): Promise<{ entry: KeyringEntry; revocationCertificate: string }> {
    const { generatePgpKey, keyInfo } = await pgp();
    const g = await generatePgpKey(userId, { type });
    const entry = await this.addPgpSecret(g.privateKey, await keyInfo(g.privateKey));
    return { entry, revocationCertificate: g.revocationCertificate };
  }

  private async addPgpSecret(key: PrivateKey, info: PgpKeyInfo): Promise<KeyringEntry> {
    const existing = await this.byFingerprint("pgp-secret-key", info.fingerprint);
    if (existing) await this.store.removeRecord(existing.id);
    const pub: PgpKeyPublic = { publicKey: (await pgp()).exportPublicKey(key), fingerprint: info.fingerprint, emails: info.emails, userIds: info.userIds };
    const label = info.userIds[0] ?? info.fingerprint;
    const id = await this.store.addRecord({ kind: "pgp-secret-key", label, public: { ...pub }, secret: key.write() });
    return { id, kind: "pgp-secret-key", label, fingerprint: info.fingerprint, emails: info.emails, hasSecret: true };
  }

  /**
   * Our key after a change of its own (new expiry, revocation): the same fingerprint, new
   * self-signatures. `revoked` keeps it for decryption only.
   */
  async updatePgpSecret(id: string, key: PrivateKey, opts: { revoked?: boolean } = {}): Promise<KeyringEntry> {
    const r = await this.store.getRecord(id);
    const { keyInfo, exportPublicKey } = await pgp();
    const info = await keyInfo(key);
    if (r.kind !== "pgp-secret-key" || info.fingerprint !== r.public["fingerprint"]) throw new SealbirdError("pgp-key-not-found", "This entry is not that OpenPGP secret key.");
    const pub: PgpKeyPublic = { publicKey: exportPublicKey(key), fingerprint: info.fingerprint, emails: info.emails, userIds: info.userIds, ...(opts.revoked || r.public["revoked"] ? { revoked: true } : {}) };
    await this.store.updateRecord(id, { public: { ...pub }, secret: key.write() });
    return { id, kind: "pgp-secret-key", label: r.label ?? info.fingerprint, fingerprint: info.fingerprint, emails: info.emails, hasSecret: true };
  }

  /** Stores a correspondent's public key from `opts.source` (see ./pgp-store.ts for the rules). */
  async storePgp(key: PublicKey, opts: StoreOptions): Promise<StoredEntry> {
    const s = await (await pgpStore()).storePgpPublicKey(this.store, key, opts);
    return { id: s.id, kind: s.outcome === "own" ? "pgp-secret-key" : "pgp-public-key", label: s.label, fingerprint: s.fingerprint, emails: s.emails, hasSecret: s.outcome === "own", pending: s.pending, source: opts.source, outcome: s.outcome };
  }

  /** Keys a lookup found (WKD, keyserver), stored with where they came from. */
  async storeFound(found: FoundKey[], checkedAt: string = new Date().toISOString()): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const f of found) out.push(await this.storePgp(f.key, { source: f.source, emails: f.info.emails, url: f.url, checkedAt }));
    return out;
  }

  /** Records that a lookup asked for this key now (the refresh order is by this time). */
  async markChecked(id: string, at: string = new Date().toISOString()): Promise<void> {
    const r = await this.store.getRecord(id);
    await this.store.updateRecord(id, { public: { ...r.public, checkedAt: at } });
  }

  /** Accepting a pending key retires the keys it replaces. */
  async acceptPgpKey(id: string): Promise<void> {
    const r = await this.store.getRecord(id);
    const replaces = (r.public["replaces"] as string[] | undefined) ?? [];
    for (const other of await this.store.listRecords("pgp-public-key")) {
      if (replaces.includes(String(other.public["fingerprint"]))) await this.store.removeRecord(other.id);
    }
    await this.store.updateRecord(id, { public: { ...r.public, pending: false, replaces: [] } });
  }

  async pgpContext(): Promise<PgpContext> {
    const secretKeys = [];
    if (this.store.isUnlocked) {
      for (const r of await this.store.listRecords("pgp-secret-key")) secretKeys.push({ key: await this.store.getSecret(r.id) });
    }
    const publicKeys: string[] = [];
    for (const r of await this.store.listRecords("pgp-public-key")) {
      if (r.public["pending"] !== true) publicKeys.push(String(r.public["publicKey"]));
    }
    for (const r of await this.store.listRecords("pgp-secret-key")) publicKeys.push(String(r.public["publicKey"]));
    return { secretKeys, publicKeys };
  }

  /** Key IDs (primary and subkeys, 16 upper-case hex digits) of the OpenPGP keys we hold secrets for: public facts. */
  async pgpSecretKeyIds(): Promise<string[]> {
    const { parseKeys } = await pgp();
    const ids = new Set<string>();
    for (const r of await this.store.listRecords("pgp-secret-key")) {
      for (const key of await parseKeys(String(r.public["publicKey"]))) {
        for (const id of key.getKeyIDs()) ids.add(id.toHex().toUpperCase());
      }
    }
    return [...ids].sort();
  }

  async pgpSecretFor(email: string): Promise<Uint8Array> {
    const addr = email.toLowerCase();
    for (const r of await this.store.listRecords("pgp-secret-key")) {
      if (r.public["revoked"] === true) continue;
      if (((r.public["emails"] as string[]) ?? []).includes(addr)) return this.store.getSecret(r.id);
    }
    throw new SealbirdError("no-key", `No OpenPGP secret key for ${email}.`, { email });
  }

  /** The key chosen to encrypt to for `email` and whether it can encrypt now (./pgp-store.ts). */
  async pgpChoice(email: string, now: Date = new Date()): Promise<KeyChoice | undefined> {
    return (await pgpStore()).chooseKey(this.store, email, now);
  }

  /**
   * One usable, accepted key per address. Addresses without one are reported together
   * (`recipient-no-key`, details.missing), with the reason where a key exists but cannot be used
   * (details.unusable: address → "expired" | "revoked" | "no-encryption-key").
   */
  async pgpRecipients(emails: string[], now: Date = new Date()): Promise<Array<{ email: string; armored: string }>> {
    const out: Array<{ email: string; armored: string }> = [];
    const missing: string[] = [];
    const unusable: Record<string, string> = {};
    for (const email of emails) {
      const c = await (await pgpStore()).chooseKey(this.store, email, now);
      if (c && c.record.public["pending"] !== true && c.usability.state === "usable") {
        out.push({ email, armored: String(c.record.public["publicKey"]) });
        continue;
      }
      missing.push(email);
      if (c && c.record.public["pending"] !== true) unusable[email.toLowerCase()] = c.usability.state;
    }
    if (missing.length) {
      const why = (e: string) => (unusable[e.toLowerCase()] ? `${e} (${unusable[e.toLowerCase()]})` : e);
      throw new SealbirdError("recipient-no-key", `No usable OpenPGP key for: ${missing.map(why).join(", ")}`, { missing, unusable });
    }
    return out;
  }

  async pgpPublicFor(emails: string[]): Promise<string[]> {
    return (await this.pgpRecipients(emails)).map((r) => r.armored);
  }

  /**
   * Autocrypt-Gossip fields for an OpenPGP message encrypted to `to` (the sender excluded): the
   * key of each recipient that has a usable one. Empty for fewer than two such recipients.
   */
  async pgpGossip(to: string[], from: string): Promise<{ name: string; value: string }[]> {
    const { parseKeys, formatGossipHeaders } = await pgp();
    const keys: { email: string; key: PublicKey }[] = [];
    for (const email of to) {
      if (email.toLowerCase() === from.toLowerCase()) continue;
      const [r] = await this.pgpRecipients([email]).catch(() => []);
      const key = r ? (await parseKeys(r.armored).catch(() => []))[0] : undefined;
      if (key) keys.push({ email: email.toLowerCase(), key: key.toPublic() });
    }
    return formatGossipHeaders(keys, from);
  }

  // ---- learning from received mail -------------------------------------------------------

  /**
   * Remembers what a received message teaches: S/MIME certificates (with sMIMECapabilities)
   * from valid signatures; OpenPGP keys from Autocrypt headers and, in validly signed mail,
   * attached keys. A different key for a known address is stored as pending, never in place.
   */
  async learnFrom(result: InspectResult, opts: LearnOptions = {}): Promise<Learned> {
    const learned: Learned = { certificates: [], pgpKeys: [] };
    const valid = result.status.signature.state === "valid";
    if (valid) {
      // Only the credited signature's layer: an uncredited one (over ciphertext) taught nothing.
      for (const layer of (result.layers as SmimeLayerResult[]).filter((l) => l.signature === result.status.signature)) {
        for (const c of layer.collected ?? []) {
          const caps = c.capabilities;
          learned.certificates.push(
            await this.addCertificate(c.certificate, "smime-certificate", {
              chain: c.chain.map(b64),
              ...(caps ? { capabilities: { aesGcm: caps.aesGcm, aesCbc: caps.aesCbc, oaep: caps.oaep, oaepHash: caps.oaepHash } } : {}),
            }),
          );
        }
      }
    }
    const fromHeader = getHeader(result.top, "from");
    const from = fromHeader ? findAddress(fromHeader) : undefined;
    const keep = (e: StoredEntry) => {
      if (e.outcome !== "unchanged" && e.outcome !== "own") learned.pgpKeys.push(e);
    };
    const { collectGossip, collectPgpKeys } = await pgp();
    const sources = result.view && result.view !== result.top ? [result.top, result.view] : [result.top];
    for (const entity of sources) {
      // Whether each key is new, the same or a change is decided where it is stored (storePgp).
      const found = await collectPgpKeys(entity, from, [], { signed: valid });
      for (const k of found.new) {
        const source: KeySource = k.source === "attachment" ? "attachment" : "autocrypt";
        // Autocrypt: the sender's own header states their current preference every time.
        const preferEncrypt = k.source === "autocrypt" ? (k.preferEncrypt ?? "nopreference") : undefined;
        keep(await this.storePgp(k.key, { source, emails: k.info.emails, ...(preferEncrypt ? { preferEncrypt } : {}) }));
      }
    }
    if (opts.gossip !== false && result.status.encryption.state === "decrypted") {
      const own = (await this.store.listRecords("pgp-secret-key")).flatMap((r) => (r.public["emails"] as string[] | undefined) ?? []);
      const gossip = await collectGossip(gossipHeaders(result), { recipients: recipientsOf(result), ...(from ? { sender: from } : {}), ignore: own });
      for (const g of gossip) keep(await this.storePgp(g.key, { source: "gossip", emails: g.info.emails }));
    }
    return learned;
  }
}

/**
 * The header fields of the root part of the first decrypted payload, where Autocrypt puts
 * gossip. With sign-and-encrypt in one OpenPGP message that is the view; with a signed layer
 * inside the encryption, the header of that layer's entity.
 */
function gossipHeaders(result: InspectResult): HeaderField[] {
  const i = result.layers.findIndex((l) => l.kind === "encrypted" && l.encryption?.state === "decrypted" && l.protocol === "openpgp");
  const layer = result.layers[i] as PgpLayerResult | undefined;
  if (!layer?.inner) return [];
  if (i === result.layers.length - 1 && result.view) return result.view.headers;
  const head = canonicalizeLineEndings(layer.inner.subarray(0, DEFAULT_MIME_LIMITS.maxHeaderBytes));
  try {
    return parseHeaderSection(head, 0, head.length, DEFAULT_MIME_LIMITS.maxHeaderBytes).fields;
  } catch {
    return [];
  }
}

/** To and Cc, outside and (protected) inside: gossip is only taken for someone the mail went to. */
function recipientsOf(result: InspectResult): string[] {
  const out = new Set<string>();
  const entities = result.view && result.view !== result.top ? [result.top, result.view] : [result.top];
  for (const e of entities) {
    for (const name of ["to", "cc"]) {
      const v = getHeader(e, name);
      if (!v) continue;
      for (const m of parseAddressList(v)) if (m.address) out.add(m.address.toLowerCase());
    }
  }
  return [...out];
}
