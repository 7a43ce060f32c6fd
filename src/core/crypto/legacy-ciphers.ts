/**
 * Ciphers WebCrypto does not have but real mail and real PKCS#12 files still use:
 * 3DES-CBC (old S/MIME, Windows PKCS#12) and RC2-CBC (openssl -legacy PKCS#12, 40-bit).
 * node-forge is the maintained pure-JS implementation; it runs in Node and in Thunderbird.
 * Read paths only, except 3DES which PKCS#12 export offers for old Windows/iOS.
 */
import forge from "node-forge";
import { SealbirdError } from "../errors.js";
import { fromBinaryString, toBinaryString } from "../bytes.js";

function run(cipher: forge.cipher.BlockCipher, data: Uint8Array, what: string): Uint8Array {
  cipher.update(forge.util.createBuffer(toBinaryString(data)));
  // finish() checks and strips PKCS#7 padding; false means the padding was wrong.
  if (!cipher.finish()) throw new SealbirdError("decrypt-failed", `${what}: bad padding`);
  return fromBinaryString(cipher.output.getBytes());
}

export function desEde3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 || iv.length !== 8) throw new SealbirdError("decrypt-failed", "3DES: bad key or IV length");
  const c = forge.cipher.createDecipher("3DES-CBC", toBinaryString(key));
  c.start({ iv: toBinaryString(iv) });
  return run(c, data, "3DES");
}

export function desEde3CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 || iv.length !== 8) throw new SealbirdError("internal", "3DES: bad key or IV length");
  const c = forge.cipher.createCipher("3DES-CBC", toBinaryString(key));
  c.start({ iv: toBinaryString(iv) });
  return run(c, data, "3DES");
}

/** RC2-CBC with the given effective key bits (40 for PKCS#12 pbeWithSHAAnd40BitRC2-CBC). */
export function rc2CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, effectiveBits: number): Uint8Array {
  if (iv.length !== 8) throw new SealbirdError("decrypt-failed", "RC2: bad IV length");
  const c = forge.rc2.createDecryptionCipher(toBinaryString(key), effectiveBits);
  c.start(toBinaryString(iv));
  c.update(forge.util.createBuffer(toBinaryString(data)));
  if (!c.finish()) throw new SealbirdError("decrypt-failed", "RC2: bad padding");
  return fromBinaryString(c.output.getBytes());
}

export function rc2CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, effectiveBits: number): Uint8Array {
  const c = forge.rc2.createEncryptionCipher(toBinaryString(key), effectiveBits);
  c.start(toBinaryString(iv));
  c.update(forge.util.createBuffer(toBinaryString(data)));
  c.finish();
  return fromBinaryString(c.output.getBytes());
}
