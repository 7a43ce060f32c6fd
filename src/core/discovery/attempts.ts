/**
 * A lookup tries several places (WKD's advanced and direct methods, then a keyserver's VKS and
 * HKP interfaces). When none has a key, the user should hear the failure that explains most:
 * a server that answered with something wrong beats "no key there", which beats a server that
 * could not be reached at all (the WKD advanced method's host often simply does not exist).
 */
import { SealbirdError, isSealbirdError, type ErrorCode } from "../errors.js";

export interface Attempt {
  url: string;
  code: ErrorCode;
  message: string;
  /** The HTTP status, for network-http. */
  status?: number;
}

const WEIGHT: Partial<Record<ErrorCode, number>> = {
  "lookup-wrong-user-id": 14,
  "lookup-malformed": 13,
  "network-too-large": 12,
  "network-http": 11,
  "lookup-not-found": 5,
  "network-tls": 3,
  "network-timeout": 3,
  "network-unreachable": 1,
  "network-offline": 0,
};

export function attemptOf(url: string, e: unknown): Attempt {
  const err = isSealbirdError(e) ? e : new SealbirdError("network-unreachable", `${url} could not be reached.`);
  const status = err.details["status"];
  return { url, code: err.code, message: err.message, ...(typeof status === "number" ? { status } : {}) };
}

/** The error to report for a lookup that found nothing; every attempt rides along in `details.attempts`. */
export function bestFailure(attempts: Attempt[]): SealbirdError {
  let best: Attempt | undefined;
  for (const a of attempts) if (!best || (WEIGHT[a.code] ?? 2) >= (WEIGHT[best.code] ?? 2)) best = a;
  if (!best) return new SealbirdError("lookup-not-allowed", "No key source is switched on.");
  return new SealbirdError(best.code, best.message, { url: best.url, ...(best.status ? { status: best.status } : {}), attempts });
}
