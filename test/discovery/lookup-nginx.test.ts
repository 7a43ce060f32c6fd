// Key discovery against the real nginx on 127.0.0.1 serving a WKD tree and keyserver paths that
// the real gpg made (test/servers/key-directory.mjs), through the CLI's own node:https transport.
// Every failure mode gives its typed error; what the servers were asked is read from nginx's log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startKeyDirectory, type KeyDirectory } from "../servers/key-directory.mjs";
import { discoverKeys, lookupWkd, refreshKnownKey, wkdUrls, type HttpGet } from "../../src/core/discovery/index.js";
import { nodeHttpGet, parseConnectTo } from "../../src/node/http-get.js";
import { Keystore, MemoryBackend } from "../../src/core/keystore/index.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { parseKeys } from "../../src/core/pgp/context.js";
import { armoredKeyUsability } from "../../src/core/pgp/usability.js";

let kd: KeyDirectory;
let get: HttpGet;
let seen = 0;

beforeAll(async () => {
  kd = await startKeyDirectory();
  // The test CA in addition to the system's, as NODE_EXTRA_CA_CERTS gives it to the CLI.
  get = nodeHttpGet({ connectTo: parseConnectTo(kd.connectTo), extraCa: [kd.ca.pem] });
}, 120_000);

afterAll(async () => {
  await kd?.stop();
});

/** The requests nginx saw since the last call. */
async function asked(): Promise<string[]> {
  const all = await kd.web.requests();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh.map((r) => `${r.host}${r.uri}`);
}

beforeEach(async () => {
  await asked();
});

const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
const freshRing = async () => new Keyring(await Keystore.create(new MemoryBackend(), "pass-pass", WEAK));

describe("WKD names", () => {
  it("the hash equals gpg-wks-client's (only ASCII letters lowercased); ?l= carries the local part unchanged", async () => {
    for (const email of ["dave@advanced.test", "Dave.Mixed+Tag@Advanced.Test", "ünïcode@direct.test"]) {
      const r = spawnSync("/usr/lib/gnupg/gpg-wks-client", ["--print-wkd-hash", email], { encoding: "utf8" });
      expect(r.status).toBe(0);
      const theirs = r.stdout.trim().split(/\s+/)[0];
      const ours = new URL((await wkdUrls(email)).advanced);
      const domain = email.split("@")[1]!.toLowerCase();
      expect(ours.host).toBe(`openpgpkey.${domain}`);
      expect(ours.pathname).toBe(`/.well-known/openpgpkey/${domain}/hu/${theirs}`);
      expect(ours.searchParams.get("l")).toBe(email.split("@")[0]);
    }
    const d = await wkdUrls("Dave.Mixed@Advanced.Test");
    expect(d.direct).toMatch(/^https:\/\/advanced\.test\/\.well-known\/openpgpkey\/hu\/[a-z0-9]{32}\?l=Dave\.Mixed$/);
  });
});

describe("WKD lookups (nginx, gpg-made tree)", () => {
  it("advanced method: dave's key, as gpg exported it, cut to his user id", async () => {
    const [found, ...more] = await lookupWkd("dave@advanced.test", get);
    expect(more).toEqual([]);
    expect(found!.info.fingerprint).toBe(kd.keys.dave.fingerprint.toLowerCase());
    expect(found!.source).toBe("wkd");
    expect(found!.url).toBe((await wkdUrls("dave@advanced.test")).advanced);
    expect(found!.info.emails).toEqual(["dave@advanced.test"]);
    expect(await asked()).toEqual([`openpgpkey.advanced.test${new URL(found!.url).pathname}?l=dave`]);
  });

  it("direct method when the openpgpkey subdomain does not answer", async () => {
    const [found] = await lookupWkd("erin@direct.test", get);
    expect(found!.info.fingerprint).toBe(kd.keys.erin.fingerprint.toLowerCase());
    expect(found!.url).toBe((await wkdUrls("erin@direct.test")).direct);
  });

  const failures: Array<[string, string, Record<string, unknown>?]> = [
    ["frank@wronguid.test", "lookup-wrong-user-id"],
    ["gina@junk.test", "lookup-malformed"],
    ["hal@big.test", "network-too-large"],
    ["ivan@err500.test", "network-http", { status: 500 }],
    ["judy@nokey.test", "lookup-not-found"],
    ["kim@slow.test", "network-timeout"],
    ["leo@untrusted.test", "network-tls"],
    ["mia@unreachable.test", "network-unreachable"],
  ];
  for (const [email, code, extra] of failures) {
    it(`${email}: ${code}, and nothing is stored`, async () => {
      const ring = await freshRing();
      const err = await discoverKeys(email, { wkd: true }, get, { timeoutMs: 2500 }).then(
        () => null,
        (e: unknown) => e as { code: string; details: Record<string, unknown> },
      );
      expect(err?.code).toBe(code);
      if (extra) expect(err?.details).toMatchObject(extra);
      expect(await ring.list()).toEqual([]);
    });
  }
});

