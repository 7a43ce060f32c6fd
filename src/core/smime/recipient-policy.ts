/**
 * May we encrypt to this certificate? The encryption side of the certificate policy: validity
 * now, the address, key usage for key transport/agreement, the path to a trust anchor and,
 * when asked for, revocation. Expired, not yet valid, revoked or unfit certificates are never
 * used; an untrusted path is reported (the composer says so) but not by itself a refusal, as
 * for certificates the user imported by hand.
 */
import { OID, certEmails, certExtKeyUsageOids, certKeyUsage, parseCertificate, publicKeyFacts } from "../cert/certificate.js";
import { buildPath } from "../cert/path.js";
import { checkPathOnline, type OnlineRevocation } from "../cert/online-revocation.js";
import type { RevocationStatus } from "../status/revocation-status.js";

export type RecipientProblem =
  | "cert-expired"
  | "cert-not-yet-valid"
  | "cert-revoked"
  | "cert-wrong-usage"
  | "cert-email-mismatch"
  | "no-trust-path"
  /** Hard-fail mode and the revocation could not be checked. */
  | "revocation-not-checked";

/** Problems that forbid encrypting to the certificate. */
const BLOCKING: ReadonlySet<RecipientProblem> = new Set(["cert-expired", "cert-not-yet-valid", "cert-revoked", "cert-wrong-usage", "cert-email-mismatch", "revocation-not-checked"]);

export interface RecipientJudgement {
  usable: boolean;
  /** A path to one of the user's trust anchors exists. */
  trusted: boolean;
  problems: RecipientProblem[];
  /** Present when revocation was looked at (trusted paths only). */
  revocation?: RevocationStatus;
}

export interface RecipientCheckOptions {
  /** The recipient's address; the certificate must bind it. */
  email?: string;
  /** Intermediates (the record's chain, known certificates). */
  pool: readonly Uint8Array[];
  anchors: readonly Uint8Array[];
  now?: Date;
  revocation?: OnlineRevocation;
}

export async function judgeRecipientCertificate(der: Uint8Array, opts: RecipientCheckOptions): Promise<RecipientJudgement> {
  const now = opts.now ?? new Date();
  const cert = parseCertificate(der);
  const problems: RecipientProblem[] = [];
  if (now < cert.notBefore.value) problems.push("cert-not-yet-valid");
  if (now > cert.notAfter.value) problems.push("cert-expired");
  if (opts.email && !certEmails(cert).includes(opts.email.toLowerCase())) problems.push("cert-email-mismatch");

  // RSA transports the content key (keyEncipherment); EC agrees on one (keyAgreement).
  const ku = certKeyUsage(cert);
  const needed = publicKeyFacts(cert).publicKeyAlgorithm === "ec" ? "keyAgreement" : "keyEncipherment";
  const eku = certExtKeyUsageOids(cert);
  if ((ku && !ku.includes(needed)) || (eku && !eku.includes(OID.kpEmailProtection) && !eku.includes(OID.anyExtendedKeyUsage))) problems.push("cert-wrong-usage");

  const path = await buildPath(der, opts.pool, opts.anchors, now);
  if (!path.trusted) problems.push("no-trust-path");
  if (path.problems.some((p) => p.code === "cert-expired" || p.code === "cert-not-yet-valid") && !problems.includes("cert-expired")) problems.push("cert-expired");

  const out: RecipientJudgement = { usable: true, trusted: path.trusted, problems };
  if (path.trusted && opts.revocation && !problems.some((p) => BLOCKING.has(p))) {
    const r = await checkPathOnline(path.chain, opts.revocation, now);
    out.revocation = { mode: opts.revocation.mode, checkedAt: now.toISOString(), state: r.state, certificates: r.certificates };
    if (r.state === "revoked") problems.push("cert-revoked");
    else if (r.state === "not-checked" && opts.revocation.mode === "hard-fail") problems.push("revocation-not-checked");
  }
  out.usable = !problems.some((p) => BLOCKING.has(p));
  return out;
}
