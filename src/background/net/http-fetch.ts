/**
 * The engine's HttpFetch on the background's fetch(). A timeout aborts the request; the body is
 * read in chunks and abandoned past maxBytes; no cookies or credentials are sent and no cache
 * is used (revocation answers are cached by the engine, until their own nextUpdate).
 *
 * fetch() reports every connection failure as the same TypeError; Gecko's own reason for it
 * (webRequest.onErrorOccurred, read by ../discovery/http-get.ts) gives the typed code.
 * Key lookups (HTTPS GET only) use ../discovery/http-get.ts itself; revocation needs http and
 * POST (OCSP), hence this second transport on the same failure reasons.
 */
import { isSealbirdError } from "../../core/errors.js";
import { netError, type HttpFetch } from "../../core/net/http.js";
import { classifyFailure, listen, reasonFor } from "../discovery/http-get.js";

export function browserHttpFetch(): HttpFetch {
  return async (req) => {
    listen();
    const started = Date.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    const host = new URL(req.url).host;
    try {
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: req.method,
          headers: { ...(req.contentType ? { "Content-Type": req.contentType } : {}), ...(req.accept ? { Accept: req.accept } : {}) },
          ...(req.body ? { body: req.body as BodyInit } : {}),
          credentials: "omit",
          cache: "no-store",
          redirect: req.method === "GET" ? "follow" : "error",
          referrerPolicy: "no-referrer",
          signal: controller.signal,
        });
      } catch (e) {
        if (timedOut) throw netError("network-timeout", req.url, `${host} did not answer within ${req.timeoutMs} ms.`, e);
        if (typeof navigator !== "undefined" && navigator.onLine === false) throw netError("network-unreachable", req.url, `Thunderbird is offline; ${host} was not asked.`, e);
        throw classifyFailure(await reasonFor(req.url, started, 1000), req.url);
      }
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > req.maxBytes) {
        controller.abort();
        throw netError("network-too-large", req.url, `The answer from ${host} is larger than ${req.maxBytes} bytes.`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = res.body?.getReader();
      try {
        for (;;) {
          const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
          if (done || !value) break;
          size += value.length;
          if (size > req.maxBytes) {
            controller.abort();
            throw netError("network-too-large", req.url, `The answer from ${host} is larger than ${req.maxBytes} bytes.`);
          }
          chunks.push(value);
        }
      } catch (e) {
        if (isSealbirdError(e)) throw e;
        if (timedOut) throw netError("network-timeout", req.url, `${host} did not answer within ${req.timeoutMs} ms.`, e);
        throw netError("network-unreachable", req.url, `The connection to ${host} broke off.`, e);
      }
      const body = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
      const ct = res.headers.get("content-type");
      return { status: res.status, body, ...(ct ? { contentType: ct } : {}) };
    } finally {
      clearTimeout(timer);
    }
  };
}
