// The options page of the real Sealbird add-on in a real Thunderbird, driven like a user:
// first run (passphrase typed twice, "Create keystore", "Continue"), then four PKCS#12 files
// made by openssl at test time chosen in the file input of "Import my S/MIME certificate":
//   alice  RSA-2048   modern default   (PBES2/PBKDF2/AES-256-CBC, MAC sha256)
//   bob    EC P-256   -legacy          (RC2-40 certificates, 3DES key, MAC sha1)
//   carol  EC P-384   Windows 3DES     (-certpbe/-keypbe PBE-SHA1-3DES -macalg sha1)
//   dave   RSA-2048   modern, imported with a wrong password
// Each must show in "My identities" with its address (dave: the translated
// wrong-password error, nothing added); the keystore is then read through the add-on's own
// `options:list` request. Screenshots of the page in English and, in a second Thunderbird
// started in German (thunderbird-l10n-de), in German: artifacts/options-en.png, options-de.png.
// In both languages, light and dark (and once in Thunderbird's high-contrast colours): axe-core over every section with each of its forms opened
// (zero "serious"/"critical"), a screenshot per section (options-<lang>-section-<id>-<scheme>),
// the unlock window (axe, screenshots, Escape closes it). In German also every step of the
// guided setup (setup-<step>-de-<scheme>). Both popups have their own file (popups.e2e.mjs).

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
import * as a11y from "./lib/a11y.mjs";

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

test("first run through the page: passphrase typed twice, Create keystore, leave the guided setup → empty 'My identities'", async () => {
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
  assert.ok(basics.text.includes(en("identitiesTitle")) && basics.text.includes("carol@example.org"));
  const shot = await op.screenshotOptionsPage(s.tb, "options-en");
  console.log(`  ${path.relative(process.cwd(), shot.file)}: ${shot.width}x${shot.height}, ${shot.bytes} bytes`);
  assert.ok(shot.width >= 600 && shot.height >= shot.page.height, "the whole page, not only the viewport");
});

test("English, every section light and dark: axe finds nothing serious with each form open; screenshots per section", () => checkSections("en"), { timeoutMs: 240_000 });
test("English unlock window: axe light and dark (also with the wrong-passphrase error), Escape closes it, the passphrase unlocks", () => checkUnlockWindow("en"));

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
  await op.checkOptionsPage(s.tb, "setup-1-passphrase-de");
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
  for (const k of ["identitiesTitle", "pkcs12ImportTitle", "correspondentsTitle", "anchorsTitle"]) assert.ok(text.includes(de(k)), `German "${de(k)}" on the page`);
  assert.ok(!text.includes(en("identitiesTitle")), "no English section title left");
  // The file button is Sealbird's own (Gecko's "Browse…" stays English in the extension
  // process of a German Thunderbird): it shows the chosen file's name.
  assert.ok(text.includes("dave.p12"), "the file button shows the chosen file");
  const shot = await op.screenshotOptionsPage(s.tb, "options-de");
  console.log(`  ${path.relative(process.cwd(), shot.file)}: ${shot.width}x${shot.height}, ${shot.bytes} bytes`);
});

/**
 * Every section in light and dark: axe over the page with the first form of every section
 * open (plus an entry's export form and a removal waiting for its confirmation), then the
 * second forms, then the third; a screenshot of each section with its first form open.
 */
async function checkSections(lang) {
  const m = op.messages(lang);
  await op.openOptionsPage(s.tb, m);
  await op.openEveryForm(s.tb, 0);
  await op.inOptionsPage(
    s.tb,
    `const own = region(args[0]);
     [...own.querySelectorAll("button")].find((b) => norm(b.textContent) === args[1])?.click();
     [...own.querySelectorAll("button")].filter((b) => norm(b.textContent) === args[2]).at(-1)?.click();
     await until(() => own.querySelector(".subform") && own.querySelector(".confirm"), "the export form and the removal question");`,
    [m("identitiesTitle"), m("exportPkcs12Button"), m("deleteButton")],
  );
  await op.checkOptionsPage(s.tb, `options-${lang}-forms1`, { schemes: ["light", "dark", "high-contrast"] });
  // Every section the page lists (sections other work adds are included without a change here).
  const ids = await op.inOptionsPage(s.tb, `return [...doc.querySelectorAll(".sections > section[id]")].map((e) => e.id);`);
  assert.ok(ids.length >= 5, `sections: ${ids}`);
  for (const id of ids) await op.checkOptionsPage(s.tb, `options-${lang}-section-${id}`, { selector: `#${id}`, axe: false });
  for (const n of [1, 2]) {
    assert.ok((await op.openEveryForm(s.tb, n)) > 0);
    await op.checkOptionsPage(s.tb, `options-${lang}-forms${n + 1}`);
  }
}

