// Sending with the real Sealbird add-on from Thunderbird's compose window: S/MIME and PGP/MIME
// checked with openssl and gpg, the Sent copy readable by the sender, keyless recipients held
// until the user chooses (password message opened by gpg), an encrypted draft, and a failed
// send that leaves the composer open and nothing in Sent. The toggles are set through the
// add-on's own request interface (compose:set), as its popup does.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as cmp from "./lib/compose.mjs";
import { attachmentBytes, readable } from "./lib/mime-read.mjs";
import { TestKeys, textEntity } from "./fixtures/messages.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "correct horse battery staple compose";

let s;
let keys;

before(
  async () => {
    const xpi = sb.buildSealbirdXpi();
    keys = new TestKeys();
    s = await startSession({ name: "compose", addons: [{ id: ID, xpi }] });
    await mail.waitForAddon(s.tb, ID);
    const files = [...keys.keyFiles(), { bytes: new Uint8Array(fs.readFileSync(keys.file("bob.pem"))), as: "correspondent" }];
    const imported = await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files });
    console.log(`  keystore provisioned through the options page: ${imported.length} entries`);
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  keys?.dispose();
});

/** Opens a composer, sets Sealbird's toggles through compose:set, returns the view. */
async function compose({ to, subject, body, sign, encrypt, technology }) {
  await mail.openCompose(s.tb, { to, subject, body });
  const tabId = await cmp.composeTabId(s.tb);
  const view = await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, sign, encrypt, technology });
  return { tabId, view };
}

/** Attaches `bytes`, sends, and returns what reached the SMTP sink (and the Sent count before). */
async function attachAndSend(name, bytes) {
  await cmp.attachFile(s.tb, { name, bytes });
  const sentBefore = (await cmp.folderMessages(s.tb, "fcc")).length;
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1);
  return { m, raw: m.raw.toString("latin1"), sentBefore };
}

function write(name, bytes) {
  const p = keys.file(name);
  fs.writeFileSync(p, bytes);
  return name;
}

const SECRET_SUBJECT = "Quarterly numbers (secret subject)";

