/**
 * Sending policy: per-identity defaults (sign, encrypt when possible, technology) and
 * per-domain rules. Stored as one "setting" record (public only, so it is readable while the
 * keystore is locked). The composer reads it with getPolicy().
 *
 *   const policy = await getPolicy();
 *   const forMe = identityPolicy(policy, "me@firma.de");
 *   const rule = domainRuleFor(policy, "kunde@kanzlei.de"); // "always-encrypt" | "never-unencrypted" | undefined
 */
import { SealbirdError } from "../../core/errors.js";
import { IndexedDbBackend, Keystore } from "../../core/keystore/index.js";
import { isSealbirdError } from "../../core/errors.js";
import type { DomainRule, DomainRuleKind, IdentityPolicy, Policy, Technology } from "./types.js";

export type { DomainRule, DomainRuleKind, IdentityPolicy, Policy, Technology } from "./types.js";

const SETTING = "policy";

export const DEFAULT_IDENTITY_POLICY: Readonly<IdentityPolicy> = Object.freeze({ signByDefault: true, encryptWhenPossible: true, technology: "smime" });

export function defaultPolicy(): Policy {
  return { defaults: { ...DEFAULT_IDENTITY_POLICY }, identities: {}, domains: [] };
}

function identityPolicyFrom(v: unknown, fallback: IdentityPolicy): IdentityPolicy {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  return {
    signByDefault: typeof o["signByDefault"] === "boolean" ? o["signByDefault"] : fallback.signByDefault,
    encryptWhenPossible: typeof o["encryptWhenPossible"] === "boolean" ? o["encryptWhenPossible"] : fallback.encryptWhenPossible,
    technology: o["technology"] === "openpgp" || o["technology"] === "smime" ? (o["technology"] as Technology) : fallback.technology,
  };
}

/** "@Example.ORG " → "example.org"; null when it is not a domain name. */
export function normalizeDomain(d: unknown): string | null {
  if (typeof d !== "string") return null;
  const s = d.trim().replace(/^@/, "").toLowerCase();
  return /^(?=.{1,253}$)([a-z0-9\u00c0-\uffff]([a-z0-9\u00c0-\uffff-]{0,61}[a-z0-9\u00c0-\uffff])?\.)+[a-z0-9\u00c0-\uffff-]{2,63}$/.test(s) ? s : null;
}

/** Makes any stored or received value a well-formed Policy (unknown fields dropped). */
export function normalizePolicy(v: unknown): Policy {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const defaults = identityPolicyFrom(o["defaults"], DEFAULT_IDENTITY_POLICY);
  const identities: Record<string, IdentityPolicy> = {};
  const ids = o["identities"];
  if (ids && typeof ids === "object") {
    for (const [email, p] of Object.entries(ids as Record<string, unknown>)) {
      if (email.includes("@")) identities[email.trim().toLowerCase()] = identityPolicyFrom(p, defaults);
    }
  }
  const domains: DomainRule[] = [];
  const seen = new Set<string>();
  for (const r of Array.isArray(o["domains"]) ? (o["domains"] as unknown[]) : []) {
    const rr = (r && typeof r === "object" ? r : {}) as Record<string, unknown>;
    const domain = normalizeDomain(rr["domain"]);
    const rule = rr["rule"];
    if (!domain || (rule !== "always-encrypt" && rule !== "never-unencrypted")) continue;
    if (seen.has(`${domain} ${rule}`)) continue;
    seen.add(`${domain} ${rule}`);
    domains.push({ domain, rule });
  }
  return { defaults, identities, domains };
}

async function findRecord(store: Keystore): Promise<string | undefined> {
  return (await store.listRecords("setting")).find((r) => r.public["setting"] === SETTING)?.id;
}

export async function readPolicy(store: Keystore): Promise<Policy> {
  const id = await findRecord(store);
  if (!id) return defaultPolicy();
  return normalizePolicy((await store.getRecord(id)).public["value"]);
}

export async function writePolicy(store: Keystore, policy: unknown): Promise<Policy> {
  const p = normalizePolicy(policy);
  const value = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
  const id = await findRecord(store);
  if (id) await store.updateRecord(id, { public: { setting: SETTING, value } });
  else await store.addRecord({ kind: "setting", label: SETTING, public: { setting: SETTING, value } });
  return p;
}

/**
 * The current policy, for the composer. Reads the keystore's public records (works while
 * locked); without a keystore the defaults apply. Pass a store to read another one (tests).
 */
export async function getPolicy(store?: Keystore): Promise<Policy> {
  if (store) return readPolicy(store);
  try {
    return await readPolicy(await Keystore.open(new IndexedDbBackend()));
  } catch (e) {
    if (isSealbirdError(e) && e.code === "keystore-not-found") return defaultPolicy();
    throw e;
  }
}

export function identityPolicy(policy: Policy, email: string): IdentityPolicy {
  return policy.identities[email.trim().toLowerCase()] ?? policy.defaults;
}

/** The strictest rule for a recipient's domain (subdomains included): never-unencrypted wins. */
export function domainRuleFor(policy: Policy, recipient: string): DomainRuleKind | undefined {
  const at = recipient.lastIndexOf("@");
  const domain = (at >= 0 ? recipient.slice(at + 1) : recipient).trim().toLowerCase();
  if (!domain) return undefined;
  const matching = policy.domains.filter((r) => domain === r.domain || domain.endsWith(`.${r.domain}`));
  if (matching.some((r) => r.rule === "never-unencrypted")) return "never-unencrypted";
  if (matching.length) return "always-encrypt";
  return undefined;
}

export function assertPolicyInput(v: unknown): void {
  if (!v || typeof v !== "object") throw new SealbirdError("usage", "A policy object is needed.");
}
