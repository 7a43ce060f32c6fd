/**
 * Revocation data: reading one OCSP response or CRL about one certificate. A CRL or OCSP
 * response counts only if it is signed by the certificate's issuer (or, for OCSP, by a
 * responder the issuer delegated with id-kp-OCSPSigning) and is fresh — pkijs parses these but
 * checks none of that, so we do. `checkRevocation` judges data the caller supplies (files,
 * CRLs in the message); ./online-revocation.ts fetches it.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { bytesEqual, toArrayBuffer } from "../bytes.js";
import { parseBounded } from "../asn1/bounded-ber.js";
import { certExtKeyUsageOids, OID, parseCertificate } from "./certificate.js";
import { hashForOid, verifyIssuedBy, verifySignature } from "./signature.js";
import { trimSerial } from "./serial.js";

export interface RevocationResult {
  status: "good" | "revoked" | "unknown";
  /** Where the answer came from, for the reason text. */
  source?: "crl" | "ocsp";
  revokedAt?: Date;
}

/** What one verified OCSP response or CRL says about one certificate. */
export interface RevocationAnswer extends RevocationResult {
  source: "crl" | "ocsp";
  thisUpdate: Date;
  /** Until when the answer may be kept; absent when the issuer gives no date. */
  nextUpdate?: Date;
}

/** OCSP clocks drift; RFC 6960 leaves skew to local policy. */
const SKEW_MS = 5 * 60 * 1000;
/** An OCSP answer without nextUpdate is only believed this long after it was produced. */
const NO_NEXT_UPDATE_MS = 24 * 3600 * 1000;
/** CRLs of large CAs run to a few MB; more is not a CRL we want in memory. */
const CRL_LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 24, maxNodes: 4_000_000 };
const OCSP_LIMITS = { maxBytes: 256 * 1024, maxDepth: 24, maxNodes: 20_000 };

const unverified = (message: string): SealbirdError => new SealbirdError("revocation-unverified", message);
const malformed = (what: string, cause?: unknown): SealbirdError =>
  new SealbirdError("network-malformed", `The ${what} could not be read.`, {}, cause === undefined ? undefined : { cause });

export async function checkRevocation(
  certDer: Uint8Array,
  issuerDer: Uint8Array,
  crls: readonly Uint8Array[],
  ocspResponses: readonly Uint8Array[],
  now: Date,
): Promise<RevocationResult> {
  const cert = parseCertificate(certDer);
  const issuer = parseCertificate(issuerDer);
  let good: RevocationResult | undefined;
  for (const der of ocspResponses) {
    const r = await evaluateOcsp(der, cert, issuer, now).catch(() => undefined);
    if (r?.status === "revoked") return r;
    if (r?.status === "good") good ??= r;
  }
  for (const der of crls) {
    const r = await evaluateCrl(der, cert, issuer, now).catch(() => undefined);
    if (r?.status === "revoked") return r;
    if (r?.status === "good") good ??= r;
  }
  return good ? { status: "good", source: good.source } : { status: "unknown" };
}

/**
 * What a CRL says about `cert`. Throws `revocation-unverified` for a CRL of another issuer, with
 * a bad signature or (unless it lists the certificate: a revocation stays true) past its
 * nextUpdate; `network-malformed` for what is not a CRL.
 */
export async function evaluateCrl(der: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate, now: Date): Promise<RevocationAnswer> {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: parseBounded(der, CRL_LIMITS, "The CRL", "network-malformed") });
  } catch (e) {
    throw e instanceof SealbirdError && e.code === "input-too-large" ? e : malformed("CRL", e);
  }
  if (!crl.issuer.isEqual(cert.issuer)) throw unverified("The CRL is from another issuer.");
  const ok = await verifySignature({
    spki: issuer.subjectPublicKeyInfo,
    algorithmOid: crl.signatureAlgorithm.algorithmId,
    algorithmParams: crl.signatureAlgorithm.algorithmParams,
    data: crl.tbsView,
    signature: crl.signatureValue.valueBlock.valueHexView,
  }).catch(() => false);
  if (!ok) throw unverified("The CRL is not signed by the certificate's issuer.");
  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value;
  const serial = trimSerial(cert.serialNumber.valueBlock.valueHexView);
  for (const rc of crl.revokedCertificates ?? []) {
    if (bytesEqual(trimSerial(rc.userCertificate.valueBlock.valueHexView), serial)) {
      return { status: "revoked", source: "crl", revokedAt: rc.revocationDate.value, thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) };
    }
  }
  if (thisUpdate.getTime() > now.getTime() + SKEW_MS) throw unverified("The CRL is dated in the future.");
  if (nextUpdate && nextUpdate.getTime() < now.getTime() - SKEW_MS) throw unverified(`The CRL is out of date (next update was due ${nextUpdate.toISOString()}).`);
  return { status: "good", source: "crl", thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) };
}

