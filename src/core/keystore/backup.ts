/**
 * Keystore backup file: self-contained, everything inside encrypted, binary with a readable
 * magic so a user who opens it in an editor sees what it is.
 *
 *   "SEALBIRD-KEYSTORE-BACKUP\n"  (25 bytes)
 *   version                       (1 byte, = 1)
 *   envelope length               (uint32 big-endian)
 *   envelope JSON                 { kdf, wrappedKey, payloadLength, created }
 *   payload                       AES-256-GCM(backup key, payload JSON), AAD = all bytes above
 *
 * A fresh random backup key seals the payload and is itself wrapped under an Argon2id key from
 * the backup passphrase (same scheme as the keystore header). Two keys instead of one let us
 * tell a wrong passphrase (wrapped key fails) from a damaged file (payload fails), and
 * payloadLength catches truncation before any Argon2 work.
 *
 * The payload holds all records, public parts included (a backup leaks nothing about whose
 * keys it holds), with secrets in plaintext base64 inside the encryption.
 */
import { SealbirdError } from "../errors.js";
import { concatBytes, fromUtf8, randomBytes, utf8 } from "../bytes.js";
import { importAesKey, KEY_BYTES, open, seal } from "./aead.js";
import { base64Encode, decodeBase64Text } from "../base64.js";
import { boxFromJson, boxToJson, isObject, kdfFromJson, kdfToJson } from "./header.js";
import { deriveKey, resolveKdfParams } from "./kdf.js";
import { checkRecordFields, isValidId, isValidKind } from "./record-format.js";
import type { KdfParams, KeystoreRecord } from "./types.js";

const MAGIC = utf8("SEALBIRD-KEYSTORE-BACKUP\n");
const VERSION = 1;
const PAYLOAD_FORMAT = "sealbird-backup-payload";
const BACKUP_WRAP_AAD = utf8("sealbird-backup-v1");
const MAX_ENVELOPE = 64 * 1024;

function invalid(why: string, cause?: unknown): SealbirdError {
  return new SealbirdError("keystore-backup-invalid", `not a valid Sealbird keystore backup: ${why}`, {}, { cause });
}

export async function encodeBackup(
  records: readonly KeystoreRecord[],
  passphrase: string,
  kdf: Partial<KdfParams> = {},
): Promise<Uint8Array> {
  const params = resolveKdfParams(kdf);
  const payload = utf8(
    JSON.stringify({
      format: PAYLOAD_FORMAT,
      version: VERSION,
      records: records.map((r) => ({
        id: r.id,
        kind: r.kind,
        ...(r.label !== undefined ? { label: r.label } : {}),
        created: r.created,
        public: r.public,
        ...(r.secret ? { secret: base64Encode(r.secret) } : {}),
      })),
    }),
  );
  const rawBackupKey = randomBytes(KEY_BYTES);
  try {
    const wrappingKey = await deriveKey(passphrase, params);
    const wrappedKey = await seal(wrappingKey, rawBackupKey, BACKUP_WRAP_AAD);
    const backupKey = await importAesKey(rawBackupKey); // wipes rawBackupKey
    // AES-GCM output = plaintext length + 16-byte tag + our 12-byte nonce in front.
    const envelope = utf8(
      JSON.stringify({
        kdf: kdfToJson(params),
        wrappedKey: boxToJson(wrappedKey),
        payloadLength: 12 + payload.length + 16,
        created: new Date().toISOString(),
      }),
    );
    const prefix = concatBytes([MAGIC, Uint8Array.of(VERSION), uint32(envelope.length), envelope]);
    const box = await seal(backupKey, payload, prefix);
    return concatBytes([prefix, box.nonce, box.ciphertext]);
  } finally {
    rawBackupKey.fill(0);
    payload.fill(0);
  }
}

/**
 * Decrypts and validates a backup completely before returning, so callers can import
 * all-or-nothing. Errors: keystore-backup-invalid (not a backup, truncated, damaged),
 * keystore-wrong-passphrase.
 */
export async function decodeBackup(bytes: Uint8Array, passphrase: string): Promise<KeystoreRecord[]> {
  if (!(bytes instanceof Uint8Array)) throw invalid("expected bytes");
  const head = MAGIC.length + 1 + 4;
  if (bytes.length < head) throw invalid("too short");
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw invalid("wrong magic");
  if (bytes[MAGIC.length] !== VERSION) throw invalid(`unsupported version ${bytes[MAGIC.length]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const envLen = view.getUint32(MAGIC.length + 1);
  if (envLen > MAX_ENVELOPE || head + envLen > bytes.length) throw invalid("truncated envelope");
  let env: unknown;
  try {
    env = JSON.parse(fromUtf8(bytes.subarray(head, head + envLen)));
  } catch (e) {
    throw invalid("envelope is not JSON", e);
  }
  if (!isObject(env)) throw invalid("envelope is not an object");
  const kdf = kdfFromJson(env.kdf);
  if (!kdf) throw invalid("bad Argon2id parameters");
  const wrappedKey = boxFromJson(env.wrappedKey);
  if (!wrappedKey || wrappedKey.ciphertext.length !== KEY_BYTES + 16) throw invalid("bad wrapped key");
  const body = bytes.subarray(head + envLen);
  if (env.payloadLength !== body.length) {
    throw invalid(body.length < Number(env.payloadLength) ? "truncated" : "trailing data or bad length");
  }
  if (body.length < 12 + 16) throw invalid("payload too short");

  const wrappingKey = await deriveKey(passphrase, kdf);
  const rawBackupKey = await open(wrappingKey, wrappedKey, BACKUP_WRAP_AAD);
  if (!rawBackupKey || rawBackupKey.length !== KEY_BYTES) {
    rawBackupKey?.fill(0);
    throw new SealbirdError("keystore-wrong-passphrase", "wrong backup passphrase");
  }
  const backupKey = await importAesKey(rawBackupKey);
  const payload = await open(
    backupKey,
    { nonce: body.subarray(0, 12), ciphertext: body.subarray(12) },
    bytes.subarray(0, head + envLen),
  );
  if (!payload) throw invalid("damaged (authentication failed)");
  try {
    return parsePayload(fromUtf8(payload));
  } finally {
    payload.fill(0);
  }
}

function parsePayload(text: string): KeystoreRecord[] {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw invalid("payload is not JSON", e);
  }
  if (!isObject(j) || j.format !== PAYLOAD_FORMAT || j.version !== VERSION || !Array.isArray(j.records)) {
    throw invalid("bad payload");
  }
  const seen = new Set<string>();
  const out: KeystoreRecord[] = [];
  for (const r of j.records as unknown[]) {
    if (!isObject(r) || !isValidId(r.id) || !isValidKind(r.kind) || typeof r.created !== "string") {
      throw invalid("bad record");
    }
    if (seen.has(r.id)) throw invalid(`duplicate record id ${r.id}`);
    seen.add(r.id);
    try {
      checkRecordFields({ kind: r.kind, label: r.label, public: r.public });
    } catch (e) {
      throw invalid(`bad record ${r.id}`, e);
    }
    let secret: Uint8Array | undefined;
    if (r.secret !== undefined) {
      const s = decodeBase64Text(r.secret, { padded: true });
      if (!s) throw invalid(`bad secret in record ${r.id}`);
      secret = s;
    }
    out.push({
      id: r.id,
      kind: r.kind,
      ...(typeof r.label === "string" ? { label: r.label } : {}),
      created: r.created,
      public: r.public as Record<string, unknown>,
      ...(secret ? { secret } : {}),
    });
  }
  return out;
}

function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
