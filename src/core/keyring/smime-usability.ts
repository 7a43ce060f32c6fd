/**
 * Whether a stored S/MIME certificate may be encrypted to now. Apart from ./keyring.ts
 * because it parses the certificate (pkijs), which the keyring loads only for S/MIME work.
 */
import type { RecordInfo } from "../keystore/index.js";
import { certificateInfo } from "../cert/index.js";
import { unb64 } from "./record-codec.js";

/** Why a stored certificate is not used to encrypt. */
export type SmimeUnusable = "expired" | "not-yet-valid" | "revoked";

export function smimeRecordUnusable(r: RecordInfo, now: Date = new Date()): SmimeUnusable | undefined {
  if (r.public["revoked"]) return "revoked";
  const notAfter = r.public["notAfter"];
  if (typeof notAfter === "string" && new Date(notAfter) < now) return "expired";
  try {
    if (certificateInfo(unb64(r.public["certificate"])).notBefore > now.toISOString()) return "not-yet-valid";
  } catch {
    return "expired";
  }
  return undefined;
}