test("S/MIME encrypt+sign with an attachment: openssl decrypts as bob and verifies; Subject only inside; Sent copy opens with alice's key", async () => {
  s.smtp.reset();
  const attachment = randomBytes(3000);
  const { view } = await compose({ to: "bob@example.org", subject: SECRET_SUBJECT, body: "Hello Bob, S/MIME from the e2e suite.", sign: true, encrypt: true, technology: "smime" });
  assert.equal(view.effective, "smime");
  assert.deepEqual(view.missing, []);
  assert.equal(view.recipients[0].uses, "smime");
  assert.equal(view.recipients[0].smime.trusted, true);
  // The compose action's popup shows the toggles and which certificate will be used.
  assert.ok(await cmp.clickComposeAction(s.tb));
  const popup = await cmp.readComposePopup(s.tb, (t) => t.includes("bob@example.org"));
  assert.match(popup, /Encrypt/);
  assert.match(popup, /S\/MIME: .*Bob/);
  assert.match(popup, /trusted/);
  await s.tb.marionette.run(
    `for (const p of Services.wm.getMostRecentWindow("msgcompose").document.querySelectorAll("panel")) if (p.state === "open") p.hidePopup(); return true;`,
  );
  const { m, raw, sentBefore } = await attachAndSend("numbers.bin", attachment);
  assert.match(raw, /^Subject: \[\.\.\.\]\r?$/m);
  assert.ok(!raw.includes("secret subject"), "real Subject never outside");
  assert.match(raw, /^Content-Type: application\/pkcs7-mime;[^]*smime-type="?enveloped-data/im);

  write("sent-smime.eml", m.raw);
  keys.openssl(["cms", "-decrypt", "-in", "sent-smime.eml", "-inkey", "bob.key", "-recip", "bob.pem", "-out", "dec-bob.mime"]);
  keys.openssl(["cms", "-verify", "-in", "dec-bob.mime", "-CAfile", "root.pem", "-out", "content-bob.mime"]);
  const content = fs.readFileSync(keys.file("content-bob.mime")).toString("latin1");
  assert.match(content, /^Subject: Quarterly numbers \(secret subject\)\r?$/m);
  assert.match(content, /hp="cipher"/);
  assert.match(readable(content), /Hello Bob, S\/MIME from the e2e suite\./);
  assert.ok(attachmentBytes(content, "numbers.bin").equals(attachment), "attachment bytes equal");

  // The Sent copy: the same protected bytes, readable with the sender's own key.
  const sent = await waitForFolder("fcc", sentBefore + 1);
  const copy = sent[sent.length - 1];
  // One protection for both: the Sent copy's body is byte-for-byte what went over SMTP.
  const bodyOf = (b) => b.toString("latin1").replace(/^[^]*?\r?\n\r?\n/, "").replace(/\r?\n/g, "\r\n").trimEnd();
  assert.equal(bodyOf(copy), bodyOf(m.raw));
  write("sent-copy.eml", copy);
  keys.openssl(["cms", "-decrypt", "-in", "sent-copy.eml", "-inkey", "alice.key", "-recip", "alice.pem", "-out", "dec-alice.mime"]);
  keys.openssl(["cms", "-verify", "-in", "dec-alice.mime", "-CAfile", "root.pem", "-out", "content-alice.mime"]);
  assert.match(readable(fs.readFileSync(keys.file("content-alice.mime")).toString("latin1")), /Hello Bob, S\/MIME/);
  assert.ok(!copy.toString("latin1").includes("secret subject"));

  // Opened in Thunderbird, the Sent copy shows Sealbird's padlock, alice's valid signature and
  // the decrypted text in the pane (Thunderbird itself has no key for it).
  await mail.displayMessage(s.tb, await waitForLast("fcc", (x) => x.subject === "[...]"));
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => /hdr-ok-valid\.svg/.test(x?.icon ?? "") && x.badge === "✓", {
    timeoutMs: 30_000,
    what: "padlock and valid badge on the S/MIME Sent copy",
  });
  assert.match(a.title, /Valid signature/);
  const paneText = await sb.waitForSealbirdView(s.tb, "render");
  assert.match(paneText, /Hello Bob, S\/MIME from the e2e suite\./);
  // The outer Subject is "[...]"; the real one, protected inside, stands in the header pane
  // (and so is not repeated above the text).
  assert.equal((await sb.readHeaderSecurity(s.tb, (await waitForLast("fcc", () => true)).uri)).subject, "Quarterly numbers (secret subject)");
  assert.doesNotMatch(paneText, /Protected subject:/);
  const details = await sb.popupPageFor(s.tb, "compose-smime-sent-popup-page");
  assert.match(details ?? "", /Protected subject: Quarterly numbers \(secret subject\)/);
  assert.match(details ?? "", /S\/MIME/);
  await mail.screenshot(s.tb, "compose-smime-sent-copy");
});

test("PGP/MIME encrypt+sign with an attachment: gpg decrypts (to bob and alice) and finds alice's good signature; Subject only inside; Sent copy shows Sealbird's padlock", async () => {
  s.smtp.reset();
  await compose({ to: "bob@example.org", subject: SECRET_SUBJECT, body: "Hello Bob, OpenPGP from the e2e suite.", sign: true, encrypt: true, technology: "openpgp" });
  const attachment = randomBytes(5000);
  const { raw, sentBefore } = await attachAndSend("pgp-data.bin", attachment);
  assert.match(raw, /multipart\/encrypted;[^]*application\/pgp-encrypted/i);
  assert.match(raw, /^Subject: \[\.\.\.\]\r?$/m);
  assert.ok(!raw.includes("secret subject"));
  const armored = raw.slice(raw.indexOf("-----BEGIN PGP MESSAGE-----"), raw.indexOf("-----END PGP MESSAGE-----") + 25);
  const status = keys.file("gpg-status.txt");
  const out = keys.gpg(["--status-file", status, "--decrypt"], Buffer.from(armored, "latin1")).toString("latin1");
  const st = fs.readFileSync(status, "utf8");
  assert.equal((st.match(/^\[GNUPG:\] ENC_TO /gm) ?? []).length, 2, "encrypted to bob and to alice (Sent copy)");
  assert.match(st, /^\[GNUPG:\] GOODSIG [0-9A-F]+ Alice <alice@example\.org>/m);
  assert.match(out, /^Subject: Quarterly numbers \(secret subject\)\r?$/m);
  assert.match(readable(out), /Hello Bob, OpenPGP from the e2e suite\./);
  assert.ok(attachmentBytes(out, "pgp-data.bin").equals(attachment), "attachment bytes equal");

  // Displayed in Thunderbird, Sealbird's reading side shows the Sent copy as encrypted.
  await waitForFolder("fcc", sentBefore + 1);
  const sentMsg = await waitForLast("fcc", (m) => m.subject === "[...]");
  await mail.displayMessage(s.tb, sentMsg);
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => /hdr-ok-/.test(x?.icon ?? ""), { timeoutMs: 30_000, what: "padlock on the Sent copy" });
  assert.match(a.icon, /hdr-ok-/);
});

