// The options page of the real Sealbird add-on in a real Thunderbird, driven like a user:
// first run (passphrase typed twice, "Create keystore", "Continue"), then four PKCS#12 files
// made by openssl at test time chosen in the file input of "Import my S/MIME certificate":
//   alice  RSA-2048   modern default   (PBES2/PBKDF2/AES-256-CBC, MAC sha256)
//   bob    EC P-256   -legacy          (RC2-40 certificates, 3DES key, MAC sha1)
//   carol  EC P-384   Windows 3DES     (-certpbe/-keypbe PBE-SHA1-3DES -macalg sha1)
//   dave   RSA-2048   modern, imported with a wrong password
// Each must show in "My certificates and keys" with its address (dave: the translated
// wrong-password error, nothing added); the keystore is then read through the add-on's own
// `options:list` request. Screenshots of the page in English and, in a second Thunderbird
// started in German (thunderbird-l10n-de), in German: artifacts/options-en.png, options-de.png.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as op from "./lib/options-page.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "Orange-Kettle 47 under the bridge";
const P12_PASSWORD = "p12-secret 9!";

const en = op.messages("en");
const de = op.messages("de");

let s; // the running session (English first, then German)
let dir;
let xpi;
let files; // name -> {email, bytes, password, fingerprint, variant}

/** openssl in the fixture directory. */
const openssl = (args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });

function makeIdentity(name, email, keyArgs) {
  openssl(["req", "-x509", ...keyArgs, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "30",
    "-subj", `/CN=${name}/emailAddress=${email}`, "-addext", `subjectAltName=email:${email}`]);
  const der = openssl(["x509", "-in", `${name}.pem`, "-outform", "DER"]);
  return { name, email, fingerprint: crypto.createHash("sha256").update(der).digest("hex") };
}

