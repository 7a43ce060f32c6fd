// The composer's key lookups and the slow refresh, run by the add-on's DiscoveryService against
// the real nginx on 127.0.0.1 (test/servers/key-directory.mjs) through the CLI's node:https
// transport (the background's fetch transport is proven in test/e2e/discovery.e2e.mjs).
// Thunderbird's messenger API is a stand-in here; the keystore is the add-on's IndexedDB one.
import "fake-indexeddb/auto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storageArea } from "./storage-area.js";
import { startKeyDirectory, type KeyDirectory } from "../servers/key-directory.mjs";
import { nodeHttpGet, parseConnectTo } from "../../src/node/http-get.js";
import { generatePgpKey } from "../../src/core/pgp/index.js";
import { utf8 } from "../../src/core/bytes.js";
import type { ComposeView } from "../../src/background/compose/types.js";

type Details = messenger.compose.ComposeDetails;
const details = new Map<number, Details>();
(globalThis as unknown as { messenger: unknown }).messenger = {
  storage: { session: storageArea(), local: storageArea() },
  i18n: { getMessage: (key: string) => key },
  runtime: { getURL: (p: string) => `moz-extension://test/${p}` },
  identities: { get: async () => ({ email: "alice@example.org" }), list: async () => [] },
  messages: { getRaw: async () => Promise.reject(new Error("none")) },
  windows: { create: async () => ({ id: 1 }) },
  composeAction: { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined, setTitle: async () => undefined, setLabel: async () => undefined, setIcon: async () => undefined },
  compose: { getComposeDetails: async (tabId: number) => details.get(tabId)!, setComposeDetails: async () => undefined },
  composeSecure: { configure: async () => undefined, notify: async () => undefined, ownCrypto: async () => ({ encrypt: false, sign: false, technology: "OpenPGP" }), sendNow: async () => undefined, draftMessageId: async () => null },
};

const { KeystoreService } = await import("../../src/background/keystore-service.js");
const { ComposeService } = await import("../../src/background/compose/service.js");
const { DiscoveryService } = await import("../../src/background/discovery/service.js");
const { writePolicy } = await import("../../src/background/options/policy.js");

let kd: KeyDirectory;
let keystore: InstanceType<typeof KeystoreService>;
let discovery: InstanceType<typeof DiscoveryService>;
let compose: InstanceType<typeof ComposeService>;
let granted = true;
let tab = 500;
let seen = 0;

async function asked(): Promise<string[]> {
  const all = await kd.web.requests();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh.map((r) => `${r.host}${r.uri}`);
}

