/**
 * Checking a certificate's revocation on the network: OCSP at the responders its AIA names,
 * then the CRLs its distribution points name, over the HttpFetch the caller passes. Answers
 * are verified (./revocation.ts) and kept in a RevocationCache until their nextUpdate; a
 * failure is reported in the result (typed attempts), never stored and never thrown.
 */
import type * as pkijs from "pkijs";
import { isSealbirdError } from "../errors.js";
import { fetchOk, type HttpFetch } from "../net/http.js";
import { fingerprint, nameToString, parseCertificate } from "./certificate.js";
import { buildOcspRequest, evaluateCrl, evaluateOcsp, type RevocationAnswer } from "./revocation.js";
import { crlUrls, ocspUrls } from "./revocation-sources.js";
import type { NotCheckedWhy, RevocationAttempt, RevocationCheck, RevocationMode } from "../status/revocation-status.js";

export interface CachedRevocation {
  kind: "ocsp" | "crl";
  url: string;
  der: Uint8Array;
  fetchedAt: string;
  /** ISO; the entry is not used after this. */
  until: string;
}

export interface RevocationCache {
  get(key: string): Promise<CachedRevocation | undefined>;
  put(key: string, value: CachedRevocation): Promise<void>;
}

export interface OnlineRevocation {
  mode: RevocationMode;
  /** Absent: nothing is fetched (supplied data and the cache only; "not-allowed"). */
  fetch?: HttpFetch;
  cache?: RevocationCache;
  /** Per request; defaults to 3 s in soft-fail mode and 10 s in hard-fail mode (as NSS). */
  timeoutMs?: number;
}

export const OCSP_MAX_BYTES = 64 * 1024;
export const CRL_MAX_BYTES = 16 * 1024 * 1024;
/** An answer without nextUpdate is kept this long at most. */
const KEEP_WITHOUT_NEXT_UPDATE_MS = 3600 * 1000;

/** Keeps verified answers in memory until their nextUpdate, up to a byte budget (oldest dropped first). */
export class MemoryRevocationCache implements RevocationCache {
  private readonly entries = new Map<string, CachedRevocation>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  async get(key: string): Promise<CachedRevocation | undefined> {
    const e = this.entries.get(key);
    if (e && new Date(e.until).getTime() <= Date.now()) {
      this.drop(key);
      return undefined;
    }
    return e;
  }

  async put(key: string, value: CachedRevocation): Promise<void> {
    this.drop(key);
    if (value.der.length > this.maxBytes) return;
    this.entries.set(key, value);
    this.bytes += value.der.length;
    while (this.bytes > this.maxBytes) this.drop(this.entries.keys().next().value!);
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.der.length;
  }
}

function timeoutFor(opts: OnlineRevocation): number {
  return opts.timeoutMs ?? (opts.mode === "hard-fail" ? 10_000 : 3_000);
}

function attemptOf(url: string, method: "ocsp" | "crl", e: unknown): RevocationAttempt {
  if (isSealbirdError(e)) return { url, method, code: e.code, message: e.message };
  return { url, method, code: "network-malformed", message: `The answer from ${url} could not be used.` };
}

function keepUntil(a: RevocationAnswer, now: Date): string {
  const cap = now.getTime() + KEEP_WITHOUT_NEXT_UPDATE_MS;
  return new Date(a.nextUpdate ? a.nextUpdate.getTime() : Math.min(cap, a.thisUpdate.getTime() + KEEP_WITHOUT_NEXT_UPDATE_MS)).toISOString();
}

function checked(
  base: Pick<RevocationCheck, "subject" | "fingerprint">,
  a: RevocationAnswer,
  attempts: RevocationAttempt[],
  fetched?: { url: string; fetchedAt: string; fromCache: boolean },
): RevocationCheck {
  return {
    ...base,
    status: a.status === "revoked" ? "revoked" : "good",
    method: a.source,
    ...(fetched ?? {}),
    producedAt: a.thisUpdate.toISOString(),
    ...(a.nextUpdate ? { nextUpdate: a.nextUpdate.toISOString() } : {}),
    ...(a.revokedAt ? { revokedAt: a.revokedAt.toISOString() } : {}),
    attempts,
  };
}

/**
 * One certificate, given its issuer. `supplied` answers (files, CRLs in the message) are read
 * first; then, unless the mode is off, OCSP and CRLs on the network.
 */
