// Words for the codes a status explains itself with (src/core/status/reasons.ts): the
// translated sentence, else an error code's words, else the engine's English message.
import { t } from "../../lib/i18n";
import { leadingReason, reasonKey, repairKey } from "../../../src/core/status/reasons";
import { present } from "../../../src/core/status/presentation";
import type { MessageStatus, StatusReason } from "../../../src/core/status/message-status";

function known(key: string): string | undefined {
  const s = t(key);
  return s === key ? undefined : s;
}

export function reasonText(r: StatusReason): string {
  return known(reasonKey(r.code)) ?? known(`error_${r.code.replace(/-/g, "_")}`) ?? r.message;
}

export function repairText(r: StatusReason): string {
  return known(repairKey(r.code)) ?? r.message;
}

/** An error code's words (error_<code>), else the generic internal error. */
export function codeText(code: string): string {
  return known(`error_${code.replace(/-/g, "_")}`) ?? t("error_internal");
}

/**
 * Why the message stands as the headline says, in one sentence of the status model's own words:
 * the failed decryption step, the reason that accounts for the signature's state, what a valid
 * signature means, or that nothing vouches for the message. `field` names it for tests.
 */
export function whySentence(s: MessageStatus): { text: string; field: string } {
  const enc = s.encryption;
  if (enc.state === "failed") return enc.step ? { text: t(`popupDecryptStep_${enc.step}`), field: "decrypt-step" } : { text: codeText(enc.code), field: "decrypt-error" };
  const sig = s.signature;
  if (sig.state === "valid") {
    const address = sig.signer?.email ?? sig.from ?? "";
    return { text: t(sig.protocol === "openpgp" ? "popupWhyValidPgp" : "popupWhyValidSmime", [address]), field: "why-valid" };
  }
  if (sig.state !== "none") {
    const r = leadingReason(sig);
    return { text: r ? reasonText(r) : t(present(s).titleKeys[1]!), field: r ? `reason-${r.code}` : "why-state" };
  }
  return enc.state === "decrypted" ? { text: t("popupWhyEncryptedOnly"), field: "why-encrypted-only" } : { text: t("popupWhyPlain"), field: "why-plain" };
}