/** Refreshes the composer until `pred` holds for its view (lookups run in the background). */
async function viewUntil(tabId: number, pred: (v: ComposeView) => boolean): Promise<ComposeView> {
  for (let i = 0; i < 200; i++) {
    const v = await compose.refresh(tabId);
    if (pred(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`view never matched: ${JSON.stringify((await compose.refresh(tabId)).recipients)}`);
}

beforeAll(async () => {
  kd = await startKeyDirectory();
  keystore = new KeystoreService();
  await keystore.create("discovery unit test passphrase");
  const ring = await keystore.keyring();
  await ring.generatePgp({ name: "Alice", email: "alice@example.org" });
  await writePolicy(ring.store, { defaults: { signByDefault: false, encryptWhenPossible: true, technology: "openpgp" } });
  const get = nodeHttpGet({ connectTo: parseConnectTo(kd.connectTo), extraCa: [kd.ca.pem] });
  discovery = new DiscoveryService(keystore, get, { contains: async () => granted });
  compose = new ComposeService(keystore, discovery);
  compose.register = () => undefined;
}, 120_000);

afterAll(async () => {
  await kd?.stop();
});

beforeEach(async () => {
  tab++;
  granted = true;
  await discovery.setSettings({ wkd: true, keyserver: false, gossip: true, refresh: true });
  await asked();
});

describe("lookups from the composer", () => {
  it("without the user's permission nothing is asked: the recipient shows lookup-not-allowed", async () => {
    granted = false;
    details.set(tab, { from: "alice@example.org", to: ["dave@advanced.test"] });
    const v = await viewUntil(tab, (x) => x.recipients[0]?.lookup?.state === "failed");
    expect(v.recipients[0]!.lookup).toEqual({ state: "failed", code: "lookup-not-allowed" });
    expect(v.missing).toEqual(["dave@advanced.test"]);
    expect(await asked()).toEqual([]);
  });

  it("with every source off nothing is asked either", async () => {
    await discovery.setSettings({ wkd: false, keyserver: false });
    details.set(tab, { from: "alice@example.org", to: ["dave@advanced.test"] });
    const v = await viewUntil(tab, (x) => x.recipients[0]?.lookup?.state === "failed");
    expect(v.recipients[0]!.lookup?.code).toBe("lookup-not-allowed");
    expect(await asked()).toEqual([]);
  });

  it("a keyless recipient is looked up (looking up… then found by WKD); the key is used and Encrypt comes on", async () => {
    details.set(tab, { from: "alice@example.org", to: ["dave@advanced.test", "judy@nokey.test"] });
    const first = await compose.refresh(tab);
    expect(first.recipients.map((r) => r.lookup?.state)).toEqual(["looking-up", "looking-up"]);
    const v = await viewUntil(tab, (x) => x.recipients.every((r) => r.lookup && r.lookup.state !== "looking-up"));
    expect(v.recipients[0]).toMatchObject({ email: "dave@advanced.test", uses: "openpgp", pgp: { trusted: true, source: "wkd" }, lookup: { state: "found", source: "wkd" } });
    expect(v.recipients[1]).toMatchObject({ email: "judy@nokey.test", lookup: { state: "failed", code: "lookup-not-found" } });
    expect(v.missing).toEqual(["judy@nokey.test"]);
    // Asked once each, however often the composer refreshed.
    const log = await asked();
    expect(log.filter((r) => r.startsWith("openpgpkey.advanced.test"))).toHaveLength(1);
    details.set(tab, { from: "alice@example.org", to: ["dave@advanced.test"] });
    expect(await compose.refresh(tab)).toMatchObject({ encrypt: true, encryptReason: "all-have-keys", missing: [] });
  });

  it("each failure mode reaches the composer as its typed code; the composer keeps working", async () => {
    const cases: Record<string, string> = {
      "frank@wronguid.test": "lookup-wrong-user-id",
      "gina@junk.test": "lookup-malformed",
      "hal@big.test": "network-too-large",
      "ivan@err500.test": "network-http",
      "leo@untrusted.test": "network-tls",
      "mia@unreachable.test": "network-unreachable",
    };
    details.set(tab, { from: "alice@example.org", to: Object.keys(cases) });
    const v = await viewUntil(tab, (x) => x.recipients.every((r) => r.lookup?.state === "failed"));
    expect(Object.fromEntries(v.recipients.map((r) => [r.email, r.lookup?.code]))).toEqual(cases);
    expect(v.missing).toEqual(Object.keys(cases));
    expect((await keystore.keyring().then((r) => r.list())).some((e) => Object.keys(cases).some((c) => e.emails.includes(c)))).toBe(false);
  });

  it("an expired key is never used: the composer says why, looks the address up, and the key found waits pending", async () => {
    const ring = await keystore.keyring();
    const old = await generatePgpKey({ email: "erin@direct.test" }, { expiresInSeconds: 60, date: new Date(Date.now() - 3600_000) });
    await ring.importPgp(utf8(old.publicKey.armor()));
    details.set(tab, { from: "alice@example.org", to: ["erin@direct.test"] });
    const v = await viewUntil(tab, (x) => x.recipients[0]?.lookup?.state === "pending");
    expect(v.recipients[0]).toMatchObject({ email: "erin@direct.test", pgp: { unusable: "expired", trusted: true }, lookup: { state: "pending", source: "wkd" } });
    expect(v.recipients[0]!.uses).toBeUndefined();
    expect(v.missing).toEqual(["erin@direct.test"]);
    await expect(ring.pgpPublicFor(["erin@direct.test"])).rejects.toMatchObject({ details: { unusable: { "erin@direct.test": "expired" } } });
  });
});

describe("the slow refresh", () => {
  it("one key per turn, the longest unchecked first; a key checked recently waits", async () => {
    const ring = await keystore.keyring();
    const records = await ring.store.listRecords("pgp-public-key");
    const dave = records.find((r) => (r.public["emails"] as string[]).includes("dave@advanced.test"))!;
    // Dave's key was found just now: not due. Make it a week and a day old.
    await ring.store.updateRecord(dave.id, { public: { ...dave.public, checkedAt: new Date(Date.now() - 8 * 86400_000).toISOString() } });
    const erinOld = records.find((r) => (r.public["emails"] as string[]).includes("erin@direct.test") && r.public["pending"] !== true)!;
    await ring.store.updateRecord(erinOld.id, { public: { ...erinOld.public, checkedAt: new Date(Date.now() - 20 * 86400_000).toISOString() } });
    const first = await discovery.refreshDue();
    expect(first?.fingerprint).toBe(erinOld.public["fingerprint"]);
    const second = await discovery.refreshDue();
    expect(second).toEqual({ fingerprint: kd.keys.dave.fingerprint.toLowerCase(), outcome: "unchanged" });
    expect(await discovery.refreshDue()).toBeNull();
    expect((await asked()).length).toBeGreaterThan(0);
  });

  it("is off when the setting is off, or without the permission", async () => {
    await discovery.setSettings({ refresh: false });
    const far = new Date(Date.now() + 30 * 86400_000);
    expect(await discovery.refreshDue(far)).toBeNull();
    await discovery.setSettings({ refresh: true });
    granted = false;
    expect(await discovery.refreshDue(far)).toBeNull();
    expect(await asked()).toEqual([]);
  });
});
