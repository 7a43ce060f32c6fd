/**
 * The codes a status explains itself with. The popup shows each in words (`_locales` key
 * `reason_<code>` / `repair_<code>`, `-` as `_`; test/locales.test.ts checks both languages);
 * the engine's English message stays the detail (CLI, tooltip). Error codes (../errors.ts)
 * can also appear as reasons and use their `error_` words.
 */
export const SIGNATURE_REASON_CODES = [
  // Who wrote the message (../message/author.ts, ./sender-binding.ts)
  "no-from",
  "multiple-from",
  "display-name-address",
  "from-mismatch",
  "header-mismatch",
  // Which layer counts, and when it was signed (../message/layer-policy.ts, inspect.ts)
  "signature-over-signature",
  "date-mismatch",
  // The cryptography
  "bad-signature",
  "digest-mismatch",
  "signature-invalid",
  "signature-malformed",
  "hash-header-mismatch",
  "key-newer-than-signature",
  "signature-in-future",
  "key-not-valid",
  // The signer's certificate or key
  "unknown-signer",
  "no-signer-cert",
  "no-trust-path",
  "path-too-long",
  "cert-wrong-usage",
  "cert-expired",
  "cert-not-yet-valid",
  "key-expired",
  "signature-expired",
  "key-revoked",
  "cert-revoked",
  /** Hard-fail mode: the revocation could not be checked (../cert/online-revocation.ts). */
  "revocation-not-checked",
  // Algorithms
  "weak-hash",
  "weak-digest",
  "weak-key",
] as const;

export type SignatureReasonCode = (typeof SIGNATURE_REASON_CODES)[number];

/** Transport damage undone before a layer was opened (MessageStatus.repairs). */
export const REPAIR_CODES = ["exchange-pgp-mime", "armor-whitespace", "armor-in-html"] as const;

/** The _locales key for a reason or repair code. */
export function reasonKey(code: string): string {
  return `reason_${code.replace(/-/g, "_")}`;
}

export function repairKey(code: string): string {
  return `repair_${code.replace(/-/g, "_")}`;
}
