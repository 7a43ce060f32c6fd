/**
 * The certificates of a "certs-only" CMS SignedData (RFC 8551 3.6), as LDAP directories store
 * them in userSMIMECertificate and as application/pkcs7-mime; smime-type=certs-only carries
 * them. Signatures, if any, are ignored: the certificates are judged on their own.
 */
import * as A from "./asn1.js";
import { CMS } from "./oids.js";

export function certificatesOfCertsOnly(der: Uint8Array): Uint8Array[] {
  const ci = A.readContentInfo(der);
  if (ci.contentType !== CMS.signedData) A.fail("cert-malformed", "Not a CMS SignedData.");
  const out: Uint8Array[] = [];
  for (const n of A.expectSeq(ci.content, "cert-malformed")) {
    if (n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 0) {
      for (const c of A.children(n, "cert-malformed")) if (A.isUniversal(c, A.TAG.SEQUENCE)) out.push(A.raw(c));
    }
  }
  return out;
}
