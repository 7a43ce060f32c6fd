/**
 * RSAES-PKCS1-v1_5 key transport (RFC 8017 7.2), which WebCrypto does not offer but most
 * S/MIME mail still uses. node-forge parses the key, rsa-private.ts does the arithmetic; the
 * padding check is ours, because it must not leak: a Bleichenbacher attacker who learns
 * "padding good / padding bad" can decrypt any key. So a bad padding, a wrong length or a
 * malformed ciphertext all yield a random key of the expected length (RFC 3218 2.3.2): the
 * content decryption then fails exactly like it would with a wrong-but-well-padded key.
 */
import forge from "node-forge";
import { SealbirdError } from "../errors.js";
import { fromBinaryString, randomBytes, toBinaryString } from "../bytes.js";
import { bigIntToBytes, bytesToBigInt, rsaPrivate, type RsaPrivateNumbers } from "./rsa-private.js";


function privateKey(pkcs8: Uint8Array): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(toBinaryString(pkcs8))) as forge.pki.rsa.PrivateKey;
  } catch (e) {
    throw new SealbirdError("unsupported-algorithm", "The private key is not a usable RSA key.", {}, { cause: e });
  }
}

function numbers(key: forge.pki.rsa.PrivateKey): RsaPrivateNumbers {
  const big = (x: forge.jsbn.BigInteger) => BigInt(`0x${x.toString(16)}`);
  return { n: big(key.n), e: big(key.e), p: big(key.p), q: big(key.q), dP: big(key.dP), dQ: big(key.dQ), qInv: big(key.qInv) };
}

/**
 * Decrypts a PKCS#1 v1.5 encrypted content-encryption key. Never throws for a bad
 * ciphertext: returns a random `keyLength`-byte key instead (implicit rejection).
 */
/**
 * The key's numbers by PKCS#8 array: forge's parse and its bignum → BigInt conversion cost
 * more than the RSA operation itself where JavaScript runs without a JIT, and the add-on hands
 * the same array for every message until the keystore changes or locks (then it is dropped,
 * and this entry with it).
 */
const keyNumbers = new WeakMap<Uint8Array, { numbers: RsaPrivateNumbers; k: number }>();

function keyFor(pkcs8: Uint8Array): { numbers: RsaPrivateNumbers; k: number } {
  let known = keyNumbers.get(pkcs8);
  if (!known) {
    const key = privateKey(pkcs8);
    known = { numbers: numbers(key), k: Math.ceil(key.n.bitLength() / 8) };
    keyNumbers.set(pkcs8, known);
  }
  return known;
}

export function rsaPkcs1DecryptKey(pkcs8: Uint8Array, ciphertext: Uint8Array, keyLength: number): Uint8Array {
  const key = keyFor(pkcs8);
  const fallback = randomBytes(keyLength);
  let em: Uint8Array;
  try {
    // Raw RSA, no padding removal (the padding check below must not branch on secrets).
    const k = key.k;
    if (ciphertext.length !== k) return fallback;
    em = bigIntToBytes(rsaPrivate(key.numbers, bytesToBigInt(ciphertext)), k);
  } catch {
    return fallback;
  }
  // EM = 00 || 02 || PS (>= 8 non-zero bytes) || 00 || M, with |M| = keyLength.
  // Checked without data-dependent branches; the result selects M or the fallback.
  const k = em.length;
  const msgStart = k - keyLength;
  let bad = em[0]! | (em[1]! ^ 0x02);
  bad |= msgStart < 11 ? 1 : 0;
  for (let i = 2; i < k; i++) {
    const b = em[i]!;
    const isZero = ((b - 1) >>> 31) & 1; // 1 when b == 0
    const inPs = i < msgStart - 1 ? 1 : 0;
    const isSep = i === msgStart - 1 ? 1 : 0;
    bad |= inPs & isZero; // PS must be non-zero
    bad |= isSep & (isZero ^ 1); // separator must be zero
  }
  const mask = -(bad & 1) & 0xff; // 0xff when bad
  const out = new Uint8Array(keyLength);
  for (let i = 0; i < keyLength; i++) out[i] = (em[msgStart + i]! & ~mask) | (fallback[i]! & mask);
  return out;
}

/** Encrypts a content-encryption key to an RSA public key (SubjectPublicKeyInfo DER). */
export function rsaPkcs1EncryptKey(spki: Uint8Array, cek: Uint8Array): Uint8Array {
  let pub: forge.pki.rsa.PublicKey;
  try {
    pub = forge.pki.publicKeyFromAsn1(forge.asn1.fromDer(toBinaryString(spki))) as forge.pki.rsa.PublicKey;
  } catch (e) {
    throw new SealbirdError("unsupported-algorithm", "The recipient's key is not a usable RSA key.", {}, { cause: e });
  }
  return fromBinaryString(pub.encrypt(toBinaryString(cek), "RSAES-PKCS1-V1_5"));
}
