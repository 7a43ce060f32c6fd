/**
 * The password integrity mode of RFC 7292 (section 5, appendix B): HMAC over the
 * AuthenticatedSafe with a key from the appendix B KDF. OpenSSL 3 writes HMAC-SHA256,
 * -legacy and Windows write HMAC-SHA1. The MAC is also our password check.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { bytesEqual, randomBytes, toArrayBuffer } from "../bytes.js";
import { DIGEST_NAMES, type HashName } from "../oids.js";
import { P12 } from "./oids.js";
import { KDF_ID, checkKdfIterations, hashOutputLength, pkcs12Kdf } from "./pkcs12-kdf.js";
import { octets } from "./asn1.js";

const DIGEST_OIDS: Record<HashName, string> = { "SHA-1": P12.sha1, "SHA-256": P12.sha256, "SHA-384": P12.sha384, "SHA-512": P12.sha512 };

export async function computeMac(hash: HashName, password: Uint8Array, salt: Uint8Array, iterations: number, content: Uint8Array): Promise<Uint8Array> {
  const key = await pkcs12Kdf(hash, password, salt, KDF_ID.mac, iterations, hashOutputLength(hash));
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", toArrayBuffer(key), { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, toArrayBuffer(content)));
}

/**
 * Returns the candidate password encoding that produced the stored MAC, or throws
 * `pkcs12-wrong-password`. Algorithm and iteration checks come first, so a hostile file
 * is refused before any work is done. `iterations` comes from the raw MacData (see
 * macIterations in import.ts): pkijs's number is 0 for counts of 4 or more bytes.
 */
export async function verifyMac(
  macData: pkijs.MacData,
  iterations: number,
  content: Uint8Array,
  candidates: readonly Uint8Array[],
): Promise<Uint8Array> {
  const oid = macData.mac.digestAlgorithm.algorithmId;
  if (oid === P12.pbmac1) {
    throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported MAC algorithm ${oid} (PBMAC1).`, { oid });
  }
  const hash = DIGEST_NAMES[oid];
  if (!hash) throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported MAC digest algorithm ${oid}.`, { oid });
  checkKdfIterations(iterations, "PKCS#12 MAC");
  const salt = octets(macData.macSalt, "MAC salt");
  const expected = octets(macData.mac.digest, "MAC value");
  if (expected.length !== hashOutputLength(hash)) throw new SealbirdError("pkcs12-corrupt", "MAC value has the wrong length.");
  for (const candidate of candidates) {
    if (bytesEqual(await computeMac(hash, candidate, salt, iterations, content), expected)) return candidate;
  }
  throw new SealbirdError("pkcs12-wrong-password", "Wrong password: the PKCS#12 integrity check failed.");
}

export async function makeMacData(hash: HashName, password: Uint8Array, iterations: number, content: Uint8Array): Promise<pkijs.MacData> {
  checkKdfIterations(iterations, "PKCS#12 MAC");
  // OpenSSL uses 8 salt bytes; RFC 7292 wants at least the hash length, and readers take any.
  const salt = randomBytes(hashOutputLength(hash));
  const mac = await computeMac(hash, password, salt, iterations, content);
  return new pkijs.MacData({
    mac: new pkijs.DigestInfo({
      digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OIDS[hash], algorithmParams: new asn1js.Null() }),
      digest: new asn1js.OctetString({ valueHex: mac }),
    }),
    macSalt: new asn1js.OctetString({ valueHex: salt }),
    iterations,
  });
}
