// The guided first-run setup of the real Sealbird add-on, from a fresh Thunderbird profile with
// two identities (Alice <alice@example.org>, Alice Work <alice@work.example>), driven by the
// keyboard only: real key events (WebDriver actions), Tab / Shift+Tab to move, Enter and Space
// to press, Escape to close, and typing into the fields. Nothing is clicked and no value is set
// by script; the file dialog is the one exception a keyboard cannot drive (Thunderbird's own
// dialog): a stand-in picks alice.p12 when the page opens it (lib/a11y.mjs fakeFilePicker).
//
//   1. passphrase (strength hint) → Create keystore
//   2. alice@example.org: "Import my S/MIME certificate…" → PKCS#12 made by openssl → Continue
//      (the tab is closed and the keystore locked here: reopening asks to unlock and resumes)
//   3. alice@work.example: Escape closes a form; "Create an OpenPGP key…" → revocation saved
//   4. backup saved → `sealbird keystore import` restores it with the same passphrase
//   5. what the buttons mean → Open the settings; reopening shows the settings, not the setup
//
// At every step axe-core checks the page in light and dark (no "serious" or "critical"
// violation) and screenshots go to artifacts/setup-<step>-en-<light|dark>.png.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
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
const PASSPHRASE = "Seven dwarfs behind 7 mountains";
const P12_PASSWORD = "p12 secret!";
const WORK = { email: "alice@work.example", name: "Alice Work" };
const en = op.messages("en");
const ROOT = path.resolve(import.meta.dirname, "..", "..");

let s;
let kb;
let dir; // openssl output and the CLI's keystore
let downloads;

