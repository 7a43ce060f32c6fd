/**
 * LDAP URLs (RFC 4516) as Thunderbird stores them for LDAP address books
 * (`ldap_2.servers.NAME.uri`) and as `sealbird --ldap` takes them:
 *
 *   ldap://host[:port]/baseDN[?attributes[?scope[?filter]]]     ldaps:// for TLS
 */
import { SealbirdError } from "../errors.js";

export type LdapScope = "base" | "one" | "sub";

export interface LdapUrl {
  secure: boolean;
  host: string;
  port: number;
  baseDn: string;
  /** Thunderbird's address books search the subtree unless the URL says otherwise. */
  scope: LdapScope;
  /** The URL's own filter, combined with ours (absent or "(objectclass=*)" = none). */
  filter?: string;
}

function decode(s: string, url: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SealbirdError("usage", `Not a valid LDAP URL: ${url}`);
  }
}

export function parseLdapUrl(url: string): LdapUrl {
  const m = /^(ldaps?):\/\/(\[[^\]]+\]|[^/:?]+)(?::(\d{1,5}))?(?:\/([^?]*)(?:\?([^?]*)(?:\?([^?]*)(?:\?([^?]*))?)?)?)?$/i.exec(url.trim());
  if (!m) throw new SealbirdError("usage", `Not an LDAP URL (ldap://host[:port]/base-dn): ${url}`);
  const secure = m[1]!.toLowerCase() === "ldaps";
  const port = m[3] ? Number(m[3]) : secure ? 636 : 389;
  if (port < 1 || port > 65535) throw new SealbirdError("usage", `Bad port in LDAP URL: ${url}`);
  const scopeText = (m[6] ?? "").toLowerCase();
  const scope: LdapScope = scopeText === "base" || scopeText === "one" ? scopeText : "sub";
  const filter = m[7] ? decode(m[7], url).trim() : "";
  return {
    secure,
    host: m[2]!.replace(/^\[|\]$/g, ""),
    port,
    baseDn: decode(m[4] ?? "", url),
    scope,
    ...(filter && filter.toLowerCase() !== "(objectclass=*)" ? { filter } : {}),
  };
}

export function ldapUrlText(u: LdapUrl): string {
  return `${u.secure ? "ldaps" : "ldap"}://${u.host.includes(":") ? `[${u.host}]` : u.host}:${u.port}/${encodeURIComponent(u.baseDn).replace(/%3D/gi, "=").replace(/%2C/gi, ",")}`;
}
