/** IssuerAndSerialNumber taken byte-exact from a certificate (re-encoding a Name can change it). */
import * as A from "./asn1.js";
import * as d from "./der.js";

export function issuerAndSerial(certDer: Uint8Array): Uint8Array {
  const [tbs] = A.expectSeq(A.parseBer(certDer, "cert-malformed"), "cert-malformed");
  const f = A.expectSeq(tbs, "cert-malformed");
  const k = A.isContext(f[0], 0) ? 1 : 0; // [0] version
  return d.seq(A.raw(f[k + 2]!), A.raw(f[k]!));
}
