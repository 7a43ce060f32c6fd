/**
 * Key discovery in the add-on: looks up recipients the composer has no key for, the "Find
 * key" of the options page, and the slow refresh of known correspondents' keys. Every lookup
 * first asks the user's settings (which sources) and Thunderbird (whether the user granted the
 * optional host permission): without both, nothing leaves the machine.
 *
 * A lookup's outcome is kept per address for this session, so a composer asks once, not on
 * every change of the recipient list; a failure is asked again only after a while.
 */
import { SealbirdError, isSealbirdError, type ErrorCode } from "../../core/errors.js";
import {
  DEFAULT_DISCOVERY_SETTINGS,
  discoverKeys,
  dueForRefresh,
  readDiscoverySettings,
  refreshKnownKey,
  sourcesOf,
  writeDiscoverySettings,
  publishRevocation,
  type DiscoverySettings,
  type HttpGet,
  type PublishOutcome,
} from "../../core/discovery/index.js";
import type { HttpFetch } from "../../core/net/http.js";
import { browserHttpFetch } from "../net/http-fetch.js";
import type { KeystoreService } from "../keystore-service.js";
import { fetchHttpGet } from "./http-get.js";

import { LOOKUP_ORIGINS } from "./origins.js";

export interface LookupStatus {
  state: "looking-up" | "found" | "pending" | "failed";
  /** For failed. */
  code?: ErrorCode;
  /** For found / pending. */
  source?: "wkd" | "keyserver";
  fingerprint?: string;
  url?: string;
  at: number;
}

/** What the options page shows for the discovery settings. */
export interface DiscoveryState {
  settings: DiscoverySettings;
  /** The user granted Sealbird access to HTTPS servers (Thunderbird's permission prompt). */
  permitted: boolean;
}

/** A failed lookup is asked again after this long (the composer would otherwise hammer a dead server). */
const RETRY_MS = 10 * 60 * 1000;
/** A found key needs no new lookup in the same session. */
const FOUND_MS = 12 * 60 * 60 * 1000;

export interface PermissionsApi {
  contains(p: { origins: string[] }): Promise<boolean>;
}

export class DiscoveryService {
  private readonly status = new Map<string, LookupStatus>();
  private readonly running = new Map<string, Promise<LookupStatus>>();
  private readonly listeners: Array<(email: string) => void> = [];

  constructor(
    private readonly keystore: KeystoreService,
    private readonly get: HttpGet = fetchHttpGet,
    private readonly permissions: PermissionsApi = messenger.permissions,
    private readonly send: HttpFetch = browserHttpFetch(),
  ) {}

  onChange(listener: (email: string) => void): void {
    this.listeners.push(listener);
  }

  private changed(email: string): void {
    for (const l of this.listeners) {
      try {
        l(email);
      } catch {
        // one listener's failure is not the lookup's
      }
    }
  }

  async state(): Promise<DiscoveryState> {
    return { settings: await this.settings(), permitted: await this.permitted() };
  }

  async settings(): Promise<DiscoverySettings> {
    const ks = await this.keystore.state();
    if (!ks.exists) return { ...DEFAULT_DISCOVERY_SETTINGS };
    return readDiscoverySettings((await this.keystore.keyring()).store);
  }

  async setSettings(v: Partial<DiscoverySettings>): Promise<DiscoveryState> {
    await writeDiscoverySettings((await this.keystore.keyring()).store, v);
    // What was not allowed before may be now (and the other way round): ask again.
    this.status.clear();
    return this.state();
  }

  private async permitted(): Promise<boolean> {
    return this.permissions.contains({ origins: LOOKUP_ORIGINS }).catch(() => false);
  }

  /** The permission changed (granted or withdrawn in the options page or the Add-ons Manager). */
  permissionChanged(): void {
    this.status.clear();
  }

  /**
   * The composer's question for a recipient without a usable key: the outcome known so far,
   * starting a lookup when there is none (or an old failure). Never waits for the network.
   */
  request(email: string): LookupStatus | undefined {
    const addr = email.trim().toLowerCase();
    const known = this.status.get(addr);
    const now = Date.now();
    if (known && (known.state === "looking-up" || now - known.at < (known.state === "failed" ? RETRY_MS : FOUND_MS))) return known;
    // Shown at once; the lookup itself may still find it is not allowed.
    const asking: LookupStatus = { state: "looking-up", at: now };
    this.status.set(addr, asking);
    void this.lookup(addr);
    return this.status.get(addr) ?? asking;
  }

  /** What is known of a lookup for this address in this session (nothing is started). */
  known(email: string): LookupStatus | undefined {
    return this.status.get(email.trim().toLowerCase());
  }