async function digest(hashOid: string, data: Uint8Array): Promise<Uint8Array | undefined> {
  const hash = hashForOid(hashOid);
  return hash ? new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(data))) : undefined;
}

/** The CertID an OCSP request names `cert` by (SHA-1, as RFC 5019 responders expect). */
export async function ocspCertId(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<pkijs.CertID> {
  const sha1 = OID.sha1;
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: sha1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer((await digest(sha1, new Uint8Array(issuer.subject.toSchema().toBER())))!) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer((await digest(sha1, issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))!) }),
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(cert.serialNumber.valueBlock.valueHexView) }),
  });
}

/** A DER OCSPRequest for one certificate, without nonce (answers are cached until nextUpdate anyway). */
export async function buildOcspRequest(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<Uint8Array> {
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: await ocspCertId(cert, issuer) })];
  return new Uint8Array(req.toSchema(true).toBER());
}

/**
 * What an OCSP response says about `cert`. Throws `revocation-unverified` for an answer that is
 * not about this certificate, not signed by the issuer or a responder it delegated, or not
 * fresh; `network-malformed` for what is not an OCSP response.
 */
export async function evaluateOcsp(der: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate, now: Date): Promise<RevocationAnswer> {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const resp = new pkijs.OCSPResponse({ schema: parseBounded(der, OCSP_LIMITS, "The OCSP response", "network-malformed") });
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) throw unverified(`The OCSP responder refused to answer (status ${code}).`);
    if (!resp.responseBytes || resp.responseBytes.responseType !== "1.3.6.1.5.5.7.48.1.1") throw malformed("OCSP response");
    basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(resp.responseBytes.response.valueBlock.valueHexView));
  } catch (e) {
    throw e instanceof SealbirdError ? e : malformed("OCSP response", e);
  }
  const data = basic.tbsResponseData;
  const serial = trimSerial(cert.serialNumber.valueBlock.valueHexView);

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
  if (!single) throw unverified("The OCSP response is about another certificate.");

  // Freshness: thisUpdate not in the future, nextUpdate not passed.
  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate;
  if (thisUpdate.getTime() > now.getTime() + SKEW_MS) throw unverified("The OCSP response is dated in the future.");
  if (nextUpdate && nextUpdate.getTime() < now.getTime() - SKEW_MS) throw unverified("The OCSP response is out of date.");
  // Without nextUpdate the responder claims "newer information is always available": only
  // accept it if it was produced recently.
  if (!nextUpdate && now.getTime() - thisUpdate.getTime() > NO_NEXT_UPDATE_MS) throw unverified("The OCSP response is out of date.");

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
  if (!signed) throw unverified("The OCSP response is not signed by the issuer or a responder it authorised.");

  const dates = { thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) };
  const status = single.certStatus as asn1js.AsnType;
  if (status.idBlock.tagClass === 3 && status.idBlock.tagNumber === 0) return { status: "good", source: "ocsp", ...dates };
  if (status.idBlock.tagClass === 3 && status.idBlock.tagNumber === 1) {
    const revokedAt = revocationTime(status);
    return { status: "revoked", source: "ocsp", ...dates, ...(revokedAt ? { revokedAt } : {}) };
  }
  return { status: "unknown", source: "ocsp", ...dates };
}

/** RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, ... } under an implicit [1]. */
function revocationTime(status: asn1js.AsnType): Date | undefined {
  const first = (status as asn1js.Constructed).valueBlock?.value?.[0];
  return first instanceof asn1js.GeneralizedTime ? first.toDate() : undefined;
}

function responderMatches(responderID: unknown, cert: pkijs.Certificate): boolean {
  if (responderID instanceof pkijs.RelativeDistinguishedNames) return responderID.isEqual(cert.subject);
  // byKey: SHA-1 of the key; checked by the signature anyway, so any key-hash form is accepted here.
  return responderID instanceof asn1js.OctetString;
}