/** The unlock window: axe and screenshots (empty, then after a wrong passphrase), Escape closes it; then unlocked through it. */
async function checkUnlockWindow(lang) {
  const m = op.messages(lang);
  await sb.extensionCallOk(s.tb, { type: "keystore:lock" });
  const open = async () => {
    await sb.extensionCallOk(s.tb, { type: "unlock:open" });
    await sb.waitForUnlockWindow(s.tb);
    await sb.inExtensionPage(s.tb, "ui/unlock.html", `for (let i = 0; i < 100 && !content.document.querySelector("input[type=password]"); i++) await new Promise((r) => content.setTimeout(r, 50));`);
  };
  await open();
  const text = await sb.inExtensionPage(s.tb, "ui/unlock.html", `return content.document.body.innerText;`);
  assert.ok(text.includes(m("unlockTitle")) && text.includes(m("unlockExplain")));
  const check = async (name) => {
    for (const scheme of ["light", "dark"]) {
      await a11y.setColorScheme(s.tb, scheme);
      await sb.screenshotExtensionPage(s.tb, "ui/unlock.html", `${name}-${scheme}`);
      const v = await a11y.axe(s.tb, "ui/unlock.html");
      assert.deepEqual(a11y.serious(v), [], `axe on ${name}, ${scheme}:\n${a11y.describeViolations(a11y.serious(v))}`);
    }
    await a11y.setColorScheme(s.tb, "light");
  };
  await check(`unlock-${lang}`);
  await sb.fillUnlockWindow(s.tb, "not the passphrase");
  await sb.inExtensionPage(s.tb, "ui/unlock.html", `for (let i = 0; i < 200 && !content.document.querySelector('[role="alert"]'); i++) await new Promise((r) => content.setTimeout(r, 50));`);
  await check(`unlock-${lang}-wrong`);
  assert.equal(await a11y.pressInWindow(s.tb, "ui/unlock.html", "Escape"), true, "Escape closed the unlock window");
  await open();
  await sb.fillUnlockWindow(s.tb, PASSPHRASE);
  for (let i = 0; i < 100 && !(await sb.extensionCallOk(s.tb, { type: "options:state" })).unlocked; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await sb.extensionCallOk(s.tb, { type: "options:state" })).unlocked, true, "unlocked through the window");
}


test("German, every section light and dark: axe finds nothing serious with each form open; screenshots per section", () => checkSections("de"), { timeoutMs: 240_000 });

test("German guided setup, every step light and dark (resumed at the identities): axe finds nothing serious; screenshots", async () => {
  await sb.extensionCallOk(s.tb, { type: "options:setup-set", step: "identities", identity: "alice@example.org" });
  await sb.closeExtensionTab(s.tb, "ui/options.html");
  await op.openOptionsPage(s.tb, de);
  const press = (text, next) =>
    op.inOptionsPage(s.tb, `button(doc, args[0]).click(); await until(() => doc.querySelector('.setup[data-step="' + args[1] + '"]'), args[1]); return norm(doc.querySelector("#setup-step-title").textContent);`, [text, next]);
  await op.inOptionsPage(s.tb, `await until(() => doc.querySelector('.setup[data-step="identities"]'), "the identities step");`);
  await op.checkOptionsPage(s.tb, "setup-2-identity-de");
  await op.inOptionsPage(s.tb, `button(doc, args[0]).click(); await until(() => region(args[1]), "the form");`, [de("setupChoosePkcs12"), de("pkcs12ImportTitle")]);
  await op.checkOptionsPage(s.tb, "setup-2-identity-form-de");
  assert.equal(await press(de("continueButton"), "backup"), de("setupBackupTitle"));
  await op.checkOptionsPage(s.tb, "setup-3-backup-de");
  assert.equal(await press(de("setupBackupLater"), "done"), de("setupDoneTitle"));
  await op.checkOptionsPage(s.tb, "setup-4-done-de");
  await op.inOptionsPage(s.tb, `button(doc, args[0]).click(); await until(() => region(args[1]), "the settings");`, [de("setupFinish"), de("identitiesTitle")]);
});

test("German unlock window: axe light and dark (also with the wrong-passphrase error), Escape closes it, the passphrase unlocks", () => checkUnlockWindow("de"));
