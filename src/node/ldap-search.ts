/**
 * The engine's LdapSearch on ldapts, for the CLI: anonymous (or simple-bind) search of one
 * directory, binary attribute values, every failure a typed SealbirdError.
 */
import { Client, ResultCodeError, SizeLimitExceededError, InvalidCredentialsError } from "ldapts";
import { SealbirdError } from "../core/errors.js";
import { netError } from "../core/net/http.js";
import type { LdapEntry, LdapSearch } from "../core/ldap/certificate-lookup.js";
import { ldapUrlText, type LdapUrl } from "../core/ldap/ldap-url.js";

const OFFLINE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNRESET", "EPIPE"]);

function typed(e: unknown, where: string): SealbirdError {
  if (e instanceof SealbirdError) return e;
  if (e instanceof SizeLimitExceededError) return netError("network-too-large", where, `The directory ${where} returned more entries than asked for.`, e);
  if (e instanceof InvalidCredentialsError) return new SealbirdError("ldap-failed", `The directory ${where} refused the login.`, { url: where }, { cause: e });
  if (e instanceof ResultCodeError) return new SealbirdError("ldap-failed", `The directory ${where} answered with LDAP error ${e.code}: ${e.message}`, { url: where, resultCode: e.code }, { cause: e });
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? "";
  const msg = err?.message ?? String(e);
  if (/timeout|timed out/i.test(msg) || code === "ETIMEDOUT") return netError("network-timeout", where, `The directory ${where} did not answer in time.`, e);
  if (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || /ssl|tls|certificate/i.test(msg)) {
    return netError("network-tls", where, `The secure connection to the directory ${where} failed (${code || msg}).`, e);
  }
  if (OFFLINE.has(code)) return netError("network-unreachable", where, `The directory ${where} cannot be reached (${code}).`, e);
  return new SealbirdError("ldap-failed", `The directory ${where} could not be searched: ${msg}`, { url: where }, { cause: e });
}

export function ldaptsSearch(url: LdapUrl, opts: { bindDn?: string; password?: string; ca?: Buffer | string } = {}): LdapSearch {
  const where = ldapUrlText(url);
  return async (query) => {
    const client = new Client({
      url: `${url.secure ? "ldaps" : "ldap"}://${url.host.includes(":") ? `[${url.host}]` : url.host}:${url.port}`,
      timeout: query.timeoutMs,
      connectTimeout: query.timeoutMs,
      ...(url.secure ? { tlsOptions: { ...(opts.ca ? { ca: opts.ca } : {}), servername: url.host } } : {}),
    });
    try {
      if (opts.bindDn) await client.bind(opts.bindDn, opts.password ?? "");
      const { searchEntries } = await client.search(query.baseDn, {
        scope: query.scope,
        filter: query.filter,
        attributes: [...query.attributes],
        sizeLimit: query.sizeLimit,
        timeLimit: Math.ceil(query.timeoutMs / 1000),
        explicitBufferAttributes: [...query.attributes],
      });
      return searchEntries.map((e): LdapEntry => {
        const attributes: Record<string, Uint8Array[]> = {};
        for (const [name, v] of Object.entries(e)) {
          if (name === "dn") continue;
          const values = Array.isArray(v) ? v : [v];
          attributes[name] = values.map((x) => (typeof x === "string" ? new TextEncoder().encode(x) : new Uint8Array(x)));
        }
        return { dn: e.dn, attributes };
      });
    } catch (e) {
      throw typed(e, where);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
}
