/**
 * Which key sources the user allows. Stored as one public "setting" record of the keystore
 * (readable while it is locked, shared by the add-on and the CLI). Nothing leaves the machine
 * for a source that is off: WKD asks the recipient's own domain and is on by default; a
 * keyserver learns whom you write to and is opt-in.
 */
import type { Keystore } from "../keystore/index.js";
import { DEFAULT_KEYSERVER, normalizeKeyserver } from "./keyserver.js";

export interface DiscoverySettings {
  /** Web Key Directory of the recipient's domain. */
  wkd: boolean;
  /** The keyserver at `keyserverUrl`. */
  keyserver: boolean;
  keyserverUrl: string;
  /** Now and then ask the enabled sources again for known correspondents' keys. */
  refresh: boolean;
  /** Learn keys from Autocrypt-Gossip headers inside decrypted mail (nothing is fetched). */
  gossip: boolean;
}

export const DEFAULT_DISCOVERY_SETTINGS: Readonly<DiscoverySettings> = Object.freeze({
  wkd: true,
  keyserver: false,
  keyserverUrl: DEFAULT_KEYSERVER,
  refresh: true,
  gossip: true,
});

const SETTING = "discovery";

const bool = (v: unknown, d: boolean): boolean => (typeof v === "boolean" ? v : d);

/** Any stored or received value as well-formed settings; a bad keyserver address keeps the default. */
export function normalizeDiscoverySettings(v: unknown): DiscoverySettings {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const d = DEFAULT_DISCOVERY_SETTINGS;
  let keyserverUrl = d.keyserverUrl;
  if (typeof o["keyserverUrl"] === "string") {
    try {
      keyserverUrl = normalizeKeyserver(o["keyserverUrl"]);
    } catch {
      // keep the default
    }
  }
  return { wkd: bool(o["wkd"], d.wkd), keyserver: bool(o["keyserver"], d.keyserver), keyserverUrl, refresh: bool(o["refresh"], d.refresh), gossip: bool(o["gossip"], d.gossip) };
}

async function recordId(store: Keystore): Promise<string | undefined> {
  return (await store.listRecords("setting")).find((r) => r.public["setting"] === SETTING)?.id;
}

export async function readDiscoverySettings(store: Keystore): Promise<DiscoverySettings> {
  const id = await recordId(store);
  return normalizeDiscoverySettings(id ? (await store.getRecord(id)).public["value"] : undefined);
}

/** Stores the settings; an invalid keyserver address is refused (`usage`) rather than replaced. */
export async function writeDiscoverySettings(store: Keystore, v: Partial<DiscoverySettings>): Promise<DiscoverySettings> {
  const current = await readDiscoverySettings(store);
  const next = normalizeDiscoverySettings({ ...current, ...v, keyserverUrl: v.keyserverUrl !== undefined ? normalizeKeyserver(v.keyserverUrl) : current.keyserverUrl });
  const value = { ...next } as unknown as Record<string, unknown>;
  const id = await recordId(store);
  if (id) await store.updateRecord(id, { public: { setting: SETTING, value } });
  else await store.addRecord({ kind: "setting", label: SETTING, public: { setting: SETTING, value } });
  return next;
}