export async function checkCertificateOnline(
  certDer: Uint8Array,
  issuerDer: Uint8Array,
  online: OnlineRevocation,
  now: Date,
  supplied: { crls?: readonly Uint8Array[]; ocsp?: readonly Uint8Array[] } = {},
): Promise<RevocationCheck> {
  const cert = parseCertificate(certDer);
  const issuer = parseCertificate(issuerDer);
  const base = { subject: nameToString(cert.subject), fingerprint: fingerprint(certDer) };
  const attempts: RevocationAttempt[] = [];
  const whyNot = new Set<NotCheckedWhy>();

  for (const [method, list] of [["ocsp", supplied.ocsp ?? []], ["crl", supplied.crls ?? []]] as const) {
    for (const der of list) {
      const a = await (method === "ocsp" ? evaluateOcsp : evaluateCrl)(der, cert, issuer, now).catch(() => undefined);
      if (a && a.status !== "unknown") return checked(base, a, attempts);
    }
  }
  if (online.mode === "off") return { ...base, status: "not-checked", why: "off", attempts };

  const sources: Array<{ method: "ocsp" | "crl"; url: string }> = [
    ...ocspUrls(cert).map((url) => ({ method: "ocsp" as const, url })),
    ...crlUrls(cert).map((url) => ({ method: "crl" as const, url })),
  ];
  if (sources.length === 0) return { ...base, status: "not-checked", why: "no-source", attempts };

  for (const { method, url } of sources) {
    // A CRL serves every certificate of its issuer; an OCSP answer only this one.
    const key = method === "crl" ? `crl ${url}` : `ocsp ${url} ${base.fingerprint}`;
    const cached = await online.cache?.get(key).catch(() => undefined);
    if (cached) {
      const a = await (method === "ocsp" ? evaluateOcsp : evaluateCrl)(cached.der, cert, issuer, now).catch(() => undefined);
      if (a && a.status !== "unknown") return checked(base, a, attempts, { url, fetchedAt: cached.fetchedAt, fromCache: true });
    }
    if (!online.fetch) {
      whyNot.add("not-allowed");
      continue;
    }
    try {
      const fetchedAt = now.toISOString();
      const a = method === "ocsp" ? await fetchOcsp(online.fetch, url, cert, issuer, timeoutFor(online), now) : await fetchCrl(online.fetch, url, cert, issuer, timeoutFor(online), now);
      if (a.answer.status === "unknown") {
        whyNot.add("unknown");
        attempts.push({ url, method, code: "revocation-unverified", message: "The responder does not know this certificate." });
        continue;
      }
      await online.cache?.put(key, { kind: method, url, der: a.der, fetchedAt, until: keepUntil(a.answer, now) }).catch(() => undefined);
      return checked(base, a.answer, attempts, { url, fetchedAt, fromCache: false });
    } catch (e) {
      const attempt = attemptOf(url, method, e);
      whyNot.add(attempt.code === "revocation-unverified" ? "unverified" : "unreachable");
      attempts.push(attempt);
    }
  }
  const order: NotCheckedWhy[] = ["unreachable", "unverified", "unknown", "not-allowed"];
  const why: NotCheckedWhy = order.find((w) => whyNot.has(w)) ?? "unreachable";
  return { ...base, status: "not-checked", why, attempts };
}

async function fetchOcsp(fetch: HttpFetch, url: string, cert: pkijs.Certificate, issuer: pkijs.Certificate, timeoutMs: number, now: Date): Promise<{ der: Uint8Array; answer: RevocationAnswer }> {
  const body = await buildOcspRequest(cert, issuer);
  const res = await fetchOk(fetch, { url, method: "POST", body, contentType: "application/ocsp-request", accept: "application/ocsp-response", maxBytes: OCSP_MAX_BYTES, timeoutMs });
  return { der: res.body, answer: await evaluateOcsp(res.body, cert, issuer, now) };
}

async function fetchCrl(fetch: HttpFetch, url: string, cert: pkijs.Certificate, issuer: pkijs.Certificate, timeoutMs: number, now: Date): Promise<{ der: Uint8Array; answer: RevocationAnswer }> {
  const res = await fetchOk(fetch, { url, method: "GET", accept: "application/pkix-crl", maxBytes: CRL_MAX_BYTES, timeoutMs });
  return { der: res.body, answer: await evaluateCrl(res.body, cert, issuer, now) };
}

/**
 * Every certificate of a path (signer first; the last is the anchor and is not checked).
 * Intermediates that name no source are not held against the path: CAs are checked where
 * their issuer publishes something.
 */
export async function checkPathOnline(
  chain: readonly Uint8Array[],
  online: OnlineRevocation,
  now: Date,
  supplied: { crls?: readonly Uint8Array[]; ocsp?: readonly Uint8Array[] } = {},
): Promise<{ state: "good" | "revoked" | "not-checked" | "no-source" | "off"; certificates: RevocationCheck[] }> {
  const certificates: RevocationCheck[] = [];
  for (let k = 0; k + 1 < chain.length; k++) {
    const c = await checkCertificateOnline(chain[k]!, chain[k + 1]!, online, now, supplied);
    if (k > 0 && (c.why === "no-source" || c.why === "off")) continue;
    certificates.push(c);
    if (c.status === "revoked") break;
  }
  const leaf = certificates[0];
  let state: "good" | "revoked" | "not-checked" | "no-source" | "off" = "good";
  if (certificates.some((c) => c.status === "revoked")) state = "revoked";
  else if (certificates.some((c) => c.status === "not-checked" && c.why !== "no-source" && c.why !== "off")) state = "not-checked";
  else if (leaf?.why === "off") state = "off";
  else if (leaf?.why === "no-source") state = "no-source";
  return { state, certificates };
}
