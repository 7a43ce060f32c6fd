/**
 * Why Encrypt and Sign are on or off for a composer, in words: one sentence each, the same in
 * the compose popup and in the tooltip of Sealbird's toolbar buttons. Pure (the caller passes
 * its translation function), so the popup page uses it too.
 */
import type { ComposeView } from "./types.js";

export type I18n = (key: string, subs?: string | string[]) => string;

const ENCRYPT_ON: Record<string, string> = {
  "reply-encrypted": "composeReasonReply",
  "domain-rule": "composeReasonRule",
  "all-have-keys": "composeReasonAllKeys",
  policy: "composeReasonPolicy",
  user: "composeReasonUser",
  thunderbird: "composeReasonThunderbird",
};
const ENCRYPT_OFF: Record<string, string> = {
  user: "composeOffUser",
  "no-recipients": "composeOffNoRecipients",
  "missing-keys": "composeOffMissing",
  policy: "composeOffPolicy",
  "thunderbird-own": "composeOffThunderbird",
};
const SIGN_ON: Record<string, string> = { user: "composeSignUser", policy: "composeSignPolicy", thunderbird: "composeSignThunderbird" };
const SIGN_OFF: Record<string, string> = { user: "composeSignOffUser", "no-key": "composeSignOffNoKey", policy: "composeSignOffPolicy", "thunderbird-own": "composeOffThunderbird" };

/** Why Encrypt is as it is, in words (the same sentence in the popup and the tooltip). */
export function encryptWhy(v: ComposeView, t: I18n): string {
  if (v.encrypt) return t(ENCRYPT_ON[v.encryptReason ?? "user"] ?? "composeReasonUser");
  return t(ENCRYPT_OFF[v.encryptOff ?? "user"] ?? "composeOffUser", [v.missing.join(", ")]);
}

export function signWhy(v: ComposeView, t: I18n): string {
  if (v.sign) return t(SIGN_ON[v.signReason ?? "user"] ?? "composeSignUser");
  return t(SIGN_OFF[v.signOff ?? "user"] ?? "composeSignOffUser", [v.from, v.effective === "smime" ? "S/MIME" : "OpenPGP"]);
}
