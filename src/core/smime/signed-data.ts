/**
 * Reading and cryptographically verifying CMS SignedData (RFC 5652 5): digest of the content
 * against the messageDigest attribute, and the signature over the DER signed attributes.
 * Trust decisions (path, validity, usage, From address, revocation) are in policy.ts.
 */
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { bufferSource, bytesEqual, toHex } from "../bytes.js";
import { nameToString, parseCertificate } from "../cert/certificate.js";
import { verifySignature } from "../cert/signature.js";
import { trimSerial } from "../cert/serial.js";
import * as A from "./asn1.js";
import { DIGEST_NAMES } from "../oids.js";
import { CMS, algorithmName } from "./oids.js";
import { parseCapabilities, type SmimeCapabilities } from "./capabilities.js";
import * as d from "./der.js";

export interface SignerVerification {
  /** "issuer CN=…, serial 1a2b" or "SKI 0a1b…". */
  sid: string;
  /** The signer's certificate when found (message certificates, then the caller's pool). */
  certificate?: Uint8Array;
  digestAlgorithmOid: string;
  digestAlgorithm: string;
  signatureAlgorithmOid: string;
  signatureAlgorithm: string;
  /** messageDigest attribute equals the content digest (true when there are no signed attrs). */
  digestMatches: boolean;
  /** The signature verifies with the certificate's key (false when there is no certificate). */
  signatureVerifies: boolean;
  signingTime?: Date;
  capabilities?: SmimeCapabilities;
  /** A problem that made checking impossible (unsupported algorithm…). */
  error?: { code: string; message: string };
}

export interface SignedDataResult {
  contentType: string;
  /** The encapsulated content (opaque signing) or the detached content passed in. */
  content: Uint8Array;
  certificates: Uint8Array[];
  crls: Uint8Array[];
  signers: SignerVerification[];
}

interface Sid {
  issuer?: A.Node;
  serial?: Uint8Array;
  ski?: Uint8Array;
}

async function digest(hashOid: string, data: Uint8Array): Promise<Uint8Array> {
  const hash = DIGEST_NAMES[hashOid];
  if (!hash) throw new SealbirdError("unsupported-algorithm", `Digest algorithm ${algorithmName(hashOid)} is not supported.`);
  return new Uint8Array(await crypto.subtle.digest(hash, bufferSource(data)));
}

function certMatches(cert: pkijs.Certificate, sid: Sid, skiOf: (c: pkijs.Certificate) => Uint8Array | undefined): boolean {
  if (sid.ski) {
    const ski = skiOf(cert);
    return !!ski && bytesEqual(ski, sid.ski);
  }
  if (!sid.issuer || !sid.serial) return false;
  if (!bytesEqual(trimSerial(cert.serialNumber.valueBlock.valueHexView), trimSerial(sid.serial))) return false;
  const issuer = new pkijs.RelativeDistinguishedNames({ schema: sid.issuer });
  return cert.issuer.isEqual(issuer);
}

function subjectKeyId(c: pkijs.Certificate): Uint8Array | undefined {
  const ext = c.extensions?.find((e) => e.extnID === "2.5.29.14");
  return (ext?.parsedValue as { valueBlock?: { valueHexView?: Uint8Array } } | undefined)?.valueBlock?.valueHexView;
}

export function sidText(sid: Sid): string {
  if (sid.ski) return `SKI ${toHex(sid.ski)}`;
  let issuer = "?";
  try {
    issuer = nameToString(new pkijs.RelativeDistinguishedNames({ schema: sid.issuer }));
  } catch {
    // keep "?"
  }
  return `issuer ${issuer}, serial ${toHex(trimSerial(sid.serial ?? new Uint8Array(0)))}`;
}

/** SignerIdentifier / RecipientIdentifier: IssuerAndSerialNumber or [0] SubjectKeyIdentifier. */
export function readSid(n: A.Node | undefined): Sid {
  if (A.isContext(n, 0)) return { ski: A.contents(n) };
  const [issuer, serial] = A.expectSeq(n);
  return { issuer, serial: A.integerBytes(serial) };
}

export function findCertificate(sid: Sid, pool: readonly Uint8Array[]): Uint8Array | undefined {
  for (const der of pool) {
    try {
      if (certMatches(parseCertificate(der), sid, subjectKeyId)) return der;
    } catch {
      // skip unreadable certificates
    }
  }
  return undefined;
}

/**
 * @param der ContentInfo(SignedData), BER accepted.
 * @param detached the signed content for a detached signature (multipart/signed first part).
 * @param extraCerts certificates to look the signer up in when the message carries none.
 */
