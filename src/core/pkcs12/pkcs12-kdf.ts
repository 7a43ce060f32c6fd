/**
 * The PKCS#12 key derivation of RFC 7292 appendix B.2, used by the PKCS#12 PBE schemes
 * (appendix C) and by the classic password MAC. pkijs's engine only covers part of what real
 * files use, and WebCrypto has no such KDF, so it is built here on WebCrypto digests.
 */
import { SealbirdError } from "../errors.js";
import type { HashName } from "../oids.js";
import { MAX_PKCS12_KDF_ITERATIONS } from "./limits.js";

/** Diversifier ID: which purpose the derived bytes serve (B.3). */
export const KDF_ID = { key: 1, iv: 2, mac: 3 } as const;
export type KdfId = (typeof KDF_ID)[keyof typeof KDF_ID];

const HASH_SIZES: Record<HashName, { u: number; v: number }> = {
  "SHA-1": { u: 20, v: 64 },
  "SHA-256": { u: 32, v: 64 },
  "SHA-384": { u: 48, v: 128 },
  "SHA-512": { u: 64, v: 128 },
};

export function hashOutputLength(hash: HashName): number {
  return HASH_SIZES[hash].u;
}

export function checkKdfIterations(iterations: number, what: string): void {
  if (!Number.isFinite(iterations) || iterations < 1 || iterations > MAX_PKCS12_KDF_ITERATIONS) {
    throw new SealbirdError(
      "pkcs12-unsupported-algorithm",
      `${what}: iteration count ${iterations} is outside 1..${MAX_PKCS12_KDF_ITERATIONS}.`,
      { iterations, limit: MAX_PKCS12_KDF_ITERATIONS },
    );
  }
}

/** Repeats `src` to fill a multiple of v bytes (empty stays empty, per B.2 steps 2-3). */
function fill(src: Uint8Array, v: number): Uint8Array {
  if (src.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
  return out;
}

/**
 * Derives `n` bytes. `password` is already the BMPString encoding (see password.ts), because
 * "which bytes" is exactly what differs between writers.
 */
export async function pkcs12Kdf(
  hash: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  id: KdfId,
  iterations: number,
  n: number,
): Promise<Uint8Array> {
  checkKdfIterations(iterations, "PKCS#12 key derivation");
  const { u, v } = HASH_SIZES[hash];
  const subtle = globalThis.crypto.subtle;
  const I = new Uint8Array([...fill(salt, v), ...fill(password, v)]);
  const blocks = Math.ceil(n / u);
  const out = new Uint8Array(blocks * u);
  const input = new Uint8Array(v + I.length);
  input.fill(id, 0, v);
  for (let i = 0; i < blocks; i++) {
    input.set(I, v);
    let a = new Uint8Array(await subtle.digest(hash, input));
    for (let r = 1; r < iterations; r++) a = new Uint8Array(await subtle.digest(hash, a));
    out.set(a, i * u);
    if (i + 1 === blocks) break;
    // Step 6C: every v-byte block of I becomes (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k]! + a[k % u]! + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return out.subarray(0, n);
}