test("keyless recipient with Encrypt on: nothing reaches the sink until the user chooses; the password message opens with gpg --passphrase", async () => {
  s.smtp.reset();
  const { tabId } = await compose({ to: "carol@example.net", subject: "For Carol", body: "Carol's password-protected text.", sign: false, encrypt: true, technology: "openpgp" });
  const windows = await cmp.composeWindowCount(s.tb);
  const r = await cmp.trySend(s.tb);
  assert.equal(r.sent, false);
  assert.match(r.held, /carol@example\.net/);
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(s.smtp.messages().length, 0, "held: nothing sent");
  assert.equal(await cmp.composeWindowCount(s.tb), windows, "composer still open");
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId });
  assert.deepEqual(view.missing, ["carol@example.net"]);
  assert.equal(view.blocked, true);
  // Sealbird's window lists who has no key and offers the three choices.
  const text = await cmp.readComposePopup(s.tb, (t) => t.includes("carol@example.net") && t.includes("password"));
  assert.match(text, /Remove them and send/);
  assert.match(text, /Send password-protected \(OpenPGP\)/);
  assert.match(text, /Send unencrypted/);

  const password = "tell-carol-by-phone-42";
  await sb.extensionCallOk(s.tb, { type: "compose:resolve-missing", tabId, choice: "password", password });
  const [m] = await s.smtp.waitForMessages(1, 60_000);
  assert.deepEqual(m.to, ["carol@example.net"]);
  await s.tb.waitFor(`return [...Services.wm.getEnumerator("msgcompose")].length === arguments[0];`, {
    args: [windows - 1],
    what: "the composer to close after the send",
    timeoutMs: 20_000,
  });
  const raw = m.raw.toString("latin1");
  const armored = raw.slice(raw.indexOf("-----BEGIN PGP MESSAGE-----"), raw.indexOf("-----END PGP MESSAGE-----") + 25);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-emptygpg-"));
  try {
    const out = execFileSync("gpg", ["--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", password, "--decrypt"], {
      input: Buffer.from(armored, "latin1"),
      stdio: ["pipe", "pipe", "pipe"],
    }).toString("latin1");
    assert.match(readable(out), /Carol's password-protected text\./);
    assert.match(out, /^Subject: For Carol\r?$/m);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
  await cmp.closeSealbirdWindows(s.tb);
});

