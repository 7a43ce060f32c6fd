/**
 * The engine's HttpGet on node:https, for the CLI. Each failure Node can tell apart becomes its
 * own `network-*` code. Certificates are checked against Node's CA list, which includes
 * NODE_EXTRA_CA_CERTS (a company CA, or a test CA).
 *
 * `connectTo` works like curl's --connect-to HOST:PORT:ADDR:PORT: a request for HOST:PORT is
 * sent to ADDR:PORT, with the TLS server name, the certificate check and the Host header still
 * those of HOST. It is for split-horizon set-ups and tests against servers on 127.0.0.1.
 */
import https from "node:https";
import { rootCertificates } from "node:tls";
import type { IncomingMessage } from "node:http";
import { SealbirdError } from "../core/errors.js";
import type { HttpGet, HttpRequest, HttpResponse } from "../core/discovery/http.js";

export interface ConnectTo {
  host: string;
  port: number;
  toHost: string;
  toPort: number;
}

export interface NodeHttpOptions {
  connectTo?: ConnectTo[];
  /** CA certificates (PEM) trusted in addition to Node's list (the CLI uses NODE_EXTRA_CA_CERTS). */
  extraCa?: string[];
  /** Redirects followed (HTTPS to HTTPS only). */
  maxRedirects?: number;
}

/** "openpgpkey.example.org:443:127.0.0.1:8443,example.org:443:127.0.0.1:8443" (an empty HOST or PORT matches any). */
export function parseConnectTo(spec: string | undefined): ConnectTo[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([^:]*):(\d*):(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
      if (!m) throw new SealbirdError("usage", `connect-to entries are HOST:PORT:ADDR:PORT, not "${entry}"`);
      return { host: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : 0, toHost: m[3]!.replace(/^\[|\]$/g, ""), toPort: Number(m[4]) };
    });
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function classify(e: NodeJS.ErrnoException, url: string): SealbirdError {
  const code = e.code ?? "";
  if (TLS_CODES.test(code)) return new SealbirdError("network-tls", `The TLS connection to ${url} failed (${code}).`, { url, reason: code }, { cause: e });
  if (code === "ENETUNREACH" || code === "ENETDOWN") return new SealbirdError("network-offline", `No network to reach ${url} (${code}).`, { url, reason: code }, { cause: e });
  return new SealbirdError("network-unreachable", `${url} could not be reached (${code || e.message}).`, { url, reason: code }, { cause: e });
}

function once(url: URL, req: HttpRequest, opts: NodeHttpOptions, deadline: number): Promise<{ res: IncomingMessage; body: Uint8Array } | { redirect: string }> {
  const port = Number(url.port || 443);
  const route = (opts.connectTo ?? []).find((c) => (!c.host || c.host === url.hostname.toLowerCase()) && (!c.port || c.port === port));
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new SealbirdError("network-timeout", `${req.url} did not answer within ${req.timeoutMs} ms.`, { url: req.url }));
      return;
    }
    const r = https.request({
      host: route?.toHost ?? url.hostname,
      port: route?.toPort ?? port,
      servername: url.hostname,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      agent: false,
      ...(opts.extraCa?.length ? { ca: [...rootCertificates, ...opts.extraCa] } : {}),
      headers: { Host: url.host, Accept: req.accept ?? "*/*", "User-Agent": "Sealbird" },
    });
    const timer = setTimeout(() => r.destroy(new SealbirdError("network-timeout", `${req.url} did not answer within ${req.timeoutMs} ms.`, { url: req.url })), remaining);
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof SealbirdError ? e : classify(e as NodeJS.ErrnoException, req.url));
    };
    r.on("error", fail);
    r.on("response", (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        clearTimeout(timer);
        res.resume();
        resolve({ redirect: new URL(res.headers.location, url).toString() });
        return;
      }
      const declared = Number(res.headers["content-length"] ?? "0");
      const tooLarge = () => new SealbirdError("network-too-large", `The answer of ${req.url} is larger than ${req.maxBytes} bytes.`, { url: req.url, max: req.maxBytes });
      if (declared > req.maxBytes) {
        res.destroy();
        fail(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > req.maxBytes) res.destroy(tooLarge());
        else chunks.push(c);
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        const b = Buffer.concat(chunks);
        resolve({ res, body: new Uint8Array(b.buffer, b.byteOffset, b.length) });
      });
    });
    r.end();
  });
}

export function nodeHttpGet(opts: NodeHttpOptions = {}): HttpGet {
  const maxRedirects = opts.maxRedirects ?? 3;
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const deadline = Date.now() + req.timeoutMs;
    let url = new URL(req.url);
    for (let hops = 0; ; hops++) {
      if (url.protocol !== "https:") throw new SealbirdError("network-tls", `${req.url} redirected to an address without HTTPS (${url.protocol}).`, { url: req.url });
      const r = await once(url, req, opts, deadline);
      if ("redirect" in r) {
        if (hops >= maxRedirects) throw new SealbirdError("network-http", `${req.url} redirected more than ${maxRedirects} times.`, { url: req.url });
        url = new URL(r.redirect);
        continue;
      }
      const ct = r.res.headers["content-type"];
      return { status: r.res.statusCode ?? 0, body: r.body, url: url.toString(), ...(ct ? { contentType: ct } : {}) };
    }
  };
}