  /** "Find key": the user asks now, whatever an earlier lookup said. */
  async lookupNow(email: string): Promise<LookupStatus> {
    const addr = email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(addr)) throw new SealbirdError("usage", "This is not an e-mail address.");
    return this.lookup(addr);
  }

  private lookup(addr: string): Promise<LookupStatus> {
    let p = this.running.get(addr);
    if (p) return p;
    p = this.run(addr).finally(() => this.running.delete(addr));
    this.running.set(addr, p);
    return p;
  }

  private async run(addr: string): Promise<LookupStatus> {
    const set = (s: Omit<LookupStatus, "at">): LookupStatus => {
      const v = { ...s, at: Date.now() };
      this.status.set(addr, v);
      this.changed(addr);
      return v;
    };
    try {
      const ks = await this.keystore.state();
      // Without a keystore a found key has nowhere to go: nothing is asked.
      if (!ks.exists) return set({ state: "failed", code: "keystore-not-found" });
      const settings = await this.settings();
      const sources = sourcesOf(settings);
      if (!sources.wkd && !sources.keyserver) return set({ state: "failed", code: "lookup-not-allowed" });
      if (!(await this.permitted())) return set({ state: "failed", code: "lookup-not-allowed" });
      if (this.status.get(addr)?.state !== "looking-up") set({ state: "looking-up" });
      const found = await discoverKeys(addr, sources, this.get);
      const stored = await (await this.keystore.keyring()).storeFound(found);
      const mine = stored.find((s) => s.emails.includes(addr) && s.outcome !== "own") ?? stored[0];
      const f = found.find((x) => x.info.fingerprint === mine?.fingerprint) ?? found[0]!;
      return set({ state: mine?.pending ? "pending" : "found", source: f.source, fingerprint: f.info.fingerprint, url: f.url });
    } catch (e) {
      return set({ state: "failed", code: isSealbirdError(e) ? e.code : "internal" });
    }
  }

  /**
   * After the user revoked one of our keys: the revocation goes to the allowed sources where
   * the key is published (nothing is sent where it is not, or without the settings and the
   * permission: `allowed` false).
   */
  async publishRevocation(id: string): Promise<{ allowed: boolean; outcomes: PublishOutcome[] }> {
    const r = await (await this.keystore.keyring()).store.getRecord(id);
    if (r.kind !== "pgp-secret-key" || r.public["revoked"] !== true) throw new SealbirdError("usage", "Only a revoked key of yours is published here.");
    const sources = sourcesOf(await this.settings());
    if ((!sources.wkd && !sources.keyserver) || !(await this.permitted())) return { allowed: false, outcomes: [] };
    const key = { fingerprint: String(r.public["fingerprint"]), armored: String(r.public["publicKey"]), emails: (r.public["emails"] as string[] | undefined) ?? [] };
    const outcomes = await publishRevocation(key, sources, this.get, this.send);
    for (const e of key.emails) this.changed(e);
    return { allowed: true, outcomes };
  }

  /**
   * One turn of the slow refresh: the correspondent's key that went longest unchecked, if it is
   * due. Quiet: the outcome is merged into the keystore (a different key stays pending).
   */
  async refreshDue(now: Date = new Date()): Promise<{ fingerprint: string; outcome: string } | null> {
    const ks = await this.keystore.state();
    if (!ks.exists) return null;
    const settings = await this.settings();
    const sources = sourcesOf(settings);
    if (!settings.refresh || (!sources.wkd && !sources.keyserver) || !(await this.permitted())) return null;
    const ring = await this.keystore.keyring();
    const candidates = (await ring.store.listRecords("pgp-public-key"))
      .filter((r) => r.public["pending"] !== true)
      .map((r) => ({
        id: r.id,
        fingerprint: String(r.public["fingerprint"]),
        emails: (r.public["emails"] as string[] | undefined) ?? [],
        ...(typeof r.public["checkedAt"] === "string" ? { checkedAt: r.public["checkedAt"] } : {}),
      }));
    const due = dueForRefresh(candidates, now);
    if (!due) return null;
    const result = await refreshKnownKey(due, sources, this.get);
    await ring.markChecked(due.id, now.toISOString());
    const stored = await ring.storeFound(result.found, now.toISOString());
    for (const e of due.emails) this.changed(e);
    const own = stored.find((s) => s.fingerprint === due.fingerprint);
    return { fingerprint: due.fingerprint, outcome: own?.outcome ?? (stored.some((s) => s.pending) ? "pending" : (result.attempts[0]?.code ?? "unchanged")) };
  }
}
