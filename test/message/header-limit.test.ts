// A header section over the parser's limit: the CLI keeps its typed error; the add-on gets
// Thunderbird's normal display when the rest of the message is plain (the limit protects the
// engine, it must not hide mail) — and only then.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectMessage, plainBeyondHeaderLimit } from "../../src/core/message/inspect.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { DEFAULT_MIME_LIMITS } from "../../src/core/mime/index.js";
import { SealbirdError } from "../../src/core/errors.js";
import { makePki, type TestPki } from "../smime/pki.js";

let pki: TestPki;
const openers = () => [smimeOpener({ identities: [], trustAnchors: [pki.root.certificate], knownCertificates: [] }), pgpOpener({ secretKeys: [], publicKeys: [] })];

beforeAll(async () => {
  pki = await makePki();
});

/** About `bytes` of Received: fields, as a long relay chain or a mailing-list loop leaves them. */
function received(bytes: number): string {
  const line = "Received: from relay.example.net (relay.example.net [192.0.2.1]) by mx.example.org with ESMTPS id 4Ab; Mon, 30 Nov 2026 10:00:00 +0000\r\n";
  return line.repeat(Math.ceil(bytes / line.length));
}

const OVER = DEFAULT_MIME_LIMITS.maxHeaderBytes + 4096;
const top = (content: string) => `From: alice@example.org\r\nTo: bob@example.org\r\nSubject: long way\r\n${received(OVER)}${content}`;
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

async function verdictOf(raw: Uint8Array) {
  const error = await inspectMessage(raw, { openers: openers() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, plain: await plainBeyondHeaderLimit(raw, error, { openers: openers() }) };
}

describe("header section over the limit", () => {
  it.each([
    ["text/plain", "Content-Type: text/plain; charset=utf-8\r\n\r\nJust a long relay chain.\r\n"],
    ["no Content-Type at all", "\r\nJust a long relay chain.\r\n"],
    [
      "multipart/mixed with an attachment, Content-Type folded",
      'Content-Type: multipart/mixed;\r\n boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n',
    ],
    ["LF-only line ends", "Content-Type: text/plain\n\nUnix mailbox.\n"],
  ])("otherwise plain (%s): inspect keeps its typed error, the add-on shows it as plain", async (_what, content) => {
    const { error, plain } = await verdictOf(bytes(top(content)));
    expect(error).toBeInstanceOf(SealbirdError);
    expect(error).toMatchObject({ code: "input-too-large", details: { limit: "maxHeaderBytes" } });
    expect(plain).toMatchObject({ protocol: "none", encryption: { state: "none" }, signature: { state: "none" } });
    expect(plain!.errors.map((e) => e.code)).toEqual(["input-too-large"]);
  });

  it("a signed message (S/MIME by openssl) over the limit is not shown as plain: the error stands", async () => {
    writeFileSync(join(pki.dir, "limit-inner.txt"), "Content-Type: text/plain\r\n\r\nsigned\r\n");
    pki.openssl(["cms", "-sign", "-in", "limit-inner.txt", "-out", "limit-signed.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath]);
    const signed = readFileSync(join(pki.dir, "limit-signed.eml"), "latin1");
    const { error, plain } = await verdictOf(bytes(top(signed)));
    expect(error).toMatchObject({ code: "input-too-large" });
    expect(plain).toBeNull();
  });

  it.each([
    ["multipart/encrypted (PGP/MIME)", 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQ==\r\n-----END PGP MESSAGE-----\r\n--e--\r\n'],
    ["an encrypted part inside multipart/mixed", 'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nhi\r\n--m\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n--m--\r\n'],
    ["an inline PGP block", "Content-Type: text/plain\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQ==\r\n-----END PGP MESSAGE-----\r\n"],
  ])("%s over the limit is not shown as plain", async (_what, content) => {
    expect((await verdictOf(bytes(top(content)))).plain).toBeNull();
  });

  it("a nested part's header over the limit is not the message's: no plain display", async () => {
    const msg = `From: a@example.org\r\nContent-Type: multipart/mixed; boundary="n"\r\n\r\n--n\r\n${received(OVER)}Content-Type: text/plain\r\n\r\nx\r\n--n--\r\n`;
    const { error, plain } = await verdictOf(bytes(msg));
    expect(error).toMatchObject({ code: "input-too-large" });
    expect(plain).toBeNull();
  });

  it("any other error is left alone", async () => {
    expect(await plainBeyondHeaderLimit(bytes("x"), new SealbirdError("mime-too-deep", "deep"), { openers: openers() })).toBeNull();
    expect(await plainBeyondHeaderLimit(bytes("x"), new Error("boom"), { openers: openers() })).toBeNull();
  });

  it("the CLI keeps its typed error (exit 4, one line on stderr)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbird-limit-"));
    writeFileSync(join(dir, "long.eml"), top("Content-Type: text/plain\r\n\r\nhi\r\n"));
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [join(process.cwd(), "dist/cli/sealbird.mjs"), ...args], {
        cwd: dir,
        env: { PATH: process.env["PATH"], HOME: dir, SEALBIRD_KEYSTORE: join(dir, "ks"), ...env },
        encoding: "utf8",
      });
    expect(cli(["keystore", "init"], { SEALBIRD_PASSPHRASE: "long header test" }).status).toBe(0);
    const r = cli(["inspect", "long.eml", "--json"]);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^sealbird: input-too-large: .+\n$/);
  });
});
