/**
 * Writing a PKCS#12 file. The default matches what OpenSSL 3 writes (PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC for the key and the certificates, HMAC-SHA256 MAC);
 * `legacy` gives pbeWithSHAAnd3-KeyTripleDES-CBC for both and an HMAC-SHA1 MAC, the
 * newest thing older Windows, macOS and iOS importers understand.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError, asSealbirdError } from "../errors.js";
import { toArrayBuffer } from "../bytes.js";
import { P12 } from "./oids.js";
import { MAX_PKCS12_KDF_ITERATIONS } from "./limits.js";
import { bmpPassword, pbes2Password } from "./password.js";
import { makeMacData } from "./mac.js";
import { pbes1Encrypt3Des } from "./pbes1.js";
import { pbes2EncryptAes256 } from "./pbes2.js";
import { certBag, encodeSafeContents, shroudedKeyBag } from "./safe-contents.js";
import { certificatePublicKey, inspectPkcs8, samePublicKey } from "./private-key.js";
import { parseBer } from "./asn1.js";

export interface Pkcs12ExportInput {
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  chain?: Uint8Array[];
  friendlyName?: string;
}

export interface Pkcs12ExportOptions {
  legacy?: boolean;
  /** For the key/certificate encryption and the MAC alike. Default 2048, OpenSSL's. */
  iterations?: number;
}

export const DEFAULT_EXPORT_ITERATIONS = 2048;

/**
 * @throws SealbirdError `usage` (key and certificate do not belong together, bad options),
 *   `asn1-malformed` / `cert-malformed` (unparseable inputs), `pkcs12-unsupported-algorithm`.
 */
export async function exportPkcs12(input: Pkcs12ExportInput, password: string, opts: Pkcs12ExportOptions = {}): Promise<Uint8Array> {
  try {
    return await exportInner(input, password, opts);
  } catch (e) {
    throw asSealbirdError(e, "internal", "The PKCS#12 file could not be written.");
  }
}

async function exportInner(input: Pkcs12ExportInput, password: string, opts: Pkcs12ExportOptions): Promise<Uint8Array> {
  const iterations = opts.iterations ?? DEFAULT_EXPORT_ITERATIONS;
  // The MAC always uses the appendix B KDF, so its limit bounds both schemes.
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PKCS12_KDF_ITERATIONS) {
    throw new SealbirdError("usage", `Iteration count must be 1..${MAX_PKCS12_KDF_ITERATIONS}.`);
  }
  const facts = inspectPkcs8(input.privateKeyPkcs8, "asn1-malformed");
  const certDer = certificateDer(input.certificate, "certificate");
  const chain = (input.chain ?? []).map((c, i) => certificateDer(c, `chain certificate ${i + 1}`));
  const certKey = certificatePublicKey(certDer);
  if (!certKey || !samePublicKey(await facts.publicKey(), certKey)) {
    throw new SealbirdError("usage", "The private key does not belong to the certificate.");
  }

  // localKeyId as OpenSSL sets it: SHA-1 of the certificate, tying the key bag to its cert bag.
  const localKeyId = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-1", toArrayBuffer(certDer)));
  const attrs = { localKeyId, ...(input.friendlyName !== undefined ? { friendlyName: input.friendlyName } : {}) };

  const encrypt = opts.legacy
    ? (data: Uint8Array) => pbes1Encrypt3Des(bmpPassword(password), data, iterations)
    : (data: Uint8Array) => pbes2EncryptAes256(pbes2Password(password), data, iterations);

  const certContents = encodeSafeContents([certBag(certDer, attrs), ...chain.map((c) => certBag(c))]);
  const encCerts = await encrypt(certContents);
  const encKey = await encrypt(facts.pkcs8);
  const keyContents = encodeSafeContents([shroudedKeyBag(encKey.algorithm, encKey.ciphertext, attrs)]);

  const authSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({
        contentType: P12.encryptedData,
        content: new pkijs.EncryptedData({
          version: 0,
          encryptedContentInfo: new pkijs.EncryptedContentInfo({
            contentType: P12.data,
            contentEncryptionAlgorithm: encCerts.algorithm,
            encryptedContent: new asn1js.OctetString({ valueHex: encCerts.ciphertext }),
            // pkijs would otherwise chunk it into a BER constructed string.
            disableSplit: true,
          }),
        }).toSchema(),
      }),
      new pkijs.ContentInfo({ contentType: P12.data, content: new asn1js.OctetString({ valueHex: keyContents }) }),
    ],
  });
  const authSafeDer = new Uint8Array(authSafe.toSchema().toBER(false));
  const macData = await makeMacData(opts.legacy ? "SHA-1" : "SHA-256", bmpPassword(password), iterations, authSafeDer);
  const pfx = new pkijs.PFX({
    version: 3,
    authSafe: new pkijs.ContentInfo({ contentType: P12.data, content: new asn1js.OctetString({ valueHex: authSafeDer }) }),
    macData,
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}

function certificateDer(der: Uint8Array, what: string): Uint8Array {
  try {
    const node = parseBer(der, what, "cert-malformed");
    pkijs.Certificate.fromBER(toArrayBuffer(der));
    return new Uint8Array(node.valueBeforeDecodeView);
  } catch (e) {
    throw asSealbirdError(e, "cert-malformed", `The ${what} is not a valid X.509 certificate.`);
  }
}