test("draft with Encrypt on is stored encrypted to the sender (outer Subject [...]) and comes back readable when reopened", async () => {
  await compose({ to: "bob@example.org", subject: "Draft subject (secret)", body: "Draft body for the e2e suite.", sign: true, encrypt: true, technology: "smime" });
  const before = (await cmp.folderMessages(s.tb, "drafts")).length;
  await s.tb.marionette.run(`const w = Services.wm.getMostRecentWindow("msgcompose"); w.setTimeout(() => w.goDoCommand("cmd_saveAsDraft"), 0); return true;`);
  const drafts = await waitForFolder("drafts", before + 1);
  const d = drafts[drafts.length - 1];
  const raw = d.toString("latin1");
  assert.match(raw, /application\/pkcs7-mime/i);
  assert.ok(!raw.includes("Draft body for the e2e suite"));
  write("draft.eml", d);
  keys.openssl(["cms", "-decrypt", "-in", "draft.eml", "-inkey", "alice.key", "-recip", "alice.pem", "-out", "draft-dec.mime"]);
  assert.match(readable(fs.readFileSync(keys.file("draft-dec.mime")).toString("latin1")), /Draft body for the e2e suite\./);
  assert.match(raw, /^Subject: \[\.\.\.\]\r?$/m, "the draft's Subject is protected too");
  await mail.closeComposeWindows(s.tb);

  // Reopening the draft: Sealbird decrypts it and puts Subject and text back; Encrypt stays on.
  await cmp.openDraft(s.tb);
  const tabId = await cmp.composeTabId(s.tb);
  const restored = await s.tb.waitFor(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const subject = w.document.getElementById("msgSubject").value;
     const body = w.gMsgCompose?.editor?.document?.body?.textContent ?? "";
     return subject === "Draft subject (secret)" && body.includes("Draft body for the e2e suite.") ? { subject, body } : false;`,
    { what: "the encrypted draft restored in the composer", timeoutMs: 20_000 },
  );
  assert.ok(restored);
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId });
  assert.equal(view.encrypt, true);
  await mail.closeComposeWindows(s.tb);
});

test("send failure (SMTP refusing) with Sealbird on: Thunderbird's error, composer stays open, nothing in Sent", async () => {
  s.smtp.reset();
  const sentBefore = (await cmp.folderMessages(s.tb, "fcc")).length;
  s.smtp.setRefusing(true);
  try {
    await compose({ to: "bob@example.org", subject: "Refused", body: "should not arrive", sign: true, encrypt: true, technology: "smime" });
    const windows = await cmp.composeWindowCount(s.tb);
    const r = await cmp.trySend(s.tb);
    assert.equal(r.sent, false);
    assert.ok(r.error, `Thunderbird's send error: ${JSON.stringify(r)}`);
    assert.equal(await cmp.composeWindowCount(s.tb), windows, "composer still open");
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(s.smtp.messages().length, 0);
    assert.equal((await cmp.folderMessages(s.tb, "fcc")).length, sentBefore, "nothing in Sent");
  } finally {
    s.smtp.setRefusing(false);
    await mail.closeComposeWindows(s.tb);
  }
});

test("compose button shows the state (icon and badge), and a reply to an encrypted message starts with Encrypt on", async () => {
  const { tabId } = await compose({ to: "bob@example.org", subject: "Badge", body: "badge", sign: true, encrypt: true, technology: "smime" });
  assert.equal(await cmp.composeActionBadge(s.tb, tabId, (b) => b === "E+S"), "E+S");
  assert.match(await cmp.composeActionIcon(s.tb), /icons\/encrypted\.svg/);
  await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, encrypt: false });
  assert.equal(await cmp.composeActionBadge(s.tb, tabId, (b) => b === "S"), "S");
  assert.match(await cmp.composeActionIcon(s.tb), /icons\/signed-valid\.svg/);
  await mail.closeComposeWindows(s.tb);

  const encrypted = keys.pgpEncrypted({ inner: textEntity("A secret for Alice."), subject: "Encrypted to Alice" });
  const msg = await mail.importEml(s.tb, encrypted);
  await cmp.openReply(s.tb, msg);
  const replyTab = await cmp.composeTabId(s.tb);
  const view = await waitForView(replyTab, (v) => v.replyToEncrypted);
  assert.equal(view.encrypt, true);
  assert.equal(view.encryptReason, "reply-encrypted");
  const off = await sb.extensionCallOk(s.tb, { type: "compose:set", tabId: replyTab, encrypt: false });
  assert.equal(off.encrypt, false);
  assert.equal(off.replyToEncrypted, true, "the popup warns: replying unencrypted to an encrypted message");
  await mail.closeComposeWindows(s.tb);
});

