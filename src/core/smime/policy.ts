/**
 * From "the maths checks out" to what the user is told: the signature status of the model
 * (../status/message-status.ts). `valid` only when every check passes; otherwise every failed
 * check is a reason and the state is the most severe one.
 */
import { OID, certEmails, certExtKeyUsageOids, certKeyUsage, parseCertificate, publicKeyFacts, summarize } from "../cert/certificate.js";
import { buildPath } from "../cert/path.js";
import { checkRevocation } from "../cert/revocation.js";
import { checkPathOnline } from "../cert/online-revocation.js";
import { signatureHash } from "../cert/signature.js";
import { fingerprint } from "../cert/certificate.js";
import type { SignatureState, SignatureStatus, StatusReason, CertificateSummary } from "../status/message-status.js";
import { bindSigner, type AuthorClaim } from "../status/sender-binding.js";
import { SEVERITY, mostSevere } from "../status/severity.js";
import type { SmimeContext } from "./context.js";
import type { SignedDataResult, SignerVerification } from "./signed-data.js";


export interface JudgeSmimeOptions extends AuthorClaim {
  now?: Date;
}

interface Judged {
  status: SignatureStatus;
  signer: SignerVerification;
}

/** Judges each signer; the message's status is the best one (a second, broken signer does not spoil a good one). */
export async function judgeSignedData(sd: SignedDataResult, ctx: SmimeContext, opts: JudgeSmimeOptions): Promise<Judged> {
  const judged: Judged[] = [];
  for (const signer of sd.signers) judged.push({ signer, status: await judgeSigner(signer, sd, ctx, opts) });
  judged.sort((a, b) => SEVERITY.indexOf(b.status.state) - SEVERITY.indexOf(a.status.state));
  return judged[0]!;
}