export async function verifySignedData(der: Uint8Array, detached: Uint8Array | undefined, extraCerts: readonly Uint8Array[]): Promise<SignedDataResult> {
  const ci = A.readContentInfo(der);
  if (ci.contentType !== CMS.signedData) A.fail("signature-malformed", "Not a CMS SignedData.");
  const items = A.expectSeq(ci.content, "signature-malformed");
  let i = 0;
  A.smallInt(items[i++]); // version
  if (!A.isUniversal(items[i++], A.TAG.SET)) A.fail("signature-malformed", "SignedData without digestAlgorithms.");
  const [eType, eContentWrap] = A.expectSeq(items[i++], "signature-malformed");
  const contentType = A.oid(eType);
  let content: Uint8Array | undefined;
  if (eContentWrap) {
    if (!A.isContext(eContentWrap, 0)) A.fail("signature-malformed", "Bad encapsulated content.");
    content = A.octets(A.children(eContentWrap)[0], "signature-malformed");
  }
  if (detached) {
    if (content && content.length > 0) A.fail("signature-malformed", "Signature carries content and also signs a detached part.");
    content = detached;
  }
  if (!content) A.fail("signature-malformed", "The signature does not include the signed content.");

  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  while (items[i] && items[i]!.idBlock.tagClass === 3) {
    const n = items[i++]!;
    if (n.idBlock.tagNumber === 0) {
      for (const c of A.children(n)) if (A.isUniversal(c, A.TAG.SEQUENCE)) certificates.push(A.raw(c));
    } else if (n.idBlock.tagNumber === 1) {
      for (const c of A.children(n)) if (A.isUniversal(c, A.TAG.SEQUENCE)) crls.push(A.raw(c));
    }
  }
  const signerInfos = items[i];
  if (!A.isUniversal(signerInfos, A.TAG.SET)) A.fail("signature-malformed", "SignedData without signerInfos.");
  const pool = [...certificates, ...extraCerts];
  const digestCache = new Map<string, Promise<Uint8Array>>();
  const signers: SignerVerification[] = [];
  for (const si of A.children(signerInfos)) {
    signers.push(await verifySignerInfo(si, contentType, content, pool, digestCache));
  }
  if (signers.length === 0) A.fail("signature-malformed", "The signature has no signer.");
  return { contentType, content, certificates, crls, signers };
}

async function verifySignerInfo(
  si: A.Node,
  contentType: string,
  content: Uint8Array,
  pool: readonly Uint8Array[],
  digestCache: Map<string, Promise<Uint8Array>>,
): Promise<SignerVerification> {
  const f = A.expectSeq(si, "signature-malformed");
  let i = 1; // version
  const sid = readSid(f[i++]);
  const digestAlg = A.algId(f[i++], "signature-malformed");
  let signedAttrs: A.Node | undefined;
  if (A.isContext(f[i], 0)) signedAttrs = f[i++];
  const sigAlg = A.algId(f[i++], "signature-malformed");
  const signature = A.octets(f[i], "signature-malformed");
  const result: SignerVerification = {
    sid: sidText(sid),
    digestAlgorithmOid: digestAlg.oid,
    digestAlgorithm: algorithmName(digestAlg.oid),
    signatureAlgorithmOid: sigAlg.oid,
    signatureAlgorithm: algorithmName(sigAlg.oid),
    digestMatches: false,
    signatureVerifies: false,
  };
  const cert = findCertificate(sid, pool);
  if (cert) result.certificate = cert;
  try {
    let cached = digestCache.get(digestAlg.oid);
    if (!cached) {
      cached = digest(digestAlg.oid, content);
      digestCache.set(digestAlg.oid, cached);
    }
    const contentDigest = await cached;
    let signedBytes: Uint8Array;
    if (signedAttrs) {
      let messageDigest: Uint8Array | undefined;
      let attrContentType: string | undefined;
      for (const attr of A.children(signedAttrs)) {
        const [t, values] = A.expectSeq(attr);
        const type = A.oid(t);
        const v = A.children(values)[0];
        if (type === CMS.messageDigest) messageDigest = A.octets(v);
        else if (type === CMS.contentType) attrContentType = A.oid(v);
        else if (type === CMS.signingTime) result.signingTime = A.time(v);
        else if (type === CMS.smimeCapabilities && v) {
          try {
            result.capabilities = parseCapabilities(v);
          } catch {
            // A malformed capability list only means we know nothing about them.
          }
        }
      }
      result.digestMatches = !!messageDigest && bytesEqual(messageDigest, contentDigest) && attrContentType === contentType;
      signedBytes = derSignedAttrs(signedAttrs);
    } else {
      // Without signed attributes the signature is over the content itself (only for id-data).
      result.digestMatches = contentType === CMS.data;
      signedBytes = content;
    }
    if (cert) {
      result.signatureVerifies = await verifySignature({
        spki: parseCertificate(cert).subjectPublicKeyInfo,
        algorithmOid: sigAlg.oid,
        algorithmParams: sigAlg.params,
        digestOid: digestAlg.oid,
        data: signedBytes,
        signature,
      });
    }
  } catch (e) {
    const err = e instanceof SealbirdError ? e : new SealbirdError("signature-malformed", "The signature could not be checked.", {}, { cause: e });
    result.error = { code: err.code, message: err.message };
  }
  return result;
}

/**
 * The signature covers the DER encoding of the attributes with a SET tag (RFC 5652 5.4).
 * For definite-length input that is the input with its [0] tag replaced; BER-encoded
 * (indefinite) attribute sets are re-wrapped in a definite length.
 */
function derSignedAttrs(n: A.Node): Uint8Array {
  const rawBytes = A.raw(n);
  if (!n.lenBlock.isIndefiniteForm) {
    const out = rawBytes.slice();
    out[0] = 0x31;
    return out;
  }
  return d.setOf(...A.children(n).map(A.raw));
}