test("Thunderbird's own encryption on as well: the send is held with an explanation, nothing sent", async () => {
  s.smtp.reset();
  await compose({ to: "bob@example.org", subject: "Twice?", body: "must not be processed twice", sign: true, encrypt: true, technology: "smime" });
  // As if the user had turned Thunderbird's own S/MIME encryption on afterwards.
  await s.tb.marionette.run(`Services.wm.getMostRecentWindow("msgcompose").gSendEncrypted = true; return true;`);
  const r = await cmp.trySend(s.tb);
  assert.equal(r.sent, false);
  assert.match(r.held, /Thunderbird's own encryption/);
  await new Promise((res) => setTimeout(res, 1000));
  assert.equal(s.smtp.messages().length, 0);
  await mail.closeComposeWindows(s.tb);
});

test("keyless recipient, 'send unencrypted' needs the confirmation; then the message goes out S/MIME-signed only (openssl and gpgsm verify)", async () => {
  s.smtp.reset();
  const { tabId } = await compose({ to: "carol@example.net", subject: "Plain for Carol", body: "Signed, not encrypted.", sign: true, encrypt: true, technology: "smime" });
  const r = await cmp.trySend(s.tb);
  assert.match(r.held, /carol@example\.net/);
  const refused = await sb.extensionCall(s.tb, { type: "compose:resolve-missing", tabId, choice: "unencrypted" });
  assert.equal(refused.ok, false, "no confirmation, no unencrypted send");
  assert.equal(s.smtp.messages().length, 0);
  await sb.extensionCallOk(s.tb, { type: "compose:resolve-missing", tabId, choice: "unencrypted", confirmed: true });
  const [m] = await s.smtp.waitForMessages(1, 60_000);
  const raw = m.raw.toString("latin1");
  assert.match(raw, /^Content-Type: multipart\/signed;[^]*application\/pkcs7-signature/im);
  assert.match(raw, /^Subject: Plain for Carol\r?$/m, "sign-only keeps the real Subject outside");
  write("signed-only.eml", m.raw);
  keys.openssl(["cms", "-verify", "-in", "signed-only.eml", "-CAfile", "root.pem", "-out", "signed-only.txt"]);
  assert.match(readable(fs.readFileSync(keys.file("signed-only.txt")).toString("latin1")), /Signed, not encrypted\./);
  gpgsmVerify(raw);
  await cmp.closeSealbirdWindows(s.tb);
});

test("a failure while protecting (no key for the From address, draft save): nothing stored, composer open, translated reason shown", async () => {
  await compose({ to: "bob@example.org", subject: "No key for this From", body: "must not be stored", sign: false, encrypt: true, technology: "smime" });
  const before = (await cmp.folderMessages(s.tb, "drafts")).length;
  const windows = await cmp.composeWindowCount(s.tb);
  // The user typed another From address, one Sealbird has no key for.
  await s.tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     w.document.getElementById("msgIdentity").value = "Mallory <mallory@example.org>";
     w.setTimeout(() => w.goDoCommand("cmd_saveAsDraft"), 0);
     return true;`,
  );
  const notice = await s.tb.waitFor(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const n = w?.gComposeNotification?.getNotificationWithValue("sealbird-compose");
     const t = n ? String(n.messageText?.textContent || n.label || "") : "";
     return t.trim() ? t.trim() : false;`,
    { what: "Sealbird's failure notice", timeoutMs: 20_000 },
  );
  assert.match(notice, /Sealbird could not protect this message, so nothing was sent or saved\./);
  assert.match(notice, /mallory@example\.org/);
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal((await cmp.folderMessages(s.tb, "drafts")).length, before, "no draft stored");
  assert.equal(await cmp.composeWindowCount(s.tb), windows, "composer still open");

  // Sealbird off for this composer: Thunderbird's own path is back and a plain send works.
  s.smtp.reset();
  const tabId = await cmp.composeTabId(s.tb);
  await s.tb.marionette.run(`Services.wm.getMostRecentWindow("msgcompose").document.getElementById("msgIdentity").value = "Alice <alice@example.org>"; return true;`);
  await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, sign: false, encrypt: false });
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1);
  assert.match(m.raw.toString("latin1"), /^Subject: No key for this From\r?$/m);
  assert.doesNotMatch(m.raw.toString("latin1"), /pkcs7|pgp-/i);
});

