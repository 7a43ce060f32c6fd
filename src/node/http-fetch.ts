/**
 * The engine's HttpFetch on node:http/https, for the CLI. Node's error codes tell a refused
 * connection from a TLS failure, so every `network-*` code of ../core/net/http.ts is exact here.
 * Trusts the system roots plus NODE_EXTRA_CA_CERTS, and `ca` when given.
 */
import http from "node:http";
import https from "node:https";
import { netError, type HttpFetch, type HttpRequest, type HttpResponse } from "../core/net/http.js";
import type { ConnectTo } from "./http-get.js";

const OFFLINE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNRESET", "EPIPE", "ENETDOWN", "EADDRNOTAVAIL"]);
const MAX_REDIRECTS = 3;

function isTlsError(code: string | undefined, message: string): boolean {
  if (!code) return /ssl|tls|certificate/i.test(message);
  return code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || code.endsWith("_SIGNATURE") || code.startsWith("UNABLE_TO");
}

/** `connectTo` as for ./http-get.ts (curl's --connect-to): how the tests reach their servers by name. */
export function nodeHttpFetch(opts: { ca?: string | Buffer | Array<string | Buffer>; connectTo?: ConnectTo[] } = {}): HttpFetch {
  const once = (req: HttpRequest, url: URL, deadline: number): Promise<HttpResponse & { location?: string }> =>
    new Promise((resolve, reject) => {
      const lib = url.protocol === "https:" ? https : http;
      const remaining = Math.max(1, deadline - Date.now());
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        r.destroy();
        reject(e);
      };
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      const route = (opts.connectTo ?? []).find((c) => (!c.host || c.host === url.hostname.toLowerCase()) && (!c.port || c.port === port));
      const r = lib.request(
        url,
        {
          // Node merges these over what it reads from the URL; hostname wins over host.
          ...(route ? { hostname: route.toHost, port: route.toPort, servername: url.hostname } : {}),
          method: req.method,
          headers: {
            ...(route ? { Host: url.host } : {}),
            ...(req.contentType ? { "Content-Type": req.contentType } : {}),
            ...(req.accept ? { Accept: req.accept } : {}),
            ...(req.body ? { "Content-Length": String(req.body.length) } : {}),
          },
          ...(url.protocol === "https:" && opts.ca ? { ca: opts.ca } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const declared = Number(res.headers["content-length"] ?? "0");
          if (declared > req.maxBytes) return fail(netError("network-too-large", req.url, `The answer from ${req.url} is larger than ${req.maxBytes} bytes.`));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > req.maxBytes) fail(netError("network-too-large", req.url, `The answer from ${req.url} is larger than ${req.maxBytes} bytes.`));
            else chunks.push(c);
          });
          res.on("error", (e) => fail(netError("network-unreachable", req.url, `The connection to ${url.host} broke off.`, e)));
          res.on("end", () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const ct = res.headers["content-type"];
            resolve({
              status,
              body: new Uint8Array(Buffer.concat(chunks)),
              ...(ct ? { contentType: ct } : {}),
              ...(res.headers.location ? { location: res.headers.location } : {}),
            });
          });
        },
      );
      const timer = setTimeout(() => fail(netError("network-timeout", req.url, `${url.host} did not answer within ${req.timeoutMs} ms.`)), remaining);
      r.on("error", (e: NodeJS.ErrnoException) => {
        const code = e.code;
        if (isTlsError(code, e.message)) fail(netError("network-tls", req.url, `The secure connection to ${url.host} failed (${code ?? e.message}).`, e));
        else if (code && OFFLINE.has(code)) fail(netError("network-unreachable", req.url, `${url.host} cannot be reached (${code}).`, e));
        else fail(netError("network-unreachable", req.url, `${url.host} cannot be reached (${code ?? e.message}).`, e));
      });
      if (req.body) r.write(req.body);
      r.end();
    });

  return async (req) => {
    const deadline = Date.now() + req.timeoutMs;
    let url = new URL(req.url);
    for (let hop = 0; ; hop++) {
      const res = await once(req, url, deadline);
      if (req.method === "GET" && res.status >= 301 && res.status <= 308 && res.location && hop < MAX_REDIRECTS) {
        const next = new URL(res.location, url);
        if (next.protocol !== "http:" && next.protocol !== "https:") return res;
        url = next;
        continue;
      }
      const { location: _l, ...plain } = res;
      return plain;
    }
  };
}
