// `sealbird inspect` gives the new verdicts and reason codes, in JSON and in its text output:
// the real binary over messages openssl and gpg write at test time.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePki, type TestPki } from "../smime/pki.js";
import { Gpg, hasGpg } from "../pgp/gpg.js";

const CLI = join(process.cwd(), "dist/cli/sealbird.mjs");
let pki: TestPki;
let dir: string;
let env: NodeJS.ProcessEnv;

/** `locked`: without the passphrase (signatures are checked with the public records, nothing is unlocked). */
function sealbird(args: string[], { locked = false } = {}): { code: number; stdout: string; stderr: string } {
  const e = locked ? { ...env, SEALBIRD_PASSPHRASE: undefined } : env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: e, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const date = (offsetMs = 0) => new Date(Date.now() + offsetMs).toUTCString();

/** An openssl multipart/signed by Alice with the header section `head` before it. */
function signedByAlice(name: string, head: string): string {
  writeFileSync(join(pki.dir, "cli-inner.txt"), "Content-Type: text/plain\r\n\r\nApproved.\r\n");
  pki.openssl(["cms", "-sign", "-in", "cli-inner.txt", "-out", "cli-signed.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", pki.intermediate.certPath]);
  writeFileSync(join(dir, name), head + readFileSync(join(pki.dir, "cli-signed.eml"), "latin1"), "latin1");
  return name;
}

beforeAll(async () => {
  pki = await makePki();
  dir = mkdtempSync(join(tmpdir(), "sealbird-cli-verdicts-"));
  env = { PATH: process.env["PATH"], HOME: dir, SEALBIRD_KEYSTORE: join(dir, "ks"), SEALBIRD_PASSPHRASE: "verdicts passphrase" };
  expect(sealbird(["keystore", "init"]).code).toBe(0);
  expect(sealbird(["trust", pki.root.certPath]).code).toBe(0);
}, 120_000);

describe("sealbird inspect: the new reason codes", () => {
  it.each([
    ["display-name-address", `From: "boss@example.org" <alice@example.org>\r\nDate: ${date()}\r\n`],
    ["multiple-from", `From: alice@example.org\r\nFrom: boss@example.org\r\nDate: ${date()}\r\n`],
    ["no-from", `From: undisclosed-recipients:;\r\nDate: ${date()}\r\n`],
    ["date-mismatch", `From: alice@example.org\r\nDate: ${date(-2 * 3_600_000)}\r\n`],
  ])("%s in --json and in the text output", (code, head) => {
    const file = signedByAlice(`${code}.eml`, head);
    const json = sealbird(["inspect", file, "--json"], { locked: true });
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status.signature.state).toBe(code === "date-mismatch" ? "invalid" : "mismatch");
    expect(status.signature.reasons.map((r: { code: string }) => r.code)).toEqual([code]);
    expect(sealbird(["inspect", file], { locked: true }).stdout).toMatch(new RegExp(`because: ${code}: `));
  });

  it("the uncredited outer signature of encrypt-then-sign and the failed step are reported", () => {
    writeFileSync(join(pki.dir, "cli-plain.txt"), "Content-Type: text/plain\r\n\r\nx\r\n");
    pki.openssl(["cms", "-encrypt", "-aes256", "-in", "cli-plain.txt", "-out", "cli-enc.eml", pki.bob.certPath]);
    pki.openssl(["cms", "-sign", "-in", "cli-enc.eml", "-out", "cli-ets.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", pki.intermediate.certPath]);
    writeFileSync(join(dir, "ets.eml"), `From: alice@example.org\r\nSender: list@example.org\r\nDate: ${date()}\r\n` + readFileSync(join(pki.dir, "cli-ets.eml"), "latin1"), "latin1");
    const status = JSON.parse(sealbird(["inspect", "ets.eml", "--json"], { locked: true }).stdout);
    expect(status.signature.state).toBe("none");
    expect(status.uncredited).toEqual([expect.objectContaining({ code: "signs-ciphertext", signature: expect.objectContaining({ state: "valid" }) })]);
    expect(status.encryption).toMatchObject({ state: "failed", code: "no-key", step: "recipient" });
    const text = sealbird(["inspect", "ets.eml"], { locked: true }).stdout;
    expect(text).toMatch(/not credited: valid signature by alice@example\.org/);
    expect(text).toMatch(/encryption: failed: no-key \[step: recipient\]/);
  });
});

describe.skipIf(!hasGpg)("sealbird inspect: repairs", () => {
  it("an Exchange-rewritten PGP/MIME message is decrypted and says it was repaired", () => {
    const gpg = new Gpg();
    try {
      // Without a passphrase of its own: unlocking gpg's S2K in JavaScript is slow and not the point here.
      gpg.genKey("Bob <bob@example.org>", "ed25519", "");
      writeFileSync(join(dir, "bob.asc"), gpg.exportSecret("bob@example.org"));
      expect(sealbird(["import", "bob.asc"]).code).toBe(0);
      const armored = new TextDecoder().decode(gpg.run(["--armor", "--output", "-", "--encrypt", "--recipient", "bob@example.org"], { input: "Content-Type: text/plain\r\n\r\nvia Exchange\r\n" }).stdout);
      const b = "xchg";
      const eml =
        `From: alice@example.org\r\nDate: ${date()}\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n` +
        `--${b}\r\nContent-Type: text/plain\r\n\r\n\r\n--${b}\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n` +
        `--${b}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n${armored.replace(/\r?\n/g, "\r\n")}\r\n--${b}--\r\n`;
      writeFileSync(join(dir, "exchange.eml"), eml);
      const out = sealbird(["inspect", "exchange.eml"]).stdout;
      expect(out).toMatch(/^encryption: decrypted/m);
      expect(out).toMatch(/repaired: exchange-pgp-mime: /);
    } finally {
      gpg.dispose();
    }
  });
});

