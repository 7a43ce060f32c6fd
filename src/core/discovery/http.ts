/**
 * The network as the engine sees it: one function that GETs an HTTPS URL. The engine never
 * opens a connection itself; the background passes one built on `fetch`, the CLI one built on
 * node:https. Both must send no cookies or credentials, follow only a few redirects, stop
 * reading at `maxBytes`, give up after `timeoutMs`, and throw a SealbirdError with a
 * `network-*` code for each failure they can tell apart (see ERROR_CODES).
 */
import { SealbirdError, isSealbirdError } from "../errors.js";

export interface HttpRequest {
  url: string;
  /** The whole request, connection to last byte. */
  timeoutMs: number;
  /** Longest body accepted; more is `network-too-large`, and nothing of it is used. */
  maxBytes: number;
  /** Accept header value. */
  accept?: string;
}

export interface HttpResponse {
  status: number;
  body: Uint8Array;
  /** The URL that answered (after redirects). */
  url: string;
  contentType?: string;
}

export type HttpGet = (req: HttpRequest) => Promise<HttpResponse>;

/** Defaults for key lookups: a key with a few signatures is a few KB; 10 s is generous. */
export const LOOKUP_TIMEOUT_MS = 10_000;
export const LOOKUP_MAX_BYTES = 512 * 1024;

export function requireHttps(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SealbirdError("usage", `Not a URL: ${url}`);
  }
  if (u.protocol !== "https:") throw new SealbirdError("usage", `Only HTTPS is used for key lookups, not ${u.protocol} (${url}).`, { url });
  return u;
}

/**
 * Runs `get` for an HTTPS URL and checks what came back as far as the transport is concerned:
 * HTTPS before and after redirects, the size limit (again: a transport that overran it must
 * not get its bytes used), and every foreign exception turned into a typed one.
 */
export async function httpsGet(get: HttpGet, req: HttpRequest): Promise<HttpResponse> {
  requireHttps(req.url);
  let res: HttpResponse;
  try {
    res = await get(req);
  } catch (e) {
    if (isSealbirdError(e)) throw e;
    throw new SealbirdError("network-unreachable", `${req.url} could not be reached.`, { url: req.url }, { cause: e });
  }
  if (res.url && !res.url.startsWith("https:")) {
    throw new SealbirdError("network-tls", `${req.url} redirected to an address without HTTPS.`, { url: req.url, to: res.url });
  }
  if (res.body.length > req.maxBytes) {
    throw new SealbirdError("network-too-large", `The answer of ${req.url} is larger than ${req.maxBytes} bytes.`, { url: req.url, max: req.maxBytes });
  }
  return res;
}

/** `network-http` for an answer that is neither a success nor "not found". */
export function httpError(url: string, status: number): SealbirdError {
  return new SealbirdError("network-http", `${url} answered with HTTP status ${status}.`, { url, status });
}

export function notFound(url: string, what = "No key is published there"): SealbirdError {
  return new SealbirdError("lookup-not-found", `${what} (${url}).`, { url });
}