async function judgeSigner(
  signer: SignerVerification,
  sd: SignedDataResult,
  ctx: SmimeContext,
  opts: JudgeSmimeOptions,
): Promise<SignatureStatus> {
  const reasons: (StatusReason & { state: SignatureState })[] = [];
  const add = (state: SignatureState, code: string, message: string): void => {
    reasons.push({ state, code, message });
  };
  const status: SignatureStatus = {
    state: "valid",
    protocol: "smime",
    digestAlgorithm: signer.digestAlgorithm,
    signatureAlgorithm: signer.signatureAlgorithm,
    reasons: [],
  };
  if (opts.from) status.from = opts.from.toLowerCase();
  if (signer.signingTime) status.signingTime = signer.signingTime.toISOString();
  const at = signer.signingTime ?? opts.now ?? new Date();
  const now = opts.now ?? new Date();

  if (signer.error) add(signer.error.code === "unsupported-algorithm" ? "invalid" : "invalid", signer.error.code, signer.error.message);
  else if (!signer.digestMatches) add("invalid", "digest-mismatch", "The message was changed after it was signed (content digest does not match).");

  if (!signer.certificate) {
    add("unknown-signer", "no-signer-cert", `The signer's certificate (${signer.sid}) is not in the message and not known.`);
    status.signer = { emails: [], keyId: signer.sid };
    return finish(status, reasons);
  }
  const certDer = signer.certificate;
  const cert = parseCertificate(certDer);
  const emails = certEmails(cert);
  const cn = cert.subject.typesAndValues.find((tv) => tv.type === "2.5.4.3");
  status.signer = { emails, fingerprint: fingerprint(certDer), keyId: signer.sid };
  const cnValue = (cn?.value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  if (typeof cnValue === "string") status.signer.name = cnValue;
  const binding = bindSigner(emails, opts);
  const shownEmail = binding.matched ?? emails[0];
  if (shownEmail) status.signer.email = shownEmail;

  if (!signer.error && signer.digestMatches && !signer.signatureVerifies) {
    add("invalid", "signature-invalid", "The signature does not verify with the signer's certificate.");
  }

  // Weak algorithms: SHA-1 (collisions are practical) and RSA keys under 2048 bits.
  const hash = signatureHash(signer.signatureAlgorithmOid, signer.digestAlgorithmOid);
  if (signer.digestAlgorithm === "SHA-1" || hash === "SHA-1") add("weak", "weak-digest", "The signature uses SHA-1, which is no longer secure.");
  const key = publicKeyFacts(cert);
  if (key.rsaBits !== undefined && key.rsaBits < 2048) add("weak", "weak-key", `The signer's RSA key has only ${key.rsaBits} bits.`);

  // Certification path, validity at signing time.
  const pool = [...sd.certificates, ...ctx.knownCertificates, ...ctx.identities.flatMap((i) => [i.certificate, ...i.chain])];
  const path = await buildPath(certDer, pool, ctx.trustAnchors, at);
  status.chain = path.chain.map((c) => safeSummary(c)).filter((c): c is CertificateSummary => !!c);
  for (const p of path.problems) {
    if (p.code === "cert-expired" || p.code === "cert-not-yet-valid") add("expired", p.code, p.message);
    else add("untrusted", p.code, p.message);
  }

  // Key usage and extended key usage of the signer certificate.
  const ku = certKeyUsage(cert);
  if (ku && !ku.includes("digitalSignature") && !ku.includes("nonRepudiation")) {
    add("untrusted", "cert-wrong-usage", "The signer's certificate is not allowed to sign (key usage).");
  }
  const eku = certExtKeyUsageOids(cert);
  if (eku && !eku.includes(OID.kpEmailProtection) && !eku.includes(OID.anyExtendedKeyUsage)) {
    add("untrusted", "cert-wrong-usage", "The signer's certificate is not issued for e-mail (extended key usage).");
  }

  // The message's one author must be an address the certificate binds.
  if (binding.reason) add("mismatch", binding.reason.code, binding.reason.message);

  // Revocation of every non-anchor certificate on the path: supplied data (files, CRLs in the
  // message), then — for a path to a trust anchor only, so a forged certificate cannot make us
  // call an address of its choosing — OCSP and CRLs on the network (ctx.revocation).
  const crls = [...(ctx.crls ?? []), ...sd.crls];
  const ocsp = ctx.ocspResponses ?? [];
  if (path.trusted && (ctx.revocation || crls.length || ocsp.length)) {
    const online = ctx.revocation ?? { mode: "off" as const };
    const r = await checkPathOnline(path.chain, online, now, { crls, ocsp });
    status.revocation = { mode: online.mode, checkedAt: now.toISOString(), state: r.state, certificates: r.certificates };
    const revoked = r.certificates.findIndex((c) => c.status === "revoked");
    if (revoked >= 0) {
      const c = r.certificates[revoked]!;
      const who = revoked === 0 ? "The signer's certificate" : "A certificate in the chain";
      add("revoked", "cert-revoked", `${who} has been revoked${c.revokedAt ? ` (${c.revokedAt})` : ""} according to the ${c.method === "ocsp" ? "OCSP response" : "CRL"}.`);
    } else if (r.state === "not-checked" && online.mode === "hard-fail") {
      add("untrusted", "revocation-not-checked", "The revocation of the signer's certificate could not be checked, and your settings require it.");
    }
  } else if (crls.length || ocsp.length) {
    for (let k = 0; k + 1 < path.chain.length; k++) {
      const r = await checkRevocation(path.chain[k]!, path.chain[k + 1]!, crls, ocsp, now).catch(() => undefined);
      if (r?.status === "revoked") {
        const who = k === 0 ? "The signer's certificate" : "A certificate in the chain";
        add("revoked", "cert-revoked", `${who} has been revoked${r.revokedAt ? ` (${r.revokedAt.toISOString()})` : ""} according to the ${r.source === "ocsp" ? "OCSP response" : "CRL"}.`);
        break;
      }
    }
  }
  return finish(status, reasons);
}

function safeSummary(der: Uint8Array): CertificateSummary | undefined {
  try {
    return summarize(der);
  } catch {
    return undefined;
  }
}

function finish(status: SignatureStatus, reasons: (StatusReason & { state: SignatureState })[]): SignatureStatus {
  status.state = mostSevere(reasons.map((r) => r.state));
  status.reasons = reasons.map(({ code, message }) => ({ code, message }));
  return status;
}
