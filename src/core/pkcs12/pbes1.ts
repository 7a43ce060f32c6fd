/**
 * The PKCS#12 password-based encryption schemes of RFC 7292 appendix C: key and IV from the
 * appendix B KDF with SHA-1, then 3DES or RC2 in CBC mode. Still what `openssl -legacy`,
 * Windows before 2019, macOS Keychain and most phones write, so we read all the block-cipher
 * variants and write the 3DES one.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { randomBytes } from "../bytes.js";
import { desEde3CbcDecrypt, desEde3CbcEncrypt, rc2CbcDecrypt } from "../crypto/legacy-ciphers.js";
import { P12 } from "./oids.js";
import { KDF_ID, pkcs12Kdf, checkKdfIterations } from "./pkcs12-kdf.js";
import { octets, sequence, smallInt, type Node } from "./asn1.js";

interface Scheme {
  cipher: "3DES" | "RC2";
  keyLength: number;
  rc2Bits?: number;
}

const SCHEMES: Readonly<Record<string, Scheme>> = {
  [P12.pbeWithSHAAnd3KeyTripleDESCBC]: { cipher: "3DES", keyLength: 24 },
  [P12.pbeWithSHAAnd2KeyTripleDESCBC]: { cipher: "3DES", keyLength: 16 },
  [P12.pbeWithSHAAnd128BitRC2CBC]: { cipher: "RC2", keyLength: 16, rc2Bits: 128 },
  [P12.pbeWithSHAAnd40BitRC2CBC]: { cipher: "RC2", keyLength: 5, rc2Bits: 40 },
};

export function isPbes1(oid: string): boolean {
  return oid in SCHEMES;
}

export interface Pbes1Params {
  salt: Uint8Array;
  iterations: number;
}

/** pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } */
export function parsePbes1Params(params: Node | undefined): Pbes1Params {
  const [salt, iter] = sequence(params, "PKCS#12 PBE parameters");
  const p = { salt: octets(salt, "PKCS#12 PBE salt"), iterations: smallInt(iter, "PKCS#12 PBE iterations") };
  checkKdfIterations(p.iterations, "PKCS#12 PBE");
  return p;
}

async function deriveKeyIv(scheme: Scheme, password: Uint8Array, p: Pbes1Params): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const [key, iv] = await Promise.all([
    pkcs12Kdf("SHA-1", password, p.salt, KDF_ID.key, p.iterations, scheme.keyLength),
    pkcs12Kdf("SHA-1", password, p.salt, KDF_ID.iv, p.iterations, 8),
  ]);
  // Two-key 3DES is K1,K2,K1; the cipher wants all three.
  const full = scheme.cipher === "3DES" && key.length === 16 ? new Uint8Array([...key, ...key.subarray(0, 8)]) : key;
  return { key: full, iv };
}

/**
 * Decrypts with one already-encoded password (see password.ts). A wrong password shows up as
 * a `decrypt-failed` padding error — or, one time in ~256, as garbage the caller must reject.
 */
export async function pbes1Decrypt(oid: string, params: Node | undefined, password: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const scheme = SCHEMES[oid];
  if (!scheme) throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported PKCS#12 PBE algorithm ${oid}.`, { oid });
  const p = parsePbes1Params(params);
  if (data.length === 0 || data.length % 8 !== 0) throw new SealbirdError("decrypt-failed", "PKCS#12 PBE: ciphertext is not whole blocks.");
  const { key, iv } = await deriveKeyIv(scheme, password, p);
  return scheme.cipher === "3DES" ? desEde3CbcDecrypt(key, iv, data) : rc2CbcDecrypt(key, iv, data, scheme.rc2Bits!);
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC: the one legacy scheme every old importer understands. */
export async function pbes1Encrypt3Des(
  password: Uint8Array,
  data: Uint8Array,
  iterations: number,
): Promise<{ algorithm: pkijs.AlgorithmIdentifier; ciphertext: Uint8Array }> {
  const oid = P12.pbeWithSHAAnd3KeyTripleDESCBC;
  const p: Pbes1Params = { salt: randomBytes(8), iterations };
  checkKdfIterations(iterations, "PKCS#12 PBE");
  const { key, iv } = await deriveKeyIv(SCHEMES[oid]!, password, p);
  const algorithm = new pkijs.AlgorithmIdentifier({
    algorithmId: oid,
    algorithmParams: new asn1js.Sequence({
      value: [new asn1js.OctetString({ valueHex: p.salt }), new asn1js.Integer({ value: iterations })],
    }),
  });
  return { algorithm, ciphertext: desEde3CbcEncrypt(key, iv, data) };
}
