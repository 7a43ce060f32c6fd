// `sealbird lookup` and `sealbird refresh` as an admin runs them, against the real nginx on
// 127.0.0.1 (test/servers/key-directory.mjs): the test CA trusted through NODE_EXTRA_CA_CERTS,
// host names routed with SEALBIRD_CONNECT_TO. Also Autocrypt-Gossip written by `protect` and
// read back by gpg.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKeyDirectory, type KeyDirectory } from "../servers/key-directory.mjs";
import { Gpg } from "../pgp/gpg.js";

const CLI = join(process.cwd(), "dist/cli/sealbird.mjs");
let kd: KeyDirectory;
let dir: string;
let env: NodeJS.ProcessEnv;

function sealbird(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: { ...env, ...extraEnv }, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Listed = { kind: string; emails: string[]; fingerprint: string; pending?: boolean; source?: string };
const list = (): Listed[] => JSON.parse(sealbird(["list", "--json"]).stdout) as Listed[];

beforeAll(async () => {
  kd = await startKeyDirectory();
  dir = mkdtempSync(join(tmpdir(), "sealbird-cli-discovery-"));
  env = {
    PATH: process.env["PATH"],
    HOME: dir,
    SEALBIRD_KEYSTORE: join(dir, "ks"),
    SEALBIRD_PASSPHRASE: "correct horse battery",
    NODE_EXTRA_CA_CERTS: kd.ca.certPath,
    SEALBIRD_CONNECT_TO: kd.connectTo,
  };
  expect(sealbird(["keystore", "init"]).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await kd?.stop();
});

describe("sealbird lookup", () => {
  it("finds dave's key by WKD (on by default) and stores it as a usable key from WKD", () => {
    const r = sealbird(["lookup", "dave@advanced.test"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^found: wkd https:\/\/openpgpkey\.advanced\.test\/\.well-known\/openpgpkey\/advanced\.test\/hu\/[a-z0-9]{32}\?l=dave$/m);
    expect(r.stdout).toContain(`key: ${kd.keys.dave.fingerprint.toLowerCase()} Dave <dave@advanced.test>`);
    expect(r.stdout).toMatch(/^stored: new$/m);
    expect(list()).toContainEqual(expect.objectContaining({ kind: "pgp-public-key", emails: ["dave@advanced.test"], source: "wkd" }));
  });

  it("each failure is one typed line on stderr, exit 1, and nothing is stored", () => {
    const before = list();
    for (const [email, code] of [
      ["judy@nokey.test", "lookup-not-found"],
      ["leo@untrusted.test", "network-tls"],
      ["ivan@err500.test", "network-http"],
      ["gina@junk.test", "lookup-malformed"],
      ["frank@wronguid.test", "lookup-wrong-user-id"],
      ["hal@big.test", "network-too-large"],
      ["mia@unreachable.test", "network-unreachable"],
    ] as const) {
      const r = sealbird(["lookup", email]);
      expect([email, r.code, r.stderr.trim().split("\n").length]).toEqual([email, 1, 1]);
      expect(r.stderr).toMatch(new RegExp(`^sealbird: ${code}: `));
    }
    expect(list()).toEqual(before);
  });

  it("without the test CA, the same server is a TLS error", () => {
    const r = sealbird(["lookup", "dave@advanced.test", "--no-store"], { NODE_EXTRA_CA_CERTS: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sealbird: network-tls: /);
  });

  it("the keyserver is asked only when named (VKS), and with --wkd only WKD is", async () => {
    const before = (await kd.web.requests()).length;
    const off = sealbird(["lookup", "nora@keyserver.test"]);
    expect(off.stderr).toMatch(/^sealbird: lookup-not-found: /);
    const wkdOnly = sealbird(["lookup", "nora@keyserver.test", "--wkd"]);
    expect(wkdOnly.code).toBe(1);
    expect((await kd.web.requests()).slice(before).filter((r) => r.host === "keys.test")).toEqual([]);
    const on = sealbird(["lookup", "nora@keyserver.test", "--keyserver", "keys.test", "--json"]);
    expect(on.code).toBe(0);
    const j = JSON.parse(on.stdout) as { keys: Array<{ fingerprint: string; source: string; url: string }>; stored: Array<{ outcome: string }> };
    expect(j.keys).toEqual([expect.objectContaining({ fingerprint: kd.keys.nora.fingerprint.toLowerCase(), source: "keyserver", url: "https://keys.test/vks/v1/by-email/nora%40keyserver.test" })]);
    expect(j.stored).toEqual([{ id: expect.any(String), fingerprint: kd.keys.nora.fingerprint.toLowerCase(), outcome: "new" }]);
  });

  it("a different key published for dave is stored pending; the known key stays the one used", () => {
    const other = mkdtempSync(join(tmpdir(), "sealbird-other-dave-"));
    kd.gpg(["--quick-gen-key", "Dave <dave@advanced.test>", "future-default", "default", "1y"], { home: other });
    const newFpr = kd.fingerprintOf("dave@advanced.test", other);
    kd.publishWkd("dave@advanced.test", kd.exportKey("dave@advanced.test", other));
    try {
      const r = sealbird(["lookup", "dave@advanced.test"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^stored: pending — dave@advanced\.test already has another key/m);
      const dave = list().filter((e) => e.emails.includes("dave@advanced.test"));
      expect(dave.map((e) => [e.fingerprint, e.pending === true])).toEqual([
        [kd.keys.dave.fingerprint.toLowerCase(), false],
        [newFpr.toLowerCase(), true],
      ]);
    } finally {
      kd.publishWkd("dave@advanced.test", kd.exportKey("dave@advanced.test"));
    }
  });
});

describe("sealbird refresh", () => {
  it("asks again for every correspondent's key and merges what changed (new expiry)", () => {
    kd.gpg(["--quick-set-expire", kd.keys.dave.fingerprint, "4y"]);
    kd.publishWkd("dave@advanced.test", kd.exportKey("dave@advanced.test"));
    const r = sealbird(["refresh", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Array<{ fingerprint: string; outcomes: string[]; failed?: string }>;
    const dave = report.find((x) => x.fingerprint === kd.keys.dave.fingerprint.toLowerCase());
    expect(dave?.outcomes).toEqual(["updated"]);
    // nora is on the keyserver only, which the keystore's settings leave off: WKD has nothing.
    const nora = report.find((x) => x.fingerprint === kd.keys.nora.fingerprint.toLowerCase());
    expect(nora).toMatchObject({ outcomes: [], failed: "lookup-not-found" });
  });
});

describe("Autocrypt-Gossip written by protect", () => {
  let gpg: Gpg;
  beforeAll(() => {
    gpg = new Gpg();
    gpg.genKey("Bob <bob@example.org>", "ed25519");
    gpg.genKey("Carol <carol@example.org>", "ed25519");
    writeFileSync(join(dir, "bob.asc"), gpg.exportPublic("bob@example.org"));
    writeFileSync(join(dir, "carol.asc"), gpg.exportPublic("carol@example.org"));
    expect(sealbird(["keygen", "--pgp", "--uid", "Alice <alice@example.org>"]).code).toBe(0);
    expect(sealbird(["import", "bob.asc"]).code).toBe(0);
    expect(sealbird(["import", "carol.asc"]).code).toBe(0);
    writeFileSync(join(dir, "plain.eml"), "From: alice@example.org\r\nTo: bob@example.org, carol@example.org\r\nSubject: hi both\r\nContent-Type: text/plain\r\n\r\nHello.\r\n");
  });
  afterAll(() => gpg?.dispose());

  it("to two recipients: each one's key inside the encryption (gpg decrypts it), nothing outside; to one: none", () => {
    const p = sealbird(["protect", "plain.eml", "--from", "alice@example.org", "--to", "bob@example.org,carol@example.org", "--encrypt", "--pgp", "-o", "two.eml"]);
    expect(p.code).toBe(0);
    const wire = spawnSync("cat", [join(dir, "two.eml")], { encoding: "utf8" }).stdout;
    expect(wire).not.toMatch(/Autocrypt-Gossip/i);
    const armored = wire.slice(wire.indexOf("-----BEGIN PGP MESSAGE-----"), wire.indexOf("-----END PGP MESSAGE-----") + 25);
    const inner = new TextDecoder().decode(gpg.run(["--decrypt"], { input: armored }).stdout);
    const head = inner.slice(0, inner.indexOf("\r\n\r\n"));
    const gossip = [...head.matchAll(/^Autocrypt-Gossip: addr=([^;]+); keydata=/gm)].map((m) => m[1]);
    expect(gossip).toEqual(["bob@example.org", "carol@example.org"]);
    // The keydata is bob's key as gpg knows it (same fingerprint).
    const bobData = /^Autocrypt-Gossip: addr=bob@example\.org; keydata=([^]*?)(?=\r\n\S)/m.exec(head)![1]!.replace(/\s+/g, "");
    const shown = new TextDecoder().decode(gpg.run(["--with-colons", "--show-keys"], { input: Buffer.from(bobData, "base64") }).stdout);
    expect(shown).toContain(gpg.fingerprint("bob@example.org"));

    const one = sealbird(["protect", "plain.eml", "--from", "alice@example.org", "--to", "bob@example.org", "--encrypt", "--pgp", "-o", "one.eml"]);
    expect(one.code).toBe(0);
    const w1 = spawnSync("cat", [join(dir, "one.eml")], { encoding: "utf8" }).stdout;
    const a1 = w1.slice(w1.indexOf("-----BEGIN PGP MESSAGE-----"), w1.indexOf("-----END PGP MESSAGE-----") + 25);
    expect(new TextDecoder().decode(gpg.run(["--decrypt"], { input: a1 }).stdout)).not.toMatch(/Autocrypt-Gossip/i);
  });
});
