/**
 * The engine never opens a connection: whoever needs the network (the add-on's background,
 * the CLI) passes an HttpFetch. Implementations enforce `maxBytes` and `timeoutMs` and report
 * every failure as a SealbirdError with a `network-*` code, so the engine and the UI see the same
 * typed reasons whatever did the fetching:
 *
 *   network-unreachable    no connection (no network, refused, unknown host)
 *   network-timeout    no complete answer within timeoutMs
 *   network-tls        the TLS handshake failed (untrusted or wrong certificate)
 *   network-http       an HTTP status other than 200
 *   network-too-large  the answer is larger than maxBytes
 *   network-malformed  the answer is not what was asked for (raised by the engine's parsers)
 */
import { SealbirdError, type ErrorCode } from "../errors.js";

export interface HttpRequest {
  url: string;
  method: "GET" | "POST";
  body?: Uint8Array;
  /** Content-Type of the body. */
  contentType?: string;
  accept?: string;
  maxBytes: number;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  contentType?: string;
  body: Uint8Array;
}

export type HttpFetch = (req: HttpRequest) => Promise<HttpResponse>;

export type NetErrorCode = Extract<ErrorCode, `network-${string}`>;

export function netError(code: NetErrorCode, url: string, message: string, cause?: unknown): SealbirdError {
  return new SealbirdError(code, message, { url }, cause === undefined ? undefined : { cause });
}

/** Only http: and https: leave the engine; anything else in a certificate is ignored. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\/[^\s/?#]+/i.test(url);
}

/** Runs the fetch and insists on 200 and the size limit (an implementation may not check). */
export async function fetchOk(fetch: HttpFetch, req: HttpRequest): Promise<HttpResponse> {
  if (!isHttpUrl(req.url)) throw netError("network-malformed", req.url, `Only http and https addresses are fetched (${req.url}).`);
  const res = await fetch(req);
  if (res.status !== 200) throw new SealbirdError("network-http", `${req.url} answered HTTP ${res.status}.`, { url: req.url, status: res.status });
  if (res.body.length > req.maxBytes) throw netError("network-too-large", req.url, `The answer from ${req.url} is larger than ${req.maxBytes} bytes.`);
  return res;
}
