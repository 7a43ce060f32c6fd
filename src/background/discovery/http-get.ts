/**
 * The engine's HttpGet on the background's `fetch`. No cookies, no referrer, no cache; the
 * body is read with a running size check, the whole request under one deadline.
 *
 * `fetch` rejects every network failure with the same TypeError. Gecko does tell an add-on
 * why one of its own requests failed, through webRequest.onErrorOccurred (observed in
 * Thunderbird 153: "NS_ERROR_UNKNOWN_HOST", "NS_ERROR_CONNECTION_REFUSED", and for a
 * certificate problem NSS's own message, e.g. "Peer’s Certificate issuer is not recognized."),
 * so the failure is matched to that report by URL.
 */
import { concatBytes } from "../../core/bytes.js";
import { SealbirdError } from "../../core/errors.js";
import type { HttpGet, HttpRequest, HttpResponse } from "../../core/discovery/http.js";

const reasons = new Map<string, { error: string; at: number }>();
const waiting = new Map<string, Array<(reason: string) => void>>();
let listening = false;

export function listen(): void {
  if (listening) return;
  listening = true;
  try {
    messenger.webRequest.onErrorOccurred.addListener(
      (d) => {
        const w = waiting.get(d.url);
        if (w) {
          waiting.delete(d.url);
          for (const resolve of w) resolve(d.error);
          return;
        }
        reasons.set(d.url, { error: d.error, at: Date.now() });
        while (reasons.size > 32) reasons.delete(reasons.keys().next().value!);
      },
      // http too: revocation checks (../net/http-fetch.ts) fetch OCSP and CRLs over plain http.
      { urls: ["https://*/*", "http://*/*"] },
    );
  } catch {
    // No webRequest: failures are reported without their reason (network-unreachable).
  }
}

/**
 * The reason Gecko gave for this request to `url` (reported after `since`), waiting a moment
 * for it: the failure and its report travel separately.
 */
export function reasonFor(url: string, since: number, ms = 2000): Promise<string | undefined> {
  const known = reasons.get(url);
  reasons.delete(url);
  if (known && known.at >= since) return Promise.resolve(known.error);
  return new Promise((resolve) => {
    const list = waiting.get(url) ?? [];
    const done = (r: string | undefined) => {
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      const l = waiting.get(url)?.filter((f) => f !== done) ?? [];
      if (l.length) waiting.set(url, l);
      else waiting.delete(url);
      resolve(undefined);
    }, ms);
    list.push(done);
    waiting.set(url, list);
  });
}

/** Gecko's reason → our code. NSS reports certificate problems as text, not as an NS_ name. */
export function classifyFailure(reason: string | undefined, url: string): SealbirdError {
  const d = { url, ...(reason ? { reason } : {}) };
  if (reason === "NS_ERROR_OFFLINE") return new SealbirdError("network-offline", `Thunderbird is offline; ${url} was not asked.`, d);
  if (reason === "NS_ERROR_NET_TIMEOUT" || reason === "NS_ERROR_NET_TIMEOUT_EXTERNAL") return new SealbirdError("network-timeout", `${url} did not answer in time.`, d);
  if (reason && !/^NS_/.test(reason)) return new SealbirdError("network-tls", `The TLS connection to ${url} failed: ${reason}`, d);
  return new SealbirdError("network-unreachable", `${url} could not be reached${reason ? ` (${reason})` : ""}.`, d);
}

async function readLimited(res: Response, max: number, url: string): Promise<Uint8Array> {
  const tooLarge = () => new SealbirdError("network-too-large", `The answer of ${url} is larger than ${max} bytes.`, { url, max });
  if (Number(res.headers.get("content-length") ?? "0") > max) throw tooLarge();
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(value);
  }
  return concatBytes(parts);
}

export const fetchHttpGet: HttpGet = async (req: HttpRequest): Promise<HttpResponse> => {
  if (globalThis.navigator?.onLine === false) throw new SealbirdError("network-offline", `Thunderbird is offline; ${req.url} was not asked.`, { url: req.url });
  listen();
  const started = Date.now();
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, req.timeoutMs);
  try {
    const res = await fetch(req.url, {
      signal: ctl.signal,
      credentials: "omit",
      cache: "no-store",
      redirect: "follow",
      referrerPolicy: "no-referrer",
      headers: { Accept: req.accept ?? "*/*" },
    });
    const body = await readLimited(res, req.maxBytes, req.url);
    const contentType = res.headers.get("content-type");
    return { status: res.status, body, url: res.url || req.url, ...(contentType ? { contentType } : {}) };
  } catch (e) {
    if (e instanceof SealbirdError) throw e;
    if (timedOut) throw new SealbirdError("network-timeout", `${req.url} did not answer within ${req.timeoutMs} ms.`, { url: req.url });
    throw classifyFailure(await reasonFor(req.url, started), req.url);
  } finally {
    clearTimeout(timer);
  }
};