test("PGP/MIME sign-only of an HTML message: gpg --verify accepts the detached signature over the exact signed part", async () => {
  s.smtp.reset();
  await mail.openCompose(s.tb, { to: "carol@example.net", subject: "Signed HTML", body: "<p>Signed <b>HTML</b> from the e2e suite.</p>", html: true });
  const tabId = await cmp.composeTabId(s.tb);
  await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, sign: true, encrypt: false, technology: "openpgp" });
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1);
  const raw = m.raw.toString("latin1");
  assert.match(raw, /^Subject: Signed HTML\r?$/m);
  const boundary = /^Content-Type: multipart\/signed;[^]*?boundary="([^"]+)"/im.exec(raw)?.[1];
  assert.ok(boundary, "multipart/signed with a boundary");
  const first = raw.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
  const second = raw.indexOf(`\r\n--${boundary}\r\n`, first);
  const signed = raw.slice(first, second);
  const sig = raw.slice(raw.indexOf("-----BEGIN PGP SIGNATURE-----"), raw.indexOf("-----END PGP SIGNATURE-----") + 27);
  write("signed-part.mime", Buffer.from(signed, "latin1"));
  write("signed-part.asc", Buffer.from(sig, "latin1"));
  const status = keys.file("verify-status.txt");
  keys.gpg(["--status-file", status, "--verify", keys.file("signed-part.asc"), keys.file("signed-part.mime")]);
  assert.match(fs.readFileSync(status, "utf8"), /^\[GNUPG:\] GOODSIG [0-9A-F]+ Alice <alice@example\.org>/m);
  assert.match(signed, /hp="clear"/);
  assert.match(readable(signed), /<b>HTML<\/b>/);
});

/** gpgsm (a second S/MIME implementation) verifies the detached signature of a multipart/signed message. */
function gpgsmVerify(raw) {
  const boundary = /^Content-Type: multipart\/signed;[^]*?boundary="?([^"\s;]+)"?/im.exec(raw)[1];
  const first = raw.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
  const second = raw.indexOf(`\r\n--${boundary}\r\n`, first);
  const sigPart = raw.slice(second + boundary.length + 6, raw.indexOf(`\r\n--${boundary}--`, second));
  const sigB64 = sigPart.slice(sigPart.search(/\r\n\r\n/) + 4);
  write("gpgsm-data.mime", Buffer.from(raw.slice(first, second), "latin1"));
  write("gpgsm-sig.p7s", Buffer.from(sigB64.replace(/\s+/g, ""), "base64"));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-gpgsm-"));
  try {
    const env = { ...process.env, GNUPGHOME: home };
    const gpgsm = (args) => execFileSync("gpgsm", ["--batch", "--disable-crl-checks", "--disable-trusted-cert-crl-check", "--disable-dirmngr", ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    gpgsm(["--import", keys.file("root.pem")]);
    const fpr = /fpr:+([0-9A-F]{40}):/.exec(gpgsm(["--with-colons", "--list-keys"]).toString())[1];
    fs.writeFileSync(path.join(home, "trustlist.txt"), `${fpr} S relax\n`);
    const status = gpgsm(["--status-fd", "1", "--verify", keys.file("gpgsm-sig.p7s"), keys.file("gpgsm-data.mime")]).toString();
    assert.match(status, /^\[GNUPG:\] GOODSIG /m);
    assert.match(status, /^\[GNUPG:\] VALIDSIG /m);
  } finally {
    try {
      execFileSync("gpgconf", ["--kill", "all"], { env: { ...process.env, GNUPGHOME: home } });
    } catch {
      // no agent
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const waitForView = (tabId, pred, timeoutMs) => cmp.waitForComposeView(s.tb, tabId, pred, timeoutMs);

async function waitForLast(which, pred, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = await cmp.lastMessage(s.tb, which).catch(() => null);
    if (m && pred(m)) return m;
    if (Date.now() > end) throw new Error(`no matching message in ${which}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function waitForFolder(which, n, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const list = await cmp.folderMessages(s.tb, which);
    if (list.length >= n) return list;
    if (Date.now() > end) throw new Error(`${which} folder has ${list.length} messages, expected ${n}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
