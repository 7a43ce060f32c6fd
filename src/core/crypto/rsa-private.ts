/**
 * The RSA private-key operation (m = c^d mod n) on native BigInt, with the CRT and blinding.
 * node-forge computes the same thing with its own JavaScript bignums, which take about 2 s per
 * 2048-bit key in Debian's Thunderbird (scripts run without a JIT there); each BigInt
 * multiplication here is one native call, so the whole operation stays in milliseconds.
 * Blinding (RFC 8017 recommends it) keeps the exponentiation's timing unrelated to the
 * attacker's ciphertext. Key parsing and everything around stays with node-forge.
 */
import { randomBytes } from "../bytes.js";

export interface RsaPrivateNumbers {
  n: bigint;
  e: bigint;
  p: bigint;
  q: bigint;
  dP: bigint;
  dQ: bigint;
  qInv: bigint;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    e >>= 1n;
    b = (b * b) % mod;
  }
  return result;
}

/** a^-1 mod m (extended Euclid); `a` is a random unit mod n, so the inverse exists. */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % m) + m) % m;
}

export function bytesToBigInt(b: Uint8Array): bigint {
  let hex = "";
  for (const x of b) hex += x.toString(16).padStart(2, "0");
  return hex ? BigInt(`0x${hex}`) : 0n;
}

/** Big-endian, left-padded to `length` bytes. */
export function bigIntToBytes(v: bigint, length: number): Uint8Array {
  const hex = v.toString(16).padStart(length * 2, "0");
  if (hex.length > length * 2) throw new Error("value does not fit");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function randomUnit(n: bigint): bigint {
  const len = Math.ceil(n.toString(16).length / 2) + 8;
  for (;;) {
    const r = bytesToBigInt(randomBytes(len)) % n;
    if (r > 1n) return r;
  }
}

/** c^d mod n for a ciphertext c < n. */
export function rsaPrivate(key: RsaPrivateNumbers, c: bigint): bigint {
  if (c >= key.n) throw new Error("ciphertext out of range");
  const r = randomUnit(key.n);
  const blinded = (c * modPow(r, key.e, key.n)) % key.n;
  const m1 = modPow(blinded % key.p, key.dP, key.p);
  const m2 = modPow(blinded % key.q, key.dQ, key.q);
  const h = (key.qInv * ((m1 - m2 + key.p) % key.p)) % key.p;
  const m = m2 + h * key.q;
  return (m * modInverse(r, key.n)) % key.n;
}
