/**
 * Certification path building for S/MIME signers: from the signer's certificate up through
 * the certificates the message and the user's store offer, to one of the user's trust anchors.
 * Every link is a verified signature by a CA certificate (basicConstraints cA, keyCertSign
 * where keyUsage is present). Validity is judged at the given time (the signing time).
 */
import * as pkijs from "pkijs";
import { bytesEqual } from "../bytes.js";
import { certAuthorityKeyId, certIsCA, certKeyUsage, certSubjectKeyId, nameToString, parseCertificate } from "./certificate.js";
import { verifyIssuedBy } from "./signature.js";

export interface PathProblem {
  code: "no-trust-path" | "cert-expired" | "cert-not-yet-valid" | "path-too-long";
  message: string;
}

export interface CertPath {
  /** DER certificates, signer first; the last is the anchor when `trusted`. */
  chain: Uint8Array[];
  trusted: boolean;
  problems: PathProblem[];
}

const MAX_PATH = 8;

interface Candidate {
  der: Uint8Array;
  cert: pkijs.Certificate;
  anchor: boolean;
}

function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  return a.isEqual(b) || nameToString(a) === nameToString(b);
}

function parseAll(ders: readonly Uint8Array[], anchor: boolean): Candidate[] {
  const out: Candidate[] = [];
  for (const der of ders) {
    try {
      out.push({ der, cert: parseCertificate(der), anchor });
    } catch {
      // A broken extra certificate in a message must not break the path through the others.
    }
  }
  return out;
}

export async function buildPath(leafDer: Uint8Array, pool: readonly Uint8Array[], anchors: readonly Uint8Array[], at: Date): Promise<CertPath> {
  const anchorCands = parseAll(anchors, true);
  const candidates = [...anchorCands, ...parseAll(pool, false)];
  const chain: Uint8Array[] = [leafDer];
  const certs: pkijs.Certificate[] = [parseCertificate(leafDer)];
  let trusted = anchorCands.some((a) => bytesEqual(a.der, leafDer));
  while (!trusted) {
    if (chain.length > MAX_PATH) {
      return finish(chain, certs, false, at, [{ code: "path-too-long", message: "The certificate chain is too long." }]);
    }
    const cur = certs[certs.length - 1]!;
    const aki = certAuthorityKeyId(cur);
    let next: Candidate | undefined;
    for (const c of candidates) {
      if (chain.some((d) => bytesEqual(d, c.der))) continue;
      if (!sameName(c.cert.subject, cur.issuer)) continue;
      const ski = certSubjectKeyId(c.cert);
      if (aki && ski && !bytesEqual(aki, ski)) continue;
      // An issuer must be a CA; anchors are trusted as configured by the user.
      if (!c.anchor) {
        if (!certIsCA(c.cert)) continue;
        const ku = certKeyUsage(c.cert);
        if (ku && !ku.includes("keyCertSign")) continue;
      }
      if (!(await verifyIssuedBy(cur, c.cert))) continue;
      if (!next || (c.anchor && !next.anchor)) next = c;
      if (next.anchor) break;
    }
    if (!next) break;
    chain.push(next.der);
    certs.push(next.cert);
    if (next.anchor) trusted = true;
  }
  const problems: PathProblem[] = [];
  if (!trusted) {
    const top = certs[certs.length - 1]!;
    problems.push({
      code: "no-trust-path",
      message: sameName(top.subject, top.issuer)
        ? `The certificate chain ends in "${nameToString(top.subject)}", which is not one of your trusted certificates.`
        : `The issuer "${nameToString(top.issuer)}" is unknown: the chain does not reach a trusted certificate.`,
    });
  }
  return finish(chain, certs, trusted, at, problems);
}

function finish(chain: Uint8Array[], certs: pkijs.Certificate[], trusted: boolean, at: Date, problems: PathProblem[]): CertPath {
  for (const c of certs) {
    const name = nameToString(c.subject);
    if (at < c.notBefore.value) problems.push({ code: "cert-not-yet-valid", message: `"${name}" is not valid before ${c.notBefore.value.toISOString()}.` });
    else if (at > c.notAfter.value) problems.push({ code: "cert-expired", message: `"${name}" expired on ${c.notAfter.value.toISOString()}.` });
  }
  return { chain, trusted, problems };
}
