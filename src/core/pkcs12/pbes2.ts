/**
 * PBES2 (RFC 8018): PBKDF2 + a block cipher, what OpenSSL 3 writes by default
 * (PBKDF2-HMAC-SHA256, AES-256-CBC). The password bytes are plain UTF-8 here, unlike the
 * BMPString of the PKCS#12 KDF. PBKDF2 and AES run in WebCrypto; 3DES via legacy-ciphers.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { randomBytes, toArrayBuffer } from "../bytes.js";
import { desEde3CbcDecrypt } from "../crypto/legacy-ciphers.js";
import type { HashName } from "../oids.js";
import { HMAC_PRFS, P12 } from "./oids.js";
import { MAX_PBKDF2_ITERATIONS } from "./limits.js";
import { fromSchema, octets, sequence, smallInt, type Node } from "./asn1.js";

interface Cipher {
  name: "AES-CBC" | "3DES";
  keyLength: number;
  ivLength: number;
}

const CIPHERS: Readonly<Record<string, Cipher>> = {
  [P12.aes128Cbc]: { name: "AES-CBC", keyLength: 16, ivLength: 16 },
  [P12.aes192Cbc]: { name: "AES-CBC", keyLength: 24, ivLength: 16 },
  [P12.aes256Cbc]: { name: "AES-CBC", keyLength: 32, ivLength: 16 },
  [P12.desEde3Cbc]: { name: "3DES", keyLength: 24, ivLength: 8 },
};

function unsupported(what: string, oid: string): SealbirdError {
  return new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported ${what} ${oid}.`, { oid });
}

interface Pbes2Plan {
  hash: HashName;
  salt: Uint8Array;
  iterations: number;
  cipher: Cipher;
  iv: Uint8Array;
}

function parseParams(params: Node | undefined): Pbes2Plan {
  if (!params) throw new SealbirdError("pkcs12-corrupt", "PBES2 parameters are missing.");
  const p = fromSchema((schema) => new pkijs.PBES2Params({ schema }), params, "PBES2 parameters");
  if (p.keyDerivationFunc.algorithmId !== P12.pbkdf2) throw unsupported("PBES2 key derivation function", p.keyDerivationFunc.algorithmId);
  const kdfNode = p.keyDerivationFunc.algorithmParams as Node;
  const kdf = fromSchema((schema) => new pkijs.PBKDF2Params({ schema }), kdfNode, "PBKDF2 parameters");
  // asn1js (v4) decodes INTEGERs of 4+ bytes as 0, so the counts are read from the raw node.
  const [, iterNode, maybeKeyLength] = sequence(kdfNode, "PBKDF2 parameters");
  const keyLength = maybeKeyLength instanceof asn1js.Integer ? smallInt(maybeKeyLength, "PBKDF2 key length") : undefined;
  if (!(kdf.salt instanceof asn1js.OctetString)) throw unsupported("PBKDF2 salt source", "otherSource");
  // Absent prf means the RFC 8018 default, hmacWithSHA1.
  const prfOid = kdf.prf?.algorithmId ?? P12.hmacWithSHA1;
  const hash = HMAC_PRFS[prfOid];
  if (!hash) throw unsupported("PBKDF2 PRF", prfOid);
  const iterations = smallInt(iterNode, "PBKDF2 iteration count");
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new SealbirdError("pkcs12-unsupported-algorithm", `PBKDF2 iteration count ${iterations} is outside 1..${MAX_PBKDF2_ITERATIONS}.`, {
      iterations,
      limit: MAX_PBKDF2_ITERATIONS,
    });
  }
  const encOid = p.encryptionScheme.algorithmId;
  const cipher = CIPHERS[encOid];
  if (!cipher) throw unsupported("PBES2 encryption scheme", encOid);
  if (keyLength !== undefined && keyLength !== cipher.keyLength) {
    throw new SealbirdError("pkcs12-corrupt", `PBKDF2 key length ${keyLength} does not fit ${encOid}.`);
  }
  const iv = octets(p.encryptionScheme.algorithmParams as Node, "PBES2 IV");
  if (iv.length !== cipher.ivLength) throw new SealbirdError("pkcs12-corrupt", "PBES2 IV has the wrong length.");
  return { hash, salt: octets(kdf.salt, "PBKDF2 salt"), iterations, cipher, iv };
}

async function pbkdf2(plan: Pbes2Plan, password: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey("raw", toArrayBuffer(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", hash: plan.hash, salt: toArrayBuffer(plan.salt), iterations: plan.iterations },
    base,
    plan.cipher.keyLength * 8,
  );
  return new Uint8Array(bits);
}

/** Throws `decrypt-failed` on bad padding, which is how a wrong password usually shows. */
export async function pbes2Decrypt(params: Node | undefined, password: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const plan = parseParams(params);
  const blockSize = plan.cipher.ivLength;
  if (data.length === 0 || data.length % blockSize !== 0) throw new SealbirdError("decrypt-failed", "PBES2: ciphertext is not whole blocks.");
  const key = await pbkdf2(plan, password);
  if (plan.cipher.name === "3DES") return desEde3CbcDecrypt(key, plan.iv, data);
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", toArrayBuffer(key), "AES-CBC", false, ["decrypt"]);
  try {
    return new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: toArrayBuffer(plan.iv) }, k, toArrayBuffer(data)));
  } catch (e) {
    throw new SealbirdError("decrypt-failed", "PBES2: bad padding.", {}, { cause: e });
  }
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, encoded the way OpenSSL 3 does it. */
export async function pbes2EncryptAes256(
  password: Uint8Array,
  data: Uint8Array,
  iterations: number,
): Promise<{ algorithm: pkijs.AlgorithmIdentifier; ciphertext: Uint8Array }> {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new SealbirdError("usage", `PBKDF2 iteration count must be 1..${MAX_PBKDF2_ITERATIONS}.`);
  }
  const plan: Pbes2Plan = { hash: "SHA-256", salt: randomBytes(8), iterations, cipher: CIPHERS[P12.aes256Cbc]!, iv: randomBytes(16) };
  const key = await pbkdf2(plan, password);
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", toArrayBuffer(key), "AES-CBC", false, ["encrypt"]);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv: toArrayBuffer(plan.iv) }, k, toArrayBuffer(data)));
  const params = new pkijs.PBES2Params({
    keyDerivationFunc: new pkijs.AlgorithmIdentifier({
      algorithmId: P12.pbkdf2,
      algorithmParams: new pkijs.PBKDF2Params({
        salt: new asn1js.OctetString({ valueHex: plan.salt }),
        iterationCount: iterations,
        prf: new pkijs.AlgorithmIdentifier({ algorithmId: P12.hmacWithSHA256, algorithmParams: new asn1js.Null() }),
      }).toSchema(),
    }),
    encryptionScheme: new pkijs.AlgorithmIdentifier({
      algorithmId: P12.aes256Cbc,
      algorithmParams: new asn1js.OctetString({ valueHex: plan.iv }),
    }),
  });
  return { algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: P12.pbes2, algorithmParams: params.toSchema() }), ciphertext };
}