describe("sealbird inspect --json on mail crafted or mislabelled by others (a sample of the review's cases)", () => {
  it.each([
    ["a '<' inside a comment does not make the address", "(Alice <alice@example.org>) eve@evil.example", "mismatch", ["display-name-address"], "eve@evil.example"],
    ["two angle-addrs: the last is the address", "Alice <alice@example.org> <eve@evil.example>", "mismatch", ["display-name-address"], "eve@evil.example"],
    ["a quoted local part that needs no quotes", '"alice"@example.org', "valid", [], "alice@example.org"],
  ])("From %s", (_what, from, state, codes, address) => {
    const file = signedByAlice(`from-${state}-${codes.join("")}-${address.length}.eml`, `From: ${from}\r\nDate: ${date()}\r\n`);
    const status = JSON.parse(sealbird(["inspect", file, "--json"], { locked: true }).stdout);
    expect(status.signature.state).toBe(state);
    expect(status.signature.reasons.map((r: { code: string }) => r.code)).toEqual(codes);
    expect(status.signature.from).toBe(address);
  });

  it("an attacker part slipped into a multipart/signed before the signature → invalid / signature-malformed", () => {
    const file = signedByAlice("slipped.eml", `From: alice@example.org\r\nDate: ${date()}\r\n`);
    const eml = readFileSync(join(dir, file), "latin1");
    const boundary = /boundary="([^"]+)"/.exec(eml)![1]!;
    const first = eml.indexOf(`--${boundary}`, eml.indexOf(`--${boundary}`) + 1);
    writeFileSync(join(dir, file), `${eml.slice(0, first)}--${boundary}\r\nContent-Type: text/plain\r\n\r\nAlso approved: account 4711.\r\n${eml.slice(first)}`, "latin1");
    const status = JSON.parse(sealbird(["inspect", file, "--json"], { locked: true }).stdout);
    expect(status.signature.state).toBe("invalid");
    expect(status.signature.reasons.map((r: { code: string }) => r.code)).toEqual(["signature-malformed"]);
  });

  it("S/MIME enveloped-data labelled smime-type=signed-data is decrypted, as Thunderbird does", () => {
    pki.openssl(["pkcs12", "-export", "-inkey", pki.alice.keyPath, "-in", pki.alice.certPath, "-passout", "pass:p12", "-out", "cli-alice.p12"]);
    writeFileSync(join(dir, "p12pass.txt"), "p12\n");
    expect(sealbird(["import", join(pki.dir, "cli-alice.p12"), "--password-file", "p12pass.txt"]).code).toBe(0);
    writeFileSync(join(pki.dir, "cli-label.txt"), "Content-Type: text/plain\r\n\r\nMislabelled.\r\n");
    pki.openssl(["cms", "-encrypt", "-aes256", "-in", "cli-label.txt", "-out", "cli-label.eml", pki.alice.certPath]);
    const eml = readFileSync(join(pki.dir, "cli-label.eml"), "latin1").replace("smime-type=enveloped-data", "smime-type=signed-data");
    writeFileSync(join(dir, "label.eml"), `From: bob@example.org\r\nDate: ${date()}\r\n${eml}`, "latin1");
    const status = JSON.parse(sealbird(["inspect", "label.eml", "--json"]).stdout);
    expect(status.encryption).toMatchObject({ state: "decrypted", protocol: "smime" });
    expect(status.signature.state).toBe("none");
  });

  it.skipIf(!hasGpg)("OpenPGP with hidden recipients (gpg --throw-keyids) opens with either of two keys; to someone else it is no-key", () => {
    const gpg = new Gpg();
    try {
      for (const who of ["Carol <carol@example.org>", "Dan <dan@example.org>"]) gpg.genKey(who, "ed25519", "");
      for (const who of ["carol", "dan"]) {
        writeFileSync(join(dir, `${who}.asc`), gpg.exportSecret(`${who}@example.org`));
        expect(sealbird(["import", `${who}.asc`]).code).toBe(0);
      }
      gpg.genKey("Eve <eve@example.org>", "ed25519", "");
      for (const to of ["carol", "dan", "eve"]) {
        const armored = new TextDecoder().decode(gpg.run(["--armor", "--output", "-", "--throw-keyids", "--encrypt", "--recipient", `${to}@example.org`], { input: "Content-Type: text/plain\r\n\r\nhidden\r\n" }).stdout);
        writeFileSync(join(dir, `hidden-${to}.eml`), `From: alice@example.org\r\nDate: ${date()}\r\nContent-Type: text/plain\r\n\r\n${armored.replace(/\r?\n/g, "\r\n")}`);
        const status = JSON.parse(sealbird(["inspect", `hidden-${to}.eml`, "--json"]).stdout);
        if (to === "eve") expect(status.encryption).toMatchObject({ state: "failed", code: "no-key", step: "recipient", recipients: ["0000000000000000"] });
        else expect(status.encryption).toMatchObject({ state: "decrypted", protocol: "openpgp" });
      }
    } finally {
      gpg.dispose();
    }
  });
});
