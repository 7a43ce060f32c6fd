// @vitest-environment node
/**
 * Revoking an own OpenPGP key publishes the revocation where the key is published: the options
 * handlers and the background's DiscoveryService over the real keystore, against the real nginx
 * on 127.0.0.1 (test/servers/key-directory.mjs: a VKS server and an HKP-only server whose
 * uploads are imported by the real gpg, a WKD tree), through the Node transports with the test
 * CA. gpg then reads the key the keyserver serves as revoked.
 */
import "./setup-background.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeystoreService } from "../../src/background/keystore-service.js";
import { handleOptionsRequest } from "../../src/background/options-handler.js";
import type { OptionsAnswer, OptionsRequestMap, OptionsRequestType } from "../../src/background/options/types.js";
import { DiscoveryService, type PermissionsApi } from "../../src/background/discovery/service.js";
import { nodeHttpGet, parseConnectTo } from "../../src/node/http-get.js";
import { nodeHttpFetch } from "../../src/node/http-fetch.js";
import { startKeyDirectory, type KeyDirectory } from "../servers/key-directory.mjs";
import { hasGpg } from "../pgp/gpg.js";
import type { HttpGet } from "../../src/core/discovery/index.js";

const PASS = "correct horse battery staple";
let ks: KeystoreService;
let kd: KeyDirectory;
let get: HttpGet;
let granted = true;
const permissions: PermissionsApi = { contains: async () => granted };
let discovery: DiscoveryService;

async function call<K extends OptionsRequestType>(type: K, payload: OptionsRequestMap[K]["req"]): Promise<OptionsAnswer<K>> {
  return (await handleOptionsRequest({ type, ...payload }, ks)) as OptionsAnswer<K>;
}

/** A new own key for `email`, as the options page makes it; its public key is returned too. */
async function ownKey(name: string, email: string): Promise<{ id: string; fingerprint: string; armored: Uint8Array }> {
  const g = await call("options:generate-pgp", { name, email, keyType: "curve25519" });
  const pub = await call("options:export-pgp-public", { id: g.entry.id });
  return { id: g.entry.id, fingerprint: g.entry.fingerprint!.toUpperCase(), armored: pub.bytes };
}

async function revoke(id: string): Promise<void> {
  await call("options:pgp-revoke", { id, keystorePassphrase: PASS, reason: "compromised" });
}

/** gpg's validity letter for the key a server now serves ("r" = revoked). */
function gpgValidity(bytes: Uint8Array): string {
  const out = kd.gpg(["--with-colons", "--show-keys"], { input: bytes, home: `${kd.dir}/reader` }).toString();
  return out.split("\n").find((l) => l.startsWith("pub:"))!.split(":")[1]!;
}

async function served(url: string): Promise<Uint8Array> {
  const res = await get({ url, timeoutMs: 5000, maxBytes: 512 * 1024 });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  if (!hasGpg) return;
  kd = await startKeyDirectory();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(`${kd.dir}/reader`, { mode: 0o700 });
  const connectTo = parseConnectTo(kd.connectTo);
  get = nodeHttpGet({ connectTo, extraCa: [kd.ca.pem] });
  ks = new KeystoreService();
  await call("options:create", { passphrase: PASS });
  discovery = new DiscoveryService(ks, get, permissions, nodeHttpFetch({ connectTo, ca: kd.ca.pem }));
}, 120_000);

afterAll(async () => {
  await kd?.stop();
});

describe.skipIf(!hasGpg)("publishing the revocation of an own key", () => {
  it("VKS keyserver and WKD: uploaded to the keyserver (gpg then reads it revoked); the WKD copy needs the provider", async () => {
    await discovery.setSettings({ wkd: true, keyserver: true, keyserverUrl: "https://keys.test" });
    const me = await ownKey("Me", "me@advanced.test");
    kd.publishKeyserver("keys.test", me.armored);
    kd.publishWkd("me@advanced.test", kd.exportKey("me@advanced.test"));
    expect(gpgValidity(await served(`https://keys.test/vks/v1/by-fingerprint/${me.fingerprint}`))).not.toBe("r");
    await revoke(me.id);
    const before = kd.uploads.length;
    const r = await discovery.publishRevocation(me.id);
    expect(r).toEqual({
      allowed: true,
      outcomes: [
        { source: "keyserver", where: "https://keys.test", state: "published" },
        { source: "wkd", where: "me@advanced.test", state: "cannot-publish" },
      ],
    });
    const sent = kd.uploads.slice(before);
    expect(sent.map((u) => `${u.method} ${u.host}${u.uri} ${u.contentType}`)).toEqual(["POST keys.test/vks/v1/upload application/json"]);
    expect(gpgValidity(new TextEncoder().encode(sent[0]!.keytext!))).toBe("r");
    // What a correspondent's refresh gets from the keyserver now.
    expect(gpgValidity(await served(`https://keys.test/vks/v1/by-fingerprint/${me.fingerprint}`))).toBe("r");
  });

  it("HKP-only keyserver: VKS upload answered 404, the revocation goes to /pks/add", async () => {
    await discovery.setSettings({ wkd: false, keyserver: true, keyserverUrl: "https://hkp.test" });
    const me = await ownKey("Me Too", "me.too@hkp.test");
    kd.publishKeyserver("hkp.test", me.armored);
    await revoke(me.id);
    const before = kd.uploads.length;
    expect(await discovery.publishRevocation(me.id)).toEqual({ allowed: true, outcomes: [{ source: "keyserver", where: "https://hkp.test", state: "published" }] });
    expect(kd.uploads.slice(before).map((u) => `${u.method} ${u.host}${u.uri} ${u.contentType}`)).toEqual(["POST hkp.test/pks/add application/x-www-form-urlencoded"]);
    expect(gpgValidity(await served(`https://hkp.test/pks/lookup?op=get&options=mr&search=0x${me.fingerprint}`))).toBe("r");
  });

  it("a key never published there: nothing is uploaded (revoking does not publish a key for the first time)", async () => {
    await discovery.setSettings({ wkd: true, keyserver: true, keyserverUrl: "https://keys.test" });
    const me = await ownKey("Private", "private@nokey.test");
    await revoke(me.id);
    const before = kd.uploads.length;
    expect(await discovery.publishRevocation(me.id)).toEqual({
      allowed: true,
      outcomes: [
        { source: "keyserver", where: "https://keys.test", state: "not-there" },
        { source: "wkd", where: "private@nokey.test", state: "not-there" },
      ],
    });
    expect(kd.uploads.length).toBe(before);
  });

  it("a keyserver that fails gives its typed error; without the permission nothing is asked", async () => {
    await discovery.setSettings({ wkd: false, keyserver: true, keyserverUrl: "https://err500.test" });
    const me = await ownKey("Broken", "broken@advanced.test");
    await revoke(me.id);
    expect(await discovery.publishRevocation(me.id)).toEqual({ allowed: true, outcomes: [{ source: "keyserver", where: "https://err500.test", state: "failed", code: "network-http" }] });
    granted = false;
    const asked = (await kd.web.requests()).length;
    expect(await discovery.publishRevocation(me.id)).toEqual({ allowed: false, outcomes: [] });
    expect((await kd.web.requests()).length).toBe(asked);
    granted = true;
    // Only a revoked own key is published.
    const live = await ownKey("Live", "live@advanced.test");
    await expect(discovery.publishRevocation(live.id)).rejects.toMatchObject({ code: "usage" });
  });
});
