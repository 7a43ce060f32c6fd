/**
 * Writing S/MIME signatures: detached CMS SignedData (SHA-256, signingTime, sMIMECapabilities,
 * the signer's chain) in a multipart/signed entity. RSA keys sign with RSASSA-PKCS1-v1_5
 * (sha256WithRSAEncryption: what every client verifies), EC keys with ECDSA.
 */
import { asSealbirdError } from "../errors.js";
import { bufferSource, concatBytes, toArrayBuffer } from "../bytes.js";
import type { SmimeIdentity } from "./context.js";
import { issuerAndSerial } from "./cert-ids.js";
import { ourCapabilities } from "./capabilities.js";
import { importPrivate, pkcs8Kind } from "./keys.js";
import { multipartSigned } from "./mime-out.js";
import { CMS } from "./oids.js";
import * as d from "./der.js";

function attribute(type: string, value: Uint8Array): Uint8Array {
  return d.seq(d.oid(type), d.setOf(value));
}

/** ECDSA from WebCrypto is r||s; CMS wants ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs). */
function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return d.seq(d.integer(raw.subarray(0, half)), d.integer(raw.subarray(half)));
}

/** Detached (or, with `encapsulate`, opaque) SignedData over `content`, DER. */
export async function signCms(content: Uint8Array, signer: SmimeIdentity, opts: { encapsulate?: boolean; signingTime?: Date } = {}): Promise<Uint8Array> {
  const kind = pkcs8Kind(signer.privateKeyPkcs8);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bufferSource(content)));
  const signedAttrs = d.setOf(
    attribute(CMS.contentType, d.oid(CMS.data)),
    attribute(CMS.signingTime, d.time(opts.signingTime ?? new Date())),
    attribute(CMS.messageDigest, d.octetString(digest)),
    attribute(CMS.smimeCapabilities, ourCapabilities()),
  );
  let sigAlg: Uint8Array;
  let signature: Uint8Array;
  if (kind.type === "rsa") {
    const key = await importPrivate(signer.privateKeyPkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, ["sign"]);
    signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, toArrayBuffer(signedAttrs)));
    sigAlg = d.algorithm(CMS.sha256WithRsa, null);
  } else {
    const key = await importPrivate(signer.privateKeyPkcs8, { name: "ECDSA", namedCurve: kind.curve }, ["sign"]);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, toArrayBuffer(signedAttrs)));
    signature = ecdsaRawToDer(raw);
    sigAlg = d.algorithm(CMS.ecdsaSha256);
  }
  // In the SignerInfo the attributes are [0] IMPLICIT: same bytes, context tag.
  const implicitAttrs = signedAttrs.slice();
  implicitAttrs[0] = 0xa0;
  const signerInfo = d.seq(d.integer(1), issuerAndSerial(signer.certificate), d.algorithm(CMS.sha256), implicitAttrs, sigAlg, d.octetString(signature));
  // An encapsulated content is copied once, when the pieces are joined.
  const encap = opts.encapsulate ? d.tlvPieces(d.TAG.sequence, d.oid(CMS.data), d.tlvPieces(d.TAG.explicit0, d.tlvPieces(d.TAG.octetString, content))) : d.seq(d.oid(CMS.data));
  const signedData = d.tlvPieces(
    d.TAG.sequence,
    d.integer(1),
    d.setOf(d.algorithm(CMS.sha256)),
    encap,
    d.ctx(0, signer.certificate, ...signer.chain),
    d.setOf(signerInfo),
  );
  return concatBytes(d.tlvPieces(d.TAG.sequence, d.oid(CMS.signedData), d.tlvPieces(d.TAG.explicit0, signedData)));
}

/**
 * Signs a complete MIME entity (CRLF, as it will be transmitted; pieces as if joined) and
 * returns the multipart/signed entity with `inner` verbatim as its first part.
 */
export async function smimeSign(inner: Uint8Array | readonly Uint8Array[], signer: SmimeIdentity, before?: Uint8Array): Promise<Uint8Array> {
  try {
    // The SignedData holds the certificates, one SignerInfo (names, attributes, a signature
    // of at most 512 bytes) and small framing: 4 KB over the certificates covers it.
    let room = signer.certificate.length + 4096;
    for (const c of signer.chain) room += c.length;
    return await multipartSigned(inner instanceof Uint8Array ? [inner] : inner, (content) => signCms(content, signer), "sha-256", room, before);
  } catch (e) {
    throw asSealbirdError(e, "internal", "The message could not be signed.");
  }
}