describe("keyserver lookups and privacy", () => {
  it("VKS: WKD first (404 on keyserver.test), then keys.test's /vks/v1/by-email/", async () => {
    const [found] = await discoverKeys("nora@keyserver.test", { wkd: true, keyserver: "https://keys.test" }, get);
    expect(found!.source).toBe("keyserver");
    expect(found!.info.fingerprint).toBe(kd.keys.nora.fingerprint.toLowerCase());
    const log = await asked();
    expect(log[0]).toMatch(/^openpgpkey\.keyserver\.test|^keyserver\.test\/\.well-known\//);
    expect(log[log.length - 1]).toBe("keys.test/vks/v1/by-email/nora%40keyserver.test");
  });

  it("HKP when the server has no VKS (hkps:// name accepted)", async () => {
    const [found] = await discoverKeys("oscar@keyserver.test", { wkd: false, keyserver: "hkps://hkp.test" }, get);
    expect(found!.info.fingerprint).toBe(kd.keys.oscar.fingerprint.toLowerCase());
    expect(await asked()).toEqual(["hkp.test/vks/v1/by-email/oscar%40keyserver.test", "hkp.test/pks/lookup?op=get&options=mr&search=oscar%40keyserver.test"]);
  });

  it("keyserver off: it is never asked; every source off: nothing leaves the machine", async () => {
    await expect(discoverKeys("nora@keyserver.test", { wkd: true }, get)).rejects.toMatchObject({ code: "lookup-not-found" });
    expect((await asked()).filter((r) => r.startsWith("keys.test"))).toEqual([]);
    await expect(discoverKeys("dave@advanced.test", { wkd: false }, get)).rejects.toMatchObject({ code: "lookup-not-allowed" });
    expect(await asked()).toEqual([]);
  });

  it("http:// keyservers are refused before any request", async () => {
    await expect(discoverKeys("nora@keyserver.test", { wkd: false, keyserver: "http://keys.test" }, get)).rejects.toMatchObject({ code: "usage" });
    expect(await asked()).toEqual([]);
  });
});

describe("storing found keys and refreshing them", () => {
  it("a key found for an address that has a different key is stored pending; the old key stays in use", async () => {
    const ring = await freshRing();
    const other = await import("../../src/core/pgp/index.js").then((m) => m.generatePgpKey({ email: "dave@advanced.test" }));
    await ring.importPgp(new TextEncoder().encode(other.publicKey.armor()));
    const [stored] = await ring.storeFound(await lookupWkd("dave@advanced.test", get));
    expect(stored).toMatchObject({ outcome: "pending", pending: true });
    const [use] = await ring.pgpPublicFor(["dave@advanced.test"]);
    expect((await parseKeys(use!))[0]!.getFingerprint()).toBe(other.publicKey.getFingerprint());
  });

  it("refresh picks up an extended expiry, a new encryption subkey and then the revocation; the record is merged in place", async () => {
    const ring = await freshRing();
    const email = "erin@direct.test";
    const fpr = kd.keys.erin.fingerprint;
    const [first] = await ring.storeFound(await lookupWkd(email, get));
    expect(first!.outcome).toBe("new");
    const subkeys = async () => (await parseKeys(String((await ring.store.getRecord(first!.id)).public["publicKey"])))[0]!.subkeys.length;
    expect(await subkeys()).toBe(1);

    kd.gpg(["--quick-set-expire", fpr, "5y"]);
    kd.gpg(["--quick-add-key", fpr, "cv25519", "encr", "3y"]);
    kd.publishWkd(email, kd.exportKey(email));
    const again = await refreshKnownKey({ fingerprint: fpr.toLowerCase(), emails: [email] }, { wkd: true }, get);
    expect(again.attempts).toEqual([]);
    const [updated] = await ring.storeFound(again.found);
    expect(updated).toMatchObject({ id: first!.id, outcome: "updated", pending: false });
    expect(await subkeys()).toBe(2);
    const armored = String((await ring.store.getRecord(first!.id)).public["publicKey"]);
    const usable = await armoredKeyUsability(armored);
    expect(usable.state).toBe("usable");
    expect(new Date((usable as { expires: string }).expires).getFullYear()).toBeGreaterThanOrEqual(new Date().getFullYear() + 2);

    // The revocation certificate gpg made at key generation (its armor line is defused with a
    // leading ":"), imported and published.
    const rev = readFileSync(`${kd.home}/openpgp-revocs.d/${fpr}.rev`, "utf8").replace(/^:-----BEGIN/m, "-----BEGIN");
    kd.gpg(["--import"], { input: rev });
    kd.publishWkd(email, kd.exportKey(email));
    const [revoked] = await ring.storeFound((await refreshKnownKey({ fingerprint: fpr.toLowerCase(), emails: [email] }, { wkd: true }, get)).found);
    expect(revoked!.outcome).toBe("updated");
    expect((await armoredKeyUsability(String((await ring.store.getRecord(first!.id)).public["publicKey"]))).state).toBe("revoked");
    await expect(ring.pgpPublicFor([email])).rejects.toMatchObject({ code: "recipient-no-key", details: { unusable: { [email]: "revoked" } } });
  });

  it("refresh by fingerprint on the keyserver (VKS by-fingerprint)", async () => {
    const r = await refreshKnownKey({ fingerprint: kd.keys.nora.fingerprint.toLowerCase(), emails: ["nora@keyserver.test"] }, { wkd: false, keyserver: "https://keys.test" }, get);
    expect(r.found.map((f) => f.info.fingerprint)).toEqual([kd.keys.nora.fingerprint.toLowerCase()]);
    expect(await asked()).toEqual([`keys.test/vks/v1/by-fingerprint/${kd.keys.nora.fingerprint}`]);
  });
});
