/**
 * The settings of the S/MIME online checks: how revocation is checked (soft-fail by default,
 * hard-fail, off) and which of Thunderbird's LDAP address books are searched for recipients'
 * certificates (all of them by default, as Thunderbird's composer searches its directory).
 * Kept in storage.local: they apply before a keystore exists and while it is locked.
 */
import { REVOCATION_MODES, type RevocationMode } from "../../core/status/revocation-status.js";
import type { CertificateChecks, LdapDirectoryView } from "./types.js";

export const CHECKS_KEY = "sealbird.certificateChecks";

export function defaultChecks(): CertificateChecks {
  return { revocation: "soft-fail", ldap: { enabled: true, off: [] } };
}

/** Any stored or received value as well-formed settings (unknown fields dropped). */
export function normalizeChecks(v: unknown): CertificateChecks {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const l = (o["ldap"] && typeof o["ldap"] === "object" ? o["ldap"] : {}) as Record<string, unknown>;
  const mode = (REVOCATION_MODES as readonly unknown[]).includes(o["revocation"]) ? (o["revocation"] as RevocationMode) : "soft-fail";
  const off = Array.isArray(l["off"]) ? [...new Set((l["off"] as unknown[]).filter((x): x is string => typeof x === "string" && x.length < 200))] : [];
  return { revocation: mode, ldap: { enabled: l["enabled"] !== false, off } };
}

export async function getChecks(): Promise<CertificateChecks> {
  return normalizeChecks((await messenger.storage.local.get(CHECKS_KEY))[CHECKS_KEY]);
}

const listeners: Array<(checks: CertificateChecks) => void> = [];

/** Called after every change (results computed under the old settings are stale). */
export function onChecksChanged(listener: (checks: CertificateChecks) => void): void {
  listeners.push(listener);
}

export async function setChecks(v: unknown): Promise<CertificateChecks> {
  const checks = normalizeChecks(v);
  await messenger.storage.local.set({ [CHECKS_KEY]: checks });
  for (const l of listeners) l(checks);
  return checks;
}

function ldapApi(): typeof messenger.ldapDirectory | undefined {
  try {
    return (messenger as { ldapDirectory?: typeof messenger.ldapDirectory }).ldapDirectory;
  } catch {
    return undefined;
  }
}

/** Thunderbird's LDAP address books, with whether Sealbird searches each. */
export async function ldapDirectoryViews(checks?: CertificateChecks): Promise<LdapDirectoryView[]> {
  const api = ldapApi();
  if (!api) return [];
  const c = checks ?? (await getChecks());
  const list = await api.list().catch(() => []);
  return list.map((d) => ({ id: d.id, name: d.name, uri: d.uri, needsLogin: d.needsLogin, enabled: c.ldap.enabled && !c.ldap.off.includes(d.id) }));
}
