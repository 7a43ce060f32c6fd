/**
 * Publishing the revocation of one of our own OpenPGP keys where correspondents would find
 * the key: the keyserver the user allows (VKS `/vks/v1/upload`, else HKP `/pks/add`) and the
 * Web Key Directory of each of the key's addresses.
 *
 * Only where the key is already published: uploading a key that was never there would publish
 * it (and its addresses) for the first time, which the user did not ask for. keys.openpgp.org
 * publishes an uploaded revocation at once, without the address check it needs for user ids.
 * A WKD is written by the domain's operator (or its Web Key Service, which is reached by mail),
 * not over HTTPS: there the outcome says so, and the revoked key must go to the operator.
 */
import { isSealbirdError, SealbirdError, type ErrorCode } from "../errors.js";
import { fetchOk, type HttpFetch } from "../net/http.js";
import { normalizeKeyserver, refreshFromKeyserver } from "./keyserver.js";
import type { HttpGet } from "./http.js";
import type { LookupSources } from "./lookup.js";
import { lookupWkd, type LookupLimits } from "./wkd.js";

export type PublishState =
  /** The server took the revoked key. */
  | "published"
  /** The key is not published there: nothing was sent. */
  | "not-there"
  /** The key is there, but that place cannot be written over the network (WKD). */
  | "cannot-publish"
  /** Asking or uploading failed (`code`). */
  | "failed";

export interface PublishOutcome {
  source: "keyserver" | "wkd";
  /** The keyserver's base URL, or the address whose WKD was asked. */
  where: string;
  state: PublishState;
  code?: ErrorCode;
}

/** A revoked key with all its signatures is a few KB; a keyserver answers with a short status. */
const UPLOAD_MAX_ANSWER = 64 * 1024;
const UPLOAD_TIMEOUT_MS = 15_000;

export interface RevokedKey {
  fingerprint: string;
  /** The revoked public key, armored. */
  armored: string;
  emails: readonly string[];
}

function failed(source: PublishOutcome["source"], where: string, e: unknown): PublishOutcome {
  return { source, where, state: "failed", code: isSealbirdError(e) ? e.code : "internal" };
}

async function upload(base: string, armored: string, send: HttpFetch): Promise<void> {
  const req = { method: "POST" as const, maxBytes: UPLOAD_MAX_ANSWER, timeoutMs: UPLOAD_TIMEOUT_MS, accept: "application/json" };
  const vks = await send({ ...req, url: `${base}/vks/v1/upload`, contentType: "application/json", body: new TextEncoder().encode(JSON.stringify({ keytext: armored })) });
  if (vks.status === 200) return;
  // An HKP-only server has no VKS interface: it answers 404 (or 405/501) there.
  if (vks.status !== 404 && vks.status !== 405 && vks.status !== 501) {
    throw new SealbirdError("network-http", `${base}/vks/v1/upload answered HTTP ${vks.status}.`, { url: `${base}/vks/v1/upload`, status: vks.status });
  }
  await fetchOk(send, { ...req, url: `${base}/pks/add`, contentType: "application/x-www-form-urlencoded", body: new TextEncoder().encode(`keytext=${encodeURIComponent(armored)}`) });
}

async function toKeyserver(key: RevokedKey, keyserver: string, get: HttpGet, send: HttpFetch, limits: LookupLimits): Promise<PublishOutcome> {
  const base = normalizeKeyserver(keyserver);
  try {
    await refreshFromKeyserver(key.fingerprint, base, get, limits);
  } catch (e) {
    if (isSealbirdError(e) && e.code === "lookup-not-found") return { source: "keyserver", where: base, state: "not-there" };
    return failed("keyserver", base, e);
  }
  try {
    await upload(base, key.armored, send);
    return { source: "keyserver", where: base, state: "published" };
  } catch (e) {
    return failed("keyserver", base, e);
  }
}

async function inWkd(key: RevokedKey, email: string, get: HttpGet, limits: LookupLimits): Promise<PublishOutcome> {
  try {
    const found = await lookupWkd(email, get, limits);
    const ours = found.some((f) => f.info.fingerprint.toUpperCase() === key.fingerprint.toUpperCase());
    return { source: "wkd", where: email, state: ours ? "cannot-publish" : "not-there" };
  } catch (e) {
    if (isSealbirdError(e) && (e.code === "lookup-not-found" || e.code === "lookup-wrong-user-id")) return { source: "wkd", where: email, state: "not-there" };
    return failed("wkd", email, e);
  }
}

/** One outcome per place asked (the allowed sources only); never throws for a network failure. */
export async function publishRevocation(key: RevokedKey, sources: LookupSources, get: HttpGet, send: HttpFetch, limits: LookupLimits = {}): Promise<PublishOutcome[]> {
  const out: PublishOutcome[] = [];
  if (sources.keyserver) out.push(await toKeyserver(key, sources.keyserver, get, send, limits));
  if (sources.wkd) for (const email of key.emails) out.push(await inWkd(key, email, get, limits));
  return out;
}