const openssl = (args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
const page = (body, args) => op.inOptionsPage(s.tb, body, args, { timeoutMs: 90_000 });
/** Waits until the setup shows `step` (data-step; with `heading`, that heading) and returns the text of its heading. */
const stepShown = (step, heading) =>
  page(
    `const [step, heading] = args;
     const h = await until(() => {
       const e = doc.querySelector('.setup[data-step="' + step + '"]') && doc.querySelector("#setup-step-title");
       return e && (!heading || norm(e.textContent) === heading) && e;
     }, "setup step " + step + " " + (heading ?? ""), 60000);
     return norm(h.textContent);`,
    [step, heading ?? null],
  );
const statusShown = (text) => page(`await until(() => [...doc.querySelectorAll('[role="status"]')].some((e) => norm(e.textContent) === args[0]), JSON.stringify(args[0]), 60000); return true;`, [text]);
const waitForFile = async (re) => {
  for (let i = 0; i < 200; i++) {
    const f = fs.readdirSync(downloads).find((n) => re.test(n) && !n.endsWith(".part"));
    if (f && fs.statSync(path.join(downloads, f)).size > 0) return path.join(downloads, f);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download matching ${re} in ${downloads}: ${fs.readdirSync(downloads).join(", ")}`);
};

/** axe in light and dark (zero serious/critical) and a screenshot of each: artifacts/setup-<name>-en-<scheme>.png. */
const check = (name) => op.checkOptionsPage(s.tb, `setup-${name}-en`);

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-firstrun-e2e-"));
    downloads = path.join(dir, "downloads");
    fs.mkdirSync(downloads);
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "alice.key", "-out", "alice.pem", "-days", "30",
      "-subj", "/CN=Alice/emailAddress=alice@example.org", "-addext", "subjectAltName=email:alice@example.org"]);
    openssl(["pkcs12", "-export", "-in", "alice.pem", "-inkey", "alice.key", "-name", "Alice (S/MIME)", "-out", "alice.p12", "-passout", `pass:${P12_PASSWORD}`]);
    const xpi = sb.buildSealbirdXpi();
    s = await startSession({
      name: "firstrun",
      addons: [{ id: ID, xpi }],
      prefs: {
        "intl.locale.requested": "en-US",
        "mail.account.account1.identities": "id1,id2",
        "mail.identity.id2.fullName": WORK.name,
        "mail.identity.id2.useremail": WORK.email,
        "mail.identity.id2.smtpServer": "smtp1",
        "mail.identity.id2.valid": true,
      },
    });
    await mail.waitForAddon(s.tb, ID);
    await a11y.fakeFilePicker(s.tb, path.join(dir, "alice.p12"));
    await a11y.useDownloadDir(s.tb, downloads);
    kb = a11y.keyboard(s.tb);
  },
  { timeoutMs: 180_000 },
);

after(async () => {
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a fresh profile's settings tab opens on the guided setup: four steps, the passphrase first", async () => {
  await op.openOptionsPage(s.tb, en);
  assert.equal(await stepShown("passphrase"), en("firstRunTitle"));
  const text = (await op.readPageBasics(s.tb)).text;
  for (const k of ["setupStepPassphrase", "setupStepIdentities", "setupStepBackup", "setupStepDone", "firstRunExplain"]) assert.ok(text.includes(en(k)), `"${en(k)}" shown`);
  await check("1-passphrase");
});

test("passphrase by keyboard: Tab to the field, type, the strength hint follows, Tab, type again, Enter on Create keystore", async () => {
  await op.focusPage(s.tb);
  await op.tabTo(s.tb, kb, en("passphraseNew"));
  await kb.type("short");
  assert.equal(await page(`return norm(doc.querySelector('[aria-live="polite"][id$="-strength"]')?.textContent);`), `${en("strengthLabel")} ${en("strengthVeryWeak")}`);
  await kb.press(...Array(5).fill("\uE003")); // Backspace ×5
  await kb.type(PASSPHRASE);
  assert.equal(await page(`return norm(doc.querySelector('[aria-live="polite"][id$="-strength"]')?.textContent);`), `${en("strengthLabel")} ${en("strengthStrong")}`);
  await op.tabTo(s.tb, kb, en("passphraseConfirm"));
  await kb.type(PASSPHRASE);
  await op.tabTo(s.tb, kb, en("firstRunCreate"));
  await kb.press(a11y.KEY.Enter);
  assert.equal(await stepShown("identities"), en("setupIdentityTitle", "Alice <alice@example.org>"));
  await statusShown(en("firstRunCreated"));
  await op.focusedName(s.tb, en("setupIdentityTitle", "Alice <alice@example.org>"));
  const f = await op.focused(s.tb);
  assert.deepEqual([f?.tag, f?.name], ["h2", en("setupIdentityTitle", "Alice <alice@example.org>")], "the new step's heading has the focus (read out)");
  assert.deepEqual(await sb.extensionCallOk(s.tb, { type: "options:setup-get" }), { step: "identities", identity: "alice@example.org" });
  assert.deepEqual(await sb.extensionCallOk(s.tb, { type: "options:state" }), { exists: true, unlocked: true, autoLockMinutes: 15 });
});

test("alice@example.org: Enter on 'Import my S/MIME certificate…', Enter on the file button (the dialog picks alice.p12), password, Enter → imported", async () => {
  await check("2-identity");
  await op.tabTo(s.tb, kb, en("setupChoosePkcs12"));
  await kb.press(a11y.KEY.Enter);
  // The form opened and took the focus: its file button, named by its label and "Choose a file…".
  assert.equal(await op.focusedName(s.tb, `${en("pkcs12File")} ${en("fileChoose")}`), `${en("pkcs12File")} ${en("fileChoose")}`);
  const opened = await a11y.fakeFilePicker.opened(s.tb);
  await kb.press(a11y.KEY.Enter);
  await page(`await until(() => doc.activeElement && nameOf(doc.activeElement) === args[0], "the chosen file's name on the button"); return true;`, [`${en("pkcs12File")} alice.p12`]);
  assert.equal(await a11y.fakeFilePicker.opened(s.tb), opened + 1, "Enter on the file button opened the file dialog once");
  await op.tabTo(s.tb, kb, en("pkcs12Password"));
  await kb.type(P12_PASSWORD);
  await kb.press(a11y.KEY.Enter);
  await statusShown(en("importDone", "Alice (S/MIME)"));
  const ready = await page(`return norm((await until(() => doc.querySelector(".done-list"), "the 'ready for this address' list")).textContent);`);
  assert.equal(ready, `${en("setupIdentityReady")} ${en("kindSmimeIdentity")}: Alice (S/MIME)`);
  await check("2-identity-imported");
  await op.tabTo(s.tb, kb, en("continueButton"));
  await kb.press(a11y.KEY.Space);
  const next = en("setupIdentityTitle", `${WORK.name} <${WORK.email}>`);
  assert.equal(await stepShown("identities", next), next);
});

test("left and resumed: tab closed and keystore locked at the second identity → reopening asks to unlock, then continues there", async () => {
  assert.deepEqual(await sb.extensionCallOk(s.tb, { type: "options:setup-get" }), { step: "identities", identity: WORK.email });
  await sb.extensionCallOk(s.tb, { type: "keystore:lock" });
  assert.equal(await sb.closeExtensionTab(s.tb, "ui/options.html"), 1);
  await op.openOptionsPage(s.tb, en);
  assert.equal(await stepShown("identities"), en("lockedTitle"));
  assert.ok((await op.readPageBasics(s.tb)).text.includes(en("setupUnlockToContinue")));
  await check("2-resume-locked");
  await op.focusPage(s.tb);
  await op.tabTo(s.tb, kb, en("passphraseCurrent"));
  await kb.type(PASSPHRASE);
  await kb.press(a11y.KEY.Enter);
  await page(`await until(() => norm(doc.querySelector("#setup-step-title")?.textContent) === args[0], "the resumed step"); return true;`, [en("setupIdentityTitle", `${WORK.name} <${WORK.email}>`)]);
  await page(`await until(() => doc.activeElement?.id === "setup-step-title", "the focus on the resumed step's heading"); return true;`);
});

test("alice@work.example: Escape closes a form and gives the focus back; Space on 'Create an OpenPGP key…', Enter → key made, revocation certificate saved", async () => {
  await op.tabTo(s.tb, kb, en("setupChoosePgp"));
  await kb.press(a11y.KEY.Enter);
  assert.equal(await op.focusedName(s.tb, `${en("pgpFile")} ${en("fileChoose")}`), `${en("pgpFile")} ${en("fileChoose")}`);
  await kb.press(a11y.KEY.Escape);
  assert.equal(await op.focusedName(s.tb, en("setupChoosePgp")), en("setupChoosePgp"), "Escape closed the form and the focus is back on its button");
  assert.equal(await page(`return !!region(args[0]);`, [en("pgpImportOwnTitle")]), false);
  await op.tabTo(s.tb, kb, en("setupChooseGenerate"), { back: true });
  await kb.press(a11y.KEY.Space);
  assert.equal(await op.focusedName(s.tb, en("identityLabel")), en("identityLabel"));
  await check("2-identity-generate");
  await op.tabTo(s.tb, kb, en("pgpGenerateButton"));
  await kb.press(a11y.KEY.Enter);
  await statusShown(en("pgpGenerated"));
  await op.tabTo(s.tb, kb, en("pgpSaveRevocation"));
  await kb.press(a11y.KEY.Enter);
  const revocation = await waitForFile(/revocation\.asc$/);
  const packets = execFileSync("gpg", ["--batch", "--list-packets", revocation], { encoding: "utf8", env: { ...process.env, GNUPGHOME: dir } });
  assert.match(packets, /sigclass 0x20/, "gpg reads a key revocation signature in the saved file");
  await op.tabTo(s.tb, kb, en("continueButton"));
  await kb.press(a11y.KEY.Enter);
  assert.equal(await stepShown("backup"), en("setupBackupTitle"));
});

test("backup step gives the reason; passphrase typed, Enter → a backup file that `sealbird keystore import` restores with both identities' keys", async () => {
  const text = (await op.readPageBasics(s.tb)).text;
  assert.ok(text.includes(en("setupBackupWhy")) && text.includes(en("firstRunBackupOffer")));
  await check("3-backup");
  await op.tabTo(s.tb, kb, en("passphraseCurrent"));
  await kb.type(PASSPHRASE);
  await kb.press(a11y.KEY.Enter);
  await statusShown(en("backupExportDone"));
  const backup = await waitForFile(/\.sealbird-backup$/);
  const cli = path.join(ROOT, "dist/cli/sealbird.mjs");
  if (!fs.existsSync(cli)) execFileSync(process.execPath, ["scripts/build-cli.mjs"], { cwd: ROOT });
  const env = { ...process.env, SEALBIRD_KEYSTORE: path.join(dir, "restored"), SEALBIRD_PASSPHRASE: PASSPHRASE };
  execFileSync(process.execPath, [cli, "keystore", "import", backup], { env, encoding: "utf8" });
  const listed = JSON.parse(execFileSync(process.execPath, [cli, "list", "--json"], { env, encoding: "utf8" }));
  const own = (Array.isArray(listed) ? listed : listed.entries ?? listed.own ?? []).map((e) => JSON.stringify(e));
  assert.ok(own.some((e) => e.includes("alice@example.org")) && own.some((e) => e.includes(WORK.email)), `both identities in the restored keystore: ${own.join("\n")}`);
  await op.tabTo(s.tb, kb, en("continueButton"));
  await kb.press(a11y.KEY.Enter);
  assert.equal(await stepShown("done"), en("setupDoneTitle"));
});

test("done: what the message and composer buttons mean; Enter on 'Open the settings' → the settings; reopened later: the settings, not the setup", async () => {
  const text = (await op.readPageBasics(s.tb)).text;
  for (const k of ["setupDoneMessageButton", "setupDoneComposeButton", "statusSignatureValid", "setupDoneProblem"]) assert.ok(text.includes(en(k)), `"${en(k)}" shown`);
  await check("4-done");
  await op.tabTo(s.tb, kb, en("setupFinish"));
  await kb.press(a11y.KEY.Enter);
  const { entries } = await op.readOwnEntries(s.tb, en, { waitFor: WORK.email });
  assert.deepEqual(entries.map((e) => [e.addresses, e.type]).sort(), [["alice@example.org", en("kindSmimeIdentity")], [WORK.email, en("kindPgpSecret")]]);
  assert.deepEqual(await sb.extensionCallOk(s.tb, { type: "options:setup-get" }), { step: "finished" });
  await sb.closeExtensionTab(s.tb, "ui/options.html");
  await op.openOptionsPage(s.tb, en);
  const again = await op.readPageBasics(s.tb);
  assert.ok(again.text.includes(en("identitiesTitle")), "the settings");
  assert.equal(await page(`return !!doc.querySelector(".setup");`), false, "no setup any more");
});
