/**
 * The keystore header: the Argon2id parameters and the wrapped data key. It is the only thing
 * a passphrase change rewrites, which is what makes that change a single atomic write.
 */
import { SealbirdError } from "../errors.js";
import { base64Encode, decodeBase64Text } from "../base64.js";
import { kdfProblem } from "./kdf.js";
import { KEY_BYTES, NONCE_BYTES, type SealedBox } from "./aead.js";
import type { KdfParams } from "./types.js";

export const HEADER_FORMAT = "sealbird-keystore";
export const HEADER_VERSION = 1;

export interface KeystoreHeader {
  created: string;
  kdf: KdfParams;
  /** AES-GCM(derived key, data key, AAD "sealbird-keystore-v1"). */
  wrappedKey: SealedBox;
}

export interface KdfJson {
  algorithm: string;
  version: number;
  salt: string;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export function kdfToJson(k: KdfParams): KdfJson {
  return {
    algorithm: k.algorithm,
    version: k.version,
    salt: base64Encode(k.salt),
    memoryKiB: k.memoryKiB,
    iterations: k.iterations,
    parallelism: k.parallelism,
  };
}

/** Null when the object is not a valid, in-bounds parameter set. */
export function kdfFromJson(j: unknown): KdfParams | null {
  if (!isObject(j)) return null;
  const salt = decodeBase64Text(j.salt, { padded: true });
  if (!salt) return null;
  const k = {
    algorithm: j.algorithm,
    version: j.version,
    salt,
    memoryKiB: j.memoryKiB,
    iterations: j.iterations,
    parallelism: j.parallelism,
  } as KdfParams;
  return kdfProblem(k) === null ? k : null;
}

export function boxToJson(b: SealedBox): { nonce: string; ciphertext: string } {
  return { nonce: base64Encode(b.nonce), ciphertext: base64Encode(b.ciphertext) };
}

export function boxFromJson(j: unknown): SealedBox | null {
  if (!isObject(j)) return null;
  const nonce = decodeBase64Text(j.nonce, { padded: true });
  const ciphertext = decodeBase64Text(j.ciphertext, { padded: true });
  if (!nonce || !ciphertext || nonce.length !== NONCE_BYTES || ciphertext.length < 16) return null;
  return { nonce, ciphertext };
}

export function serializeHeader(h: KeystoreHeader): string {
  return JSON.stringify({
    format: HEADER_FORMAT,
    version: HEADER_VERSION,
    created: h.created,
    kdf: kdfToJson(h.kdf),
    wrappedKey: boxToJson(h.wrappedKey),
  });
}

export function parseHeader(s: string): KeystoreHeader {
  const corrupt = (why: string) => new SealbirdError("keystore-corrupt", `keystore header: ${why}`);
  let j: unknown;
  try {
    j = JSON.parse(s);
  } catch (e) {
    throw new SealbirdError("keystore-corrupt", "keystore header: not JSON", {}, { cause: e });
  }
  if (!isObject(j) || j.format !== HEADER_FORMAT) throw corrupt("not a Sealbird keystore header");
  // A newer header is reported as corrupt rather than misread; the message says why.
  if (j.version !== HEADER_VERSION) throw corrupt(`unsupported version ${String(j.version)}`);
  if (typeof j.created !== "string") throw corrupt("missing creation time");
  const kdf = kdfFromJson(j.kdf);
  if (!kdf) throw corrupt("bad Argon2id parameters");
  const wrappedKey = boxFromJson(j.wrappedKey);
  // 32-byte key + 16-byte tag.
  if (!wrappedKey || wrappedKey.ciphertext.length !== KEY_BYTES + 16) throw corrupt("bad wrapped key");
  return { created: j.created, kdf, wrappedKey };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
