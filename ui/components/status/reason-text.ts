// Words for the codes a status explains itself with (src/core/status/reasons.ts): the
// translated sentence, else an error code's words, else the engine's English message.
import { t } from "../../lib/i18n";
import { reasonKey, repairKey } from "../../../src/core/status/reasons";
import type { StatusReason } from "../../../src/core/status/message-status";

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
