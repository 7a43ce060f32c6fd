/**
 * Whether a signer's addresses bind the message's author (see ../message/author.ts): the one
 * rule both protocol engines apply, so S/MIME and OpenPGP agree on `mismatch`.
 */
import type { StatusReason } from "./message-status.js";

export interface AuthorClaim {
  /** The author's address from the From field, when it names one. */
  from?: string;
  /** Why the From field cannot name an author (no-from, multiple-from, display-name-address). */
  fromProblem?: StatusReason;
}

export interface Binding {
  /** The author's address (lowercased) when the signer binds it. */
  matched?: string;
  /** Why the signature cannot be credited to the author; absent when it can. */
  reason?: StatusReason;
}

/** `emails`: every address the certificate or key binds, lowercased. */
export function bindSigner(emails: readonly string[], claim: AuthorClaim): Binding {
  const from = claim.from?.toLowerCase();
  const matched = from && emails.includes(from) ? from : undefined;
  const out: Binding = matched ? { matched } : {};
  if (claim.fromProblem) out.reason = claim.fromProblem;
  else if (!from) out.reason = { code: "no-from", message: "The message has no From address to compare the signer with." };
  else if (!matched) out.reason = { code: "from-mismatch", message: `The message is from ${claim.from}, but the signer's certificate or key is for ${emails.join(", ") || "no e-mail address"}.` };
  return out;
}