/** PKCS#12 with a friendly name (`-name`), which the page shows as the entry's label. */
function makeP12(id, friendlyName, password, extra) {
  const out = `${id.name}.p12`;
  openssl(["pkcs12", "-export", "-in", `${id.name}.pem`, "-inkey", `${id.name}.key`, "-name", friendlyName, "-out", out, "-passout", `pass:${password}`, ...extra]);
  // What openssl says is inside (stderr), so each variant is proven to be what it claims.
  const r = spawnSync("openssl", ["pkcs12", "-info", "-noout", "-legacy", "-in", out, "-passin", `pass:${password}`], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl pkcs12 -info failed: ${r.stderr}`);
  const info = r.stdout + r.stderr;
  return { ...id, friendlyName, password, bytes: new Uint8Array(fs.readFileSync(path.join(dir, out))), info };
}

before(
  async () => {
    const t0 = Date.now();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-options-e2e-"));
    const rsa = ["-newkey", "rsa:2048"];
    const ec = (curve) => ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${curve}`];
    files = {
      modern: makeP12(makeIdentity("alice", "alice@example.org", rsa), "Alice (modern)", P12_PASSWORD, []),
      legacy: makeP12(makeIdentity("bob", "bob@example.org", ec("P-256")), "Bob (legacy)", P12_PASSWORD, ["-legacy"]),
      windows: makeP12(makeIdentity("carol", "carol@example.org", ec("P-384")), "Carol (Windows 3DES)", P12_PASSWORD, ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]),
      wrong: makeP12(makeIdentity("dave", "dave@example.org", rsa), "Dave (wrong password)", P12_PASSWORD, []),
    };
    const info = (f) => f.info.replace(/\s+/g, " ");
    assert.match(info(files.modern), /MAC: sha256.*PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC.*Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
    assert.match(info(files.legacy), /MAC: sha1.*PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC.*Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
    assert.match(info(files.windows), /MAC: sha1.*PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC.*Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
    xpi = sb.buildSealbirdXpi();
    console.log(`  made 4 PKCS#12 files with openssl and built the XPI in ${Date.now() - t0} ms`);
    s = await startSession({ name: "options-en", addons: [{ id: ID, xpi }], prefs: { "intl.locale.requested": "en-US" } });
    await mail.waitForAddon(s.tb, ID);
  },
  { timeoutMs: 180_000 },
);

after(async () => {
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("first run through the page: passphrase typed twice, Create keystore, Continue → empty 'My certificates'", async () => {
  await op.openOptionsPage(s.tb, en);
  const basics = await op.readPageBasics(s.tb);
  assert.equal(basics.h1, en("optionsTitle"));
  assert.equal(basics.title, en("optionsTitle"));
  const shown = await op.createKeystoreThroughPage(s.tb, en, PASSPHRASE);
  assert.equal(shown, en("firstRunCreated"));
  const own = await op.readOwnEntries(s.tb, en);
  assert.deepEqual(own.entries, []);
  assert.equal(own.empty, en("ownEmpty"));
  const state = await sb.extensionCallOk(s.tb, { type: "options:state" });
  assert.deepEqual({ exists: state.exists, unlocked: state.unlocked }, { exists: true, unlocked: true });
});

/** Imports one file through the form and checks what the page then shows for it. */
async function importAndSee(f, { fileName, warnings }) {
  const r = await op.importPkcs12ThroughPage(s.tb, en, { name: fileName, bytes: f.bytes, password: f.password });
  assert.equal(r.error, null, `unexpected error: ${r.error}`);
  assert.equal(r.status, en("importDone", f.friendlyName), "the form's status line names the imported certificate");
  assert.deepEqual(r.warnings, warnings);
  const { entries } = await op.readOwnEntries(s.tb, en, { waitFor: f.email });
  const e = entries.find((x) => x.addresses === f.email);
  assert.ok(e, `${f.email} listed`);
  assert.equal(e.label, f.friendlyName);
  assert.equal(e.type, en("kindSmimeIdentity"));
  assert.equal(e.fingerprint.replace(/ /g, "").toLowerCase(), f.fingerprint, "the fingerprint shown is the certificate's SHA-256");
  return entries;
}

test("modern PKCS#12 (AES-256, openssl default) → alice@example.org listed, no warning (she is a Thunderbird identity)", async () => {
  const entries = await importAndSee(files.modern, { fileName: "alice.p12", warnings: [] });
  assert.equal(entries.length, 1);
});

test("legacy PKCS#12 (openssl -legacy: RC2-40 + 3DES) → bob@example.org listed, 'not one of your identities' warning", async () => {
  const entries = await importAndSee(files.legacy, { fileName: "bob-legacy.p12", warnings: [en("warnNoIdentity")] });
  assert.equal(entries.length, 2);
});

test("Windows-style PKCS#12 (3DES for both bags, SHA-1 MAC) → carol@example.org listed", async () => {
  const entries = await importAndSee(files.windows, { fileName: "carol-windows.pfx", warnings: [en("warnNoIdentity")] });
  assert.equal(entries.length, 3);
});

test("wrong password → the translated error_pkcs12_wrong_password text, nothing added", async () => {
  const r = await op.importPkcs12ThroughPage(s.tb, en, { name: "dave.p12", bytes: files.wrong.bytes, password: "not the password" });
  assert.equal(r.error, en("error_pkcs12_wrong_password"));
  assert.equal(r.status, null);
  await new Promise((res) => setTimeout(res, 500)); // an (unexpected) list refresh would have landed by now
  const { entries } = await op.readOwnEntries(s.tb, en);
  assert.deepEqual(entries.map((e) => e.addresses).sort(), ["alice@example.org", "bob@example.org", "carol@example.org"]);
});

test("keystore afterwards (options:list): exactly the 3 identities with private keys, right fingerprints; nothing else", async () => {
  const lists = await sb.extensionCallOk(s.tb, { type: "options:list" });
  const own = lists.own.map((e) => ({ kind: e.kind, label: e.label, emails: e.emails, fingerprint: e.fingerprint, hasSecret: e.hasSecret, validity: e.validity, pending: e.pending }));
  const expected = [files.modern, files.legacy, files.windows].map((f) => ({
    kind: "smime-identity",
    label: f.friendlyName,
    emails: [f.email],
    fingerprint: f.fingerprint,
    hasSecret: true,
    validity: "valid",
    pending: false,
  }));
  const byMail = (a, b) => a.emails[0].localeCompare(b.emails[0]);
  assert.deepEqual(own.sort(byMail), expected.sort(byMail));
  assert.deepEqual(lists.correspondents, []);
  assert.deepEqual(lists.anchors, []);
  assert.ok(!JSON.stringify(lists).includes(files.wrong.fingerprint), "dave's certificate is nowhere in the keystore");
});

test("screenshot of the options page in English (artifacts/options-en.png)", async () => {
  const basics = await op.readPageBasics(s.tb);
  assert.match(basics.lang, /^en/);
  assert.ok(basics.text.includes(en("ownTitle")) && basics.text.includes("carol@example.org"));
  const shot = await op.screenshotOptionsPage(s.tb, "options-en");
  console.log(`  ${path.relative(process.cwd(), shot.file)}: ${shot.width}x${shot.height}, ${shot.bytes} bytes`);
  assert.ok(shot.width >= 600 && shot.height >= shot.page.height, "the whole page, not only the viewport");
});

test("German Thunderbird (intl.locale.requested=de): the page speaks German — first run, wrong-password error, import; artifacts/options-de.png", async () => {
  await s.stop();
  s = await startSession({ name: "options-de", addons: [{ id: ID, xpi }], prefs: { "intl.locale.requested": "de" } });
  const appLocale = await s.tb.marionette.run(`return Services.locale.appLocaleAsBCP47;`);
  assert.equal(appLocale, "de", "Thunderbird's UI runs in German (language pack thunderbird-l10n-de)");
  await mail.waitForAddon(s.tb, ID);
  await op.openOptionsPage(s.tb, de);
  const basics = await op.readPageBasics(s.tb);
  assert.equal(basics.h1, de("optionsTitle"));
  assert.equal(basics.lang, "de");
  assert.equal(await op.createKeystoreThroughPage(s.tb, de, PASSPHRASE), de("firstRunCreated"));
  const wrong = await op.importPkcs12ThroughPage(s.tb, de, { name: "dave.p12", bytes: files.wrong.bytes, password: "falsch" });
  assert.equal(wrong.error, de("error_pkcs12_wrong_password"));
  const ok = await op.importPkcs12ThroughPage(s.tb, de, { name: "alice.p12", bytes: files.modern.bytes, password: files.modern.password });
  assert.equal(ok.status, de("importDone", files.modern.friendlyName));
  const { entries } = await op.readOwnEntries(s.tb, de, { waitFor: "alice@example.org" });
  assert.deepEqual(entries.map((e) => [e.addresses, e.type]), [["alice@example.org", de("kindSmimeIdentity")]]);
  // The successful import cleared the error; provoke it once more so the screenshot shows it.
  const again = await op.importPkcs12ThroughPage(s.tb, de, { name: "dave.p12", bytes: files.wrong.bytes, password: "falsch" });
  assert.equal(again.error, de("error_pkcs12_wrong_password"));
  const text = (await op.readPageBasics(s.tb)).text;
  for (const k of ["ownTitle", "pkcs12ImportTitle", "correspondentsTitle", "anchorsTitle"]) assert.ok(text.includes(de(k)), `German "${de(k)}" on the page`);
  assert.ok(!text.includes(en("ownTitle")), "no English section title left");
  // Not checked: the file inputs' own "Browse…" / "No file selected." come from Gecko, and in
  // the extension process they stay English although Thunderbird's chrome has the German
  // strings ("Durchsuchen…") and the page's navigator.language is "de" (seen on 153.7 ESR).
  const shot = await op.screenshotOptionsPage(s.tb, "options-de");
  console.log(`  ${path.relative(process.cwd(), shot.file)}: ${shot.width}x${shot.height}, ${shot.bytes} bytes`);
});
