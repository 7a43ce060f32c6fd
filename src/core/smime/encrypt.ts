/**
 * Writing encrypted S/MIME: AES-256-GCM AuthEnvelopedData (RFC 5083/5084) when every recipient
 * advertised it, else AES-256-CBC EnvelopedData, which every S/MIME client reads.
 * Per recipient: RSA-OAEP when the recipient advertised it (with the hash it asked for; SHA-1
 * by default — OAEP's security does not rest on collision resistance, and SHA-1 OAEP is what
 * Outlook, NSS and openssl all accept), else RSA PKCS#1 v1.5; EC keys get ephemeral-static
 * ECDH with the SHA-256 X9.63 KDF and AES-256 key wrap (RFC 5753).
 */
import { SealbirdError, asSealbirdError } from "../errors.js";
import { bufferSource, concatBytes, randomBytes, toArrayBuffer } from "../bytes.js";
import { parseCertificate } from "../cert/certificate.js";
import { rsaPkcs1EncryptKey } from "../crypto/rsa-pkcs1.js";
import { issuerAndSerial } from "./cert-ids.js";
import { aesKwWrap, sharedInfo, x963Kdf } from "./ecdh.js";
import { curveBytes, spkiKind } from "./keys.js";
import { pkcs7MimeEntity } from "./mime-out.js";
import type { HashName } from "../oids.js";
import { CMS, DIGEST_OID } from "./oids.js";
import * as d from "./der.js";

export interface EncryptRecipient {
  certificate: Uint8Array;
  /** From the recipient's sMIMECapabilities (collected from a signed message). */
  capabilities?: { aesGcm?: boolean; oaep?: boolean; oaepHash?: HashName };
}

function oaepParams(hash: HashName): Uint8Array {
  if (hash === "SHA-1") return d.seq(); // all defaults
  const h = d.algorithm(DIGEST_OID[hash]);
  return d.seq(d.ctx(0, h), d.ctx(1, d.algorithm(CMS.mgf1, h)));
}

async function recipientInfo(r: EncryptRecipient, cek: Uint8Array): Promise<{ ri: Uint8Array; version0: boolean }> {
  const cert = parseCertificate(r.certificate);
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
  const kind = spkiKind(cert.subjectPublicKeyInfo);
  const rid = issuerAndSerial(r.certificate);
  if (kind.type === "rsa") {
    if (r.capabilities?.oaep) {
      const hash = r.capabilities.oaepHash ?? "SHA-1";
      const key = await crypto.subtle.importKey("spki", toArrayBuffer(spki), { name: "RSA-OAEP", hash }, false, ["encrypt"]);
      const ek = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, toArrayBuffer(cek)));
      return { ri: d.seq(d.integer(0), rid, d.algorithm(CMS.rsaesOaep, oaepParams(hash)), d.octetString(ek)), version0: true };
    }
    const ek = rsaPkcs1EncryptKey(spki, cek);
    return { ri: d.seq(d.integer(0), rid, d.algorithm(CMS.rsaEncryption, null), d.octetString(ek)), version0: true };
  }
  // ECDH, ephemeral-static.
  const recipientKey = await crypto.subtle.importKey("spki", toArrayBuffer(spki), { name: "ECDH", namedCurve: kind.curve }, false, []);
  const eph = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: kind.curve }, true, ["deriveBits"])) as CryptoKeyPair;
  const z = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: recipientKey }, eph.privateKey, curveBytes(kind.curve) * 8));
  const kek = await x963Kdf("SHA-256", z, sharedInfo(CMS.aes256Wrap, undefined, 32), 32);
  const wrapped = await aesKwWrap(kek, cek);
  const ephPub = new Uint8Array(await crypto.subtle.exportKey("raw", eph.publicKey));
  const kari = d.ctx(
    1,
    d.integer(3),
    d.ctx(0, d.ctx(1, d.algorithm(CMS.ecPublicKey), d.bitString(ephPub))),
    d.algorithm(CMS.stdDhSha256Kdf, d.algorithm(CMS.aes256Wrap)),
    d.seq(d.seq(rid, d.octetString(wrapped))),
  );
  return { ri: kari, version0: false };
}

/** EnvelopedData / AuthEnvelopedData ContentInfo, DER. */
export async function encryptCms(content: Uint8Array, recipients: readonly EncryptRecipient[]): Promise<{ der: Uint8Array; gcm: boolean }> {
  const { pieces, gcm } = await encryptCmsPieces(content, recipients);
  return { der: concatBytes(pieces), gcm };
}

/** The same DER as pieces around the ciphertext (base64 reads them without a joined copy). */
async function encryptCmsPieces(content: Uint8Array, recipients: readonly EncryptRecipient[]): Promise<{ pieces: d.DerPieces; gcm: boolean }> {
  if (recipients.length === 0) throw new SealbirdError("recipient-no-key", "No recipient certificate to encrypt to.");
  const gcm = recipients.every((r) => r.capabilities?.aesGcm === true);
  const cek = randomBytes(32);
  const infos = await Promise.all(recipients.map((r) => recipientInfo(r, cek)));
  const recipientInfos = d.setOf(...infos.map((i) => i.ri));
  const key = await crypto.subtle.importKey("raw", toArrayBuffer(cek), gcm ? "AES-GCM" : "AES-CBC", false, ["encrypt"]);
  if (gcm) {
    const nonce = randomBytes(12);
    const out = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: toArrayBuffer(nonce), tagLength: 128 }, key, bufferSource(content)));
    const ciphertext = out.subarray(0, out.length - 16);
    const tag = out.subarray(out.length - 16);
    const eci = d.tlvPieces(d.TAG.sequence, d.oid(CMS.data), d.algorithm(CMS.aes256Gcm, d.seq(d.octetString(nonce), d.integer(16))), d.tlvPieces(d.TAG.implicit0, ciphertext));
    const aed = d.tlvPieces(d.TAG.sequence, d.integer(0), recipientInfos, eci, d.octetString(tag));
    return { pieces: d.tlvPieces(d.TAG.sequence, d.oid(CMS.authEnvelopedData), d.tlvPieces(d.TAG.explicit0, aed)), gcm };
  }
  const iv = randomBytes(16);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: toArrayBuffer(iv) }, key, bufferSource(content)));
  const eci = d.tlvPieces(d.TAG.sequence, d.oid(CMS.data), d.algorithm(CMS.aes256Cbc, d.octetString(iv)), d.tlvPieces(d.TAG.implicit0, ciphertext));
  const version = infos.every((i) => i.version0) ? 0 : 2;
  const ed = d.tlvPieces(d.TAG.sequence, d.integer(version), recipientInfos, eci);
  return { pieces: d.tlvPieces(d.TAG.sequence, d.oid(CMS.envelopedData), d.tlvPieces(d.TAG.explicit0, ed)), gcm };
}

/** Encrypts a complete MIME entity; returns the application/pkcs7-mime entity (after `before`, when given). */
export async function smimeEncrypt(inner: Uint8Array, recipients: readonly EncryptRecipient[], before?: Uint8Array): Promise<Uint8Array> {
  try {
    const { pieces, gcm } = await encryptCmsPieces(inner, recipients);
    return pkcs7MimeEntity(gcm ? "authEnveloped-data" : "enveloped-data", pieces, before);
  } catch (e) {
    throw asSealbirdError(e, "internal", "The message could not be encrypted.");
  }
}
