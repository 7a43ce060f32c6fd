/**
 * Revocation: CRLs and OCSP responses the caller supplies (from the store or the message).
 * Nothing is fetched. A CRL or OCSP response counts only if it is signed by the certificate's
 * issuer (or, for OCSP, by a responder the issuer delegated with id-kp-OCSPSigning) and, for
 * OCSP, is fresh — pkijs parses these but checks none of that, so we do.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { bytesEqual, toArrayBuffer } from "../bytes.js";
import { certExtKeyUsageOids, OID, parseCertificate } from "./certificate.js";
import { hashForOid, verifyIssuedBy, verifySignature } from "./signature.js";
import { trimSerial } from "./serial.js";

export interface RevocationResult {
  status: "good" | "revoked" | "unknown";
  /** Where the answer came from, for the reason text. */
  source?: "crl" | "ocsp";
  revokedAt?: Date;
}

/** OCSP clocks drift; RFC 6960 leaves skew to local policy. */
const SKEW_MS = 5 * 60 * 1000;

export async function checkRevocation(
  certDer: Uint8Array,
  issuerDer: Uint8Array,
  crls: readonly Uint8Array[],
  ocspResponses: readonly Uint8Array[],
  now: Date,
): Promise<RevocationResult> {
  const cert = parseCertificate(certDer);
  const issuer = parseCertificate(issuerDer);
  const serial = trimSerial(cert.serialNumber.valueBlock.valueHexView);
  let good = false;
  for (const der of ocspResponses) {
    const r = await ocspStatus(der, cert, issuer, serial, now).catch(() => undefined);
    if (r?.status === "revoked") return r;
    if (r?.status === "good") good = true;
  }
  for (const der of crls) {
    const r = await crlStatus(der, cert, issuer, serial).catch(() => undefined);
    if (r?.status === "revoked") return r;
  }
  return good ? { status: "good", source: "ocsp" } : { status: "unknown" };
}

async function crlStatus(der: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate, serial: Uint8Array): Promise<RevocationResult | undefined> {
  const crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
  if (!crl.issuer.isEqual(cert.issuer)) return undefined;
  const ok = await verifySignature({
    spki: issuer.subjectPublicKeyInfo,
    algorithmOid: crl.signatureAlgorithm.algorithmId,
    algorithmParams: crl.signatureAlgorithm.algorithmParams,
    data: crl.tbsView,
    signature: crl.signatureValue.valueBlock.valueHexView,
  });
  if (!ok) return undefined;
  for (const rc of crl.revokedCertificates ?? []) {
    if (bytesEqual(trimSerial(rc.userCertificate.valueBlock.valueHexView), serial)) {
      return { status: "revoked", source: "crl", revokedAt: rc.revocationDate.value };
    }
  }
  return { status: "good", source: "crl" };
}

async function digest(hashOid: string, data: Uint8Array): Promise<Uint8Array | undefined> {
  const hash = hashForOid(hashOid);
  return hash ? new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(data))) : undefined;
}

async function ocspStatus(
  der: Uint8Array,
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  serial: Uint8Array,
  now: Date,
): Promise<RevocationResult | undefined> {
  const resp = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
  if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) return undefined;
  if (resp.responseBytes.responseType !== "1.3.6.1.5.5.7.48.1.1") return undefined;
  const basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(resp.responseBytes.response.valueBlock.valueHexView));
  const data = basic.tbsResponseData;

  // Find the SingleResponse about this certificate.
  let single: pkijs.SingleResponse | undefined;
  for (const s of data.responses) {
    if (!bytesEqual(trimSerial(s.certID.serialNumber.valueBlock.valueHexView), serial)) continue;
    const nameHash = await digest(s.certID.hashAlgorithm.algorithmId, new Uint8Array(issuer.subject.toSchema().toBER()));
    const keyHash = await digest(s.certID.hashAlgorithm.algorithmId, issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
    if (!nameHash || !keyHash) continue;
    if (bytesEqual(nameHash, s.certID.issuerNameHash.valueBlock.valueHexView) && bytesEqual(keyHash, s.certID.issuerKeyHash.valueBlock.valueHexView)) {
      single = s;
      break;
    }
  }
  if (!single) return undefined;

  // Freshness: thisUpdate not in the future, nextUpdate not passed.
  if (single.thisUpdate.getTime() > now.getTime() + SKEW_MS) return undefined;
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - SKEW_MS) return undefined;
  // Without nextUpdate the responder claims "newer information is always available": only
  // accept it if it was produced recently.
  if (!single.nextUpdate && now.getTime() - single.thisUpdate.getTime() > 24 * 3600 * 1000) return undefined;

  // The signer: the issuer itself, or a delegated responder certified by the issuer.
  const signers: pkijs.Certificate[] = [issuer];
  for (const c of basic.certs ?? []) {
    const eku = certExtKeyUsageOids(c);
    if (!eku?.includes(OID.kpOcspSigning)) continue;
    if (!c.issuer.isEqual(issuer.subject) || !(await verifyIssuedBy(c, issuer))) continue;
    const t = now.getTime();
    if (t < c.notBefore.value.getTime() || t > c.notAfter.value.getTime()) continue;
    signers.push(c);
  }
  let signed = false;
  for (const s of signers) {
    if (!responderMatches(data.responderID, s)) continue;
    if (
      await verifySignature({
        spki: s.subjectPublicKeyInfo,
        algorithmOid: basic.signatureAlgorithm.algorithmId,
        algorithmParams: basic.signatureAlgorithm.algorithmParams,
        data: data.tbsView,
        signature: basic.signature.valueBlock.valueHexView,
      }).catch(() => false)
    ) {
      signed = true;
      break;
    }
  }
  if (!signed) return undefined;

  const status = single.certStatus as asn1js.AsnType;
  if (status.idBlock.tagClass === 3 && status.idBlock.tagNumber === 0) return { status: "good", source: "ocsp" };
  if (status.idBlock.tagClass === 3 && status.idBlock.tagNumber === 1) return { status: "revoked", source: "ocsp" };
  return { status: "unknown", source: "ocsp" };
}

function responderMatches(responderID: unknown, cert: pkijs.Certificate): boolean {
  if (responderID instanceof pkijs.RelativeDistinguishedNames) return responderID.isEqual(cert.subject);
  // byKey: SHA-1 of the key; checked by the signature anyway, so any key-hash form is accepted here.
  return responderID instanceof asn1js.OctetString;
}

