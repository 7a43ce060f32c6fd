/**
 * ECDH key agreement for CMS (RFC 5753, ephemeral-static): the X9.63 KDF over the shared
 * secret and ECC-CMS-SharedInfo, then AES key wrap (RFC 3394) of the content key.
 */
import { SealbirdError } from "../errors.js";
import { concatBytes, toArrayBuffer } from "../bytes.js";
import type { HashName } from "../oids.js";
import { CMS } from "./oids.js";
import * as d from "./der.js";

export const KDF_HASH: Record<string, HashName> = {
  [CMS.stdDhSha1Kdf]: "SHA-1",
  [CMS.stdDhSha256Kdf]: "SHA-256",
  [CMS.stdDhSha384Kdf]: "SHA-384",
  [CMS.stdDhSha512Kdf]: "SHA-512",
};

export const WRAP_KEY_BYTES: Record<string, number> = {
  [CMS.aes128Wrap]: 16,
  [CMS.aes192Wrap]: 24,
  [CMS.aes256Wrap]: 32,
};

/** ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo, entityUInfo [0] EXPLICIT OPTIONAL, suppPubInfo [2] EXPLICIT } */
export function sharedInfo(wrapOid: string, ukm: Uint8Array | undefined, keyBytes: number): Uint8Array {
  const bits = keyBytes * 8;
  const supp = Uint8Array.of((bits >>> 24) & 0xff, (bits >>> 16) & 0xff, (bits >>> 8) & 0xff, bits & 0xff);
  return d.seq(d.algorithm(wrapOid), ...(ukm ? [d.ctx(0, d.octetString(ukm))] : []), d.ctx(2, d.octetString(supp)));
}

/** ANSI X9.63 KDF: Hash(Z || counter || SharedInfo) for counter = 1, 2, … */
export async function x963Kdf(hash: HashName, z: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  let have = 0;
  for (let counter = 1; have < length; counter++) {
    const c = Uint8Array.of((counter >>> 24) & 0xff, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    const h = new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(concatBytes([z, c, info]))));
    blocks.push(h);
    have += h.length;
  }
  return concatBytes(blocks).slice(0, length);
}

async function kek(raw: Uint8Array, usage: "wrapKey" | "unwrapKey"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", toArrayBuffer(raw), "AES-KW", false, [usage]);
}

/** RFC 3394 unwrap; any length multiple of 8 (AES or 3DES content keys). */
export async function aesKwUnwrap(kekBytes: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array> {
  try {
    const k = await kek(kekBytes, "unwrapKey");
    // HMAC accepts a raw key of any length, so the unwrapped key can be exported as bytes.
    const cek = await crypto.subtle.unwrapKey("raw", toArrayBuffer(wrapped), k, "AES-KW", { name: "HMAC", hash: "SHA-256", length: (wrapped.length - 8) * 8 }, true, ["sign"]);
    return new Uint8Array(await crypto.subtle.exportKey("raw", cek));
  } catch (e) {
    throw new SealbirdError("decrypt-failed", "The message could not be decrypted.", {}, { cause: e });
  }
}

export async function aesKwWrap(kekBytes: Uint8Array, cek: Uint8Array): Promise<Uint8Array> {
  const k = await kek(kekBytes, "wrapKey");
  const key = await crypto.subtle.importKey("raw", toArrayBuffer(cek), { name: "HMAC", hash: "SHA-256", length: cek.length * 8 }, true, ["sign"]);
  return new Uint8Array(await crypto.subtle.wrapKey("raw", key, k, "AES-KW"));
}
