import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { openKeyringMaybeLocked } from "../keystore-access.js";
import { EXIT } from "../exit-codes.js";
import { SealbirdError } from "../../core/errors.js";
import type { Keyring, StoredEntry } from "../../core/keyring/keyring.js";
import {
  DEFAULT_DISCOVERY_SETTINGS,
  bestFailure,
  discoverKeys,
  normalizeKeyserver,
  readDiscoverySettings,
  refreshKnownKey,
  sourcesOf,
  type FoundKey,
  type LookupSources,
} from "../../core/discovery/index.js";
import { nodeHttpGet, parseConnectTo } from "../../node/http-get.js";
import { LDAP_LOOKUP_HELP, ldapLookup } from "./lookup.js";

const OPTIONS = {
  ...KEYSTORE_OPTIONS,
  wkd: { type: "boolean" },
  keyserver: { type: "string" },
  json: { type: "boolean" },
  "no-store": { type: "boolean" },
} as const;

const NETWORK_HELP = `  Without --wkd/--keyserver the keystore's settings apply (WKD on, keyserver off by default);
  with them, exactly the sources named. Only HTTPS is used. A key for an address that already
  has a different key is stored pending: it is used only after \`sealbird import\` or acceptance.
  NODE_EXTRA_CA_CERTS=FILE        also trust these CA certificates for HTTPS
  SEALBIRD_CONNECT_TO=H:P:ADDR:P  send requests for host H, port P to ADDR (curl's --connect-to)
`;

async function sources(ring: Keyring | null, values: { wkd?: boolean; keyserver?: string }): Promise<LookupSources> {
  if (values.wkd || values.keyserver !== undefined) {
    return { wkd: values.wkd === true, ...(values.keyserver !== undefined ? { keyserver: normalizeKeyserver(values.keyserver) } : {}) };
  }
  return sourcesOf(ring ? await readDiscoverySettings(ring.store) : DEFAULT_DISCOVERY_SETTINGS);
}

function http() {
  return nodeHttpGet({ connectTo: parseConnectTo(process.env["SEALBIRD_CONNECT_TO"]) });
}

function describeKey(f: FoundKey): string {
  const when = f.info.revoked ? " (revoked)" : f.info.expires ? ` (expires ${f.info.expires.slice(0, 10)})` : "";
  return `key: ${f.info.fingerprint} ${f.info.userIds.join(", ")}${when}`;
}

function describeStored(s: StoredEntry): string {
  return s.outcome === "pending" ? `stored: pending — ${s.emails.join(", ")} already has another key; accept it to use it` : `stored: ${s.outcome}`;
}

export const lookupCommand: Command = {
  help: `  --wkd              ask the Web Key Directory of the address's domain
  --keyserver URL    ask this keyserver (VKS /vks/v1/by-email/, then HKP /pks/lookup), e.g. keys.openpgp.org
  --json             the result as JSON
  --no-store         only show what was found
${LDAP_LOOKUP_HELP}${NETWORK_HELP}`,
  async run(args) {
    if (args.includes("--ldap")) return ldapLookup.run(args);
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, names: "ADDRESS" });
    const email = positionals[0]!.trim().toLowerCase();
    const ring = values["no-store"] ? null : await openKeyringMaybeLocked(values);
    const found = await discoverKeys(email, await sources(ring, values), http());
    const stored = ring ? await ring.storeFound(found) : [];
    if (values.json) {
      const keys = found.map((f) => ({ fingerprint: f.info.fingerprint, userIds: f.info.userIds, expires: f.info.expires, revoked: f.info.revoked, source: f.source, url: f.url }));
      process.stdout.write(JSON.stringify({ email, keys, stored: stored.map((s) => ({ id: s.id, fingerprint: s.fingerprint, outcome: s.outcome })) }, null, 2) + "\n");
    } else {
      const lines = [`found: ${found[0]!.source} ${found[0]!.url}`, ...found.map(describeKey), ...stored.map(describeStored)];
      process.stdout.write(lines.join("\n") + "\n");
    }
    return EXIT.ok;
  },
};

export const refreshCommand: Command = {
  help: `  Each key is asked for once: WKD by its first address, the keyserver by its fingerprint.
  New key material of a known key is merged; a different key for its address is stored pending.
  Exit code 0 when the run finished; each key's line says what happened ("failed: CODE").
${NETWORK_HELP}`,
  async run(args) {
    const { values } = parse(args, OPTIONS, { min: 0, max: 0, names: "no arguments" });
    const ring = await openKeyringMaybeLocked(values);
    if (!ring) throw new SealbirdError("usage", "no keystore: pass --keystore DIR or set SEALBIRD_KEYSTORE");
    const src = await sources(ring, values);
    if (!src.wkd && !src.keyserver) throw new SealbirdError("lookup-not-allowed", "Key lookups are switched off in the settings.");
    const get = http();
    const report: Array<{ fingerprint: string; emails: string[]; outcomes: string[]; failed?: string }> = [];
    for (const r of await ring.store.listRecords("pgp-public-key")) {
      const k = { fingerprint: String(r.public["fingerprint"]), emails: (r.public["emails"] as string[] | undefined) ?? [] };
      const result = await refreshKnownKey(k, src, get);
      await ring.markChecked(r.id);
      const stored = await ring.storeFound(result.found);
      const outcomes = stored.map((s) => (s.fingerprint === k.fingerprint ? s.outcome : `${s.outcome} ${s.fingerprint}`));
      report.push({ fingerprint: k.fingerprint, emails: k.emails, outcomes, ...(result.found.length ? {} : { failed: bestFailure(result.attempts).code }) });
    }
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else {
      const line = (x: (typeof report)[number]) =>
        `${x.fingerprint} ${x.emails.join(", ")}: ${x.outcomes.length ? x.outcomes.join(", ") : `failed: ${x.failed}`}`;
      process.stdout.write(report.map(line).join("\n") + (report.length ? "\n" : "no correspondents' keys\n"));
    }
    return EXIT.ok;
  },
};
