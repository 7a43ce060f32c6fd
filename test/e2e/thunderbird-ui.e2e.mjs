// Sealbird living in Thunderbird (issue 12): one security indicator in the header, the
// protected Subject where Thunderbird shows subjects, replies and forwards of decrypted mail,
// the leak guard, and decrypted copies. Messages are made at test time by gpg/openssl
// (fixtures/messages.mjs); one Thunderbird session for the whole file.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as compose from "./lib/compose.mjs";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as op from "./lib/options-page.mjs";
import { TestKeys } from "./fixtures/messages.mjs";
import { attachmentBytes, readable } from "./lib/mime-read.mjs";

const ID = sb.SEALBIRD_ID;
const CLI = path.resolve("dist/cli/sealbird.mjs");
const PASSPHRASE = "correct horse battery staple e2e";

let s;
let keys;
let downloads;
let xpi;
const de = op.messages("de");

/** What gpg (as Alice and Bob's key owner) reads in a PGP/MIME message from the sink, base64 parts decoded. */
function gpgDecrypted(raw) {
  const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(raw)?.[0];
  assert.ok(armored, "PGP/MIME encrypted");
  return readable(keys.gpg(["--decrypt"], Buffer.from(armored, "latin1")).toString("latin1").replace(/\r?\n/g, "\r\n"));
}

/** What openssl (as Bob) reads in an S/MIME message from the sink: decrypted, the signature verified, base64 parts decoded. */
function opensslDecrypted(raw, name) {
  fs.writeFileSync(keys.file(`${name}.eml`), raw);
  assert.match(raw.toString("latin1"), /^Content-Type: application\/pkcs7-mime;[^]*enveloped-data/im, "S/MIME encrypted");
  keys.openssl(["cms", "-decrypt", "-in", `${name}.eml`, "-inkey", "bob.key", "-recip", "bob.pem", "-out", `${name}.dec`]);
  const dec = fs.readFileSync(keys.file(`${name}.dec`));
  const content = /pkcs7-signature|signed-data/i.test(dec.toString("latin1"))
    ? keys.openssl(["cms", "-verify", "-in", `${name}.dec`, "-CAfile", "root.pem"])
    : dec;
  return readable(content.toString("latin1").replace(/\r?\n/g, "\r\n"));
}

async function waitForComposer(re) {
  return poll(() => compose.composerContent(s.tb), (c) => re.test(c.text), `composer text matching ${re}`);
}

/** A text entity carrying its real header fields inside (protected headers, the form Thunderbird writes). */
const protectedText = (subject, text, from = "Bob <bob@example.org>") =>
  `Content-Type: text/plain; charset=utf-8; protected-headers="v1"\nSubject: ${subject}\nFrom: ${from}\nTo: Alice <alice@example.org>\nContent-Transfer-Encoding: 8bit\n\n${text}\n`;

async function show(eml) {
  const msg = await mail.importEml(s.tb, eml);
  await sb.displayMessageNoWait(s.tb, msg);
  return msg;
}

async function poll(read, pred, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** A Thunderbird session for this file's tests, in `locale` (en-US, or de for the German states). */
async function startUi(locale) {
  s = await startSession({
    name: `thunderbird-ui-${locale}`,
    addons: [{ id: ID, xpi }],
    prefs: {
      "intl.locale.requested": locale,
      // Thunderbird's own download settings decide where "Save decrypted copy…" writes.
      "browser.download.dir": downloads,
      "browser.download.folderList": 2,
      "browser.download.useDownloadDir": true,
      // A second identity Sealbird holds no key for: its composer stays Thunderbird's.
      "mail.account.account1.identities": "id1,id2",
      "mail.identity.id2.fullName": "Dave",
      "mail.identity.id2.useremail": "dave@example.net",
      "mail.identity.id2.smtpServer": "smtp1",
      "mail.identity.id2.valid": true,
      "mail.identity.id2.compose_html": false,
      // Thunderbird shows its Security button and menu once any identity has its own OpenPGP
      // set up (MsgComposeCommands.js): a key id on Dave's makes them appear for Thunderbird.
      "mail.identity.id2.openpgp_key_id": "0123456789ABCDEF",
    },
  });
  await mail.waitForAddon(s.tb, ID);
  await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files: keys.keyFiles() });
}

before(
  async () => {
    // `sealbird inspect` checks the saved copy: the CLI is normally built by npm ci (prepare).
    if (!fs.existsSync(CLI)) execFileSync(process.execPath, ["scripts/build-cli.mjs"], { stdio: "inherit" });
    xpi = sb.buildSealbirdXpi();
    keys = new TestKeys();
    downloads = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-downloads-"));
    await startUi("en-US");
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  keys?.dispose();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

test("PGP/MIME only Sealbird can decrypt: no Thunderbird bar or indicator, its attempt stopped; the protected Subject in header and title, not in the list when off", async () => {
  await sb.extensionCallOk(s.tb, { type: "options:list-subject-set", on: false });
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Quarterly numbers PGP", "PGP body HDR-TOKEN-1") });
  const msg = await show(eml);
  const pane = await sb.waitForSealbirdView(s.tb, "render");
  assert.match(pane, /HDR-TOKEN-1/);
  assert.doesNotMatch(pane, /Protected subject:/, "the header shows it: the body does not repeat it");
  const h = await poll(() => sb.readHeaderSecurity(s.tb, msg.uri), (x) => x.subject === "Quarterly numbers PGP", "the protected Subject in the header");
  assert.equal(h.title, "Quarterly numbers PGP");
  assert.deepEqual(h.notifications.filter((n) => n !== "remoteContent"), [], "no Thunderbird notification bar");
  assert.equal(h.cryptoBoxShown, false, "Thunderbird's own indicator is not shown");
  assert.equal(h.listSubject, "[...]", "setting off: the message index keeps [...]");
  await mail.screenshot(s.tb, "ui-header-pgp-en");
});

test("the same message with the list setting on: the message list shows the protected Subject", async () => {
  await sb.extensionCallOk(s.tb, { type: "options:list-subject-set", on: true });
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("List subject PGP", "PGP body LIST-TOKEN") });
  const msg = await show(eml);
  const h = await poll(() => sb.readHeaderSecurity(s.tb, msg.uri), (x) => x.listSubject === "List subject PGP", "the protected Subject in the message index");
  assert.equal(h.subject, "List subject PGP");
  await mail.screenshot(s.tb, "ui-list-subject-on-en");
});

test("S/MIME sign-then-encrypt only Sealbird can decrypt: no Thunderbird indicator, envelope + padlock without a sentence, protected Subject; details offer the copy and Thunderbird's view", async () => {
  const signed = keys.smimeSignedEntity(protectedText("Signed contract S/MIME", "Contract text COPY-TOKEN-2"));
  const eml = keys.smimeEncrypted({ subject: "[...]", inner: signed });
  const msg = await show(eml);
  assert.match(await sb.waitForSealbirdView(s.tb, "render"), /COPY-TOKEN-2/);
  const h = await poll(() => sb.readHeaderSecurity(s.tb, msg.uri), (x) => x.subject === "Signed contract S/MIME", "protected Subject");
  assert.equal(h.cryptoBoxShown, false, "Thunderbird's own indicator is not shown");
  assert.deepEqual(h.notifications.filter((n) => n !== "remoteContent"), []);
  assert.equal(h.title, "Signed contract S/MIME");
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => /hdr-ok-valid/.test(x.icon ?? ""), { timeoutMs: 30_000, what: "envelope + padlock" });
  // Thunderbird keeps the words as label attribute (the accessible name) and hides them.
  const hidden = await s.tb.marionette.run(
    `const am = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").currentAboutMessage;
     return am.document.querySelector('#header-view-toolbar [data-extensionid="${ID}"]')?.getAttribute("hideWebExtensionLabel");`,
  );
  assert.equal(hidden, "true", "no sentence on the button");
  assert.match(a.title, /Valid signature/);
  await mail.screenshot(s.tb, "ui-header-smime-en");
  const details = await sb.popupPageFor(s.tb, "ui-details-smime-en");
  assert.match(details, /What Thunderbird's own crypto says/);
  assert.match(details, /Save decrypted copy/);
});

test("Save decrypted copy (pressed in the details) writes an .eml: real Subject in the header, the plaintext, and a signature sealbird inspect still verifies", async () => {
  // The S/MIME message of the previous test is still shown.
  const r = await sb.popupPageFor(s.tb, "ui-details-saved-en", { click: '[data-action="save-copy"]', until: /Saved: / });
  const file = /Saved: (.+\.eml)/.exec(r.after)?.[1]?.trim();
  assert.ok(file, r.after);
  assert.equal(path.dirname(file), downloads, "written where Thunderbird's download setting says");
  const eml = fs.readFileSync(file);
  const text = eml.toString("latin1");
  const head = text.slice(0, text.search(/\r?\n\r?\n/));
  assert.match(head, /^Subject: Signed contract S\/MIME\r?$/m, "the protected Subject restored into the header section");
  assert.doesNotMatch(head, /^Subject: \[\.\.\.\]/m);
  assert.doesNotMatch(text, /enveloped-data/i, "the copy is not encrypted");
  // The CLI, with a keystore of its own that knows only the trust anchor.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-cli-"));
  try {
    const env = { ...process.env, SEALBIRD_KEYSTORE: path.join(dir, "ks"), SEALBIRD_PASSPHRASE: "cli passphrase e2e" };
    const cli = (args) => execFileSync(process.execPath, [CLI, ...args], { env, cwd: dir, encoding: "utf8" });
    cli(["keystore", "init"]);
    cli(["trust", keys.file("root.pem")]);
    const status = JSON.parse(cli(["inspect", file, "--json"]));
    assert.equal(status.encryption.state, "none");
    assert.equal(status.signature.state, "valid", JSON.stringify(status.signature));
    assert.match(status.signature.signer?.email ?? JSON.stringify(status.signature), /bob@example\.org/);
    cli(["inspect", file, "--out", path.join(dir, "content.eml")]);
    assert.match(fs.readFileSync(path.join(dir, "content.eml"), "latin1"), /Contract text COPY-TOKEN-2/, "the plaintext body");
    // And independently of Sealbird: openssl verifies the copy's signature against the root.
    const verified = keys.openssl(["cms", "-verify", "-in", file, "-CAfile", keys.file("root.pem")]).toString("latin1");
    assert.match(verified, /Contract text COPY-TOKEN-2/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Reply to a PGP/MIME message only Sealbird decrypted: the decrypted text quoted, Re: + protected Subject, Encrypt on; gpg decrypts the sent reply to the quote", async () => {
  s.smtp.reset();
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Budget question", "Can you confirm REPLY-TOKEN-3?\nSecond line") });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openReply(s.tb, msg);
  const c = await waitForComposer(/REPLY-TOKEN-3/);
  assert.match(c.text, /Bob wrote:/);
  // As Thunderbird quotes plain mail: a cite blockquote in an HTML composer, "> " lines in a plain one.
  assert.ok(/<blockquote type="cite"[^>]*>[\s\S]*REPLY-TOKEN-3/.test(c.html) || /^> Can you confirm REPLY-TOKEN-3\?$/m.test(c.text), c.html);
  assert.equal(c.subject, "Re: Budget question");
  const tabId = await compose.composeTabId(s.tb);
  await compose.composeActionBadge(s.tb, tabId, (b) => /E/.test(b ?? ""));
  await mail.screenshotWindow(s.tb, "ui-reply-composer-en", "msgcompose");
  const sent = await compose.trySend(s.tb);
  assert.deepEqual(sent, { sent: true });
  const [m] = await s.smtp.waitForMessages(1, 30_000);
  const raw = m.raw.toString("latin1");
  assert.doesNotMatch(raw, /REPLY-TOKEN-3/, "the quote never travels in clear");
  assert.match(gpgDecrypted(raw), /^> Can you confirm REPLY-TOKEN-3\?/m);
});

test("Forward inline of a decrypted message: decrypted text under the forward header, Fwd: + protected Subject", async () => {
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Minutes to pass on", "Forward me FWD-TOKEN-4") });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ForwardInline");
  const c = await waitForComposer(/FWD-TOKEN-4/);
  assert.match(c.text, /Forwarded Message/);
  assert.equal(c.subject, "Fwd: Minutes to pass on");
  // Sent on to Bob (whom the original involved): gpg reads the forwarded text, never in clear.
  s.smtp.reset();
  await compose.addRecipient(s.tb, "bob@example.org");
  assert.deepEqual(await compose.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1, 30_000);
  assert.doesNotMatch(m.raw.toString("latin1"), /FWD-TOKEN-4/);
  assert.match(gpgDecrypted(m.raw.toString("latin1")), /-------- Forwarded Message --------[\s\S]*Forward me FWD-TOKEN-4/);
});

test("Leak guard: a reply whose Reply-To points elsewhere is held with a confirmation naming that address; nothing reaches the sink", async () => {
  s.smtp.reset();
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Please reply", "Secret LEAK-TOKEN-5"), replyTo: "Bob <attacker@evil.example>" });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openReply(s.tb, msg);
  await waitForComposer(/LEAK-TOKEN-5/);
  const held = await compose.trySend(s.tb);
  assert.equal(held.sent, false);
  assert.match(held.held ?? "", /attacker@evil\.example/);
  const popup = await compose.readComposePopup(s.tb, (t) => /attacker@evil\.example/.test(t) || /rror/.test(t));
  assert.match(popup, /Don't send/, popup);
  assert.match(popup, /did not involve/);
  await mail.screenshotWindow(s.tb, "ui-leak-guard-en", "msgcompose");
  await mail.screenshotWindow(s.tb, "ui-leak-guard-window-en", "mail:extensionPopup");
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(s.smtp.messages().length, 0, "nothing was sent");
  await mail.closeComposeWindows(s.tb);
});

/** The same message sent in clear and encrypted (same Date, Message-ID, From, To, Cc), for comparing. */
function clearAndEncrypted({ subject, cc, contentType, body }) {
  const id = `<twin-${Date.now()}-${Math.random().toString(36).slice(2)}@sealbird.test>`;
  const fields = `From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\n${cc ? `Cc: ${cc}\r\n` : ""}Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: ${id}\r\n`;
  const clear = Buffer.from(`${fields}Subject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n${body}`);
  const inner = `Content-Type: ${contentType}; protected-headers="v1"\nSubject: ${subject}\nFrom: Bob <bob@example.org>\nTo: Alice <alice@example.org>\n${cc ? `Cc: ${cc}\n` : ""}\n${body}`;
  const encrypted = keys.pgpEncrypted({ subject: "[...]", inner }).toString("latin1").replace(/^Date: .*$/m, "Date: Mon, 23 Nov 2026 09:00:00 +0000").replace(/^Message-ID: .*$/m, `Message-ID: ${id}`);
  return { clear, encrypted: Buffer.from(cc ? encrypted.replace(/^(To: .*)$/m, `$1\r\nCc: ${cc}`) : encrypted, "latin1") };
}

/** The newest composer's content once its text settled (Thunderbird, then Sealbird, write into it). */
async function settledComposer(token) {
  let last = null;
  return poll(
    async () => {
      const c = await compose.composerContent(s.tb);
      const stable = last !== null && c.html === last;
      last = c.html;
      return { ...c, stable };
    },
    (c) => c.stable && (!token || c.text.includes(token)),
    `a settled composer${token ? ` with ${token}` : ""}`,
  );
}

test("Reply and forward of a decrypted message read like Thunderbird's own reply and forward of the same message in clear (plain and HTML composer: cite line, quote levels, forward header)", async () => {
  const text = "Line one TWIN-TOKEN\r\n\r\n> already quoted\r\nLine three\r\n";
  const { clear, encrypted } = clearAndEncrypted({ subject: "Twin text", cc: "Carol <carol@example.org>", contentType: "text/plain; charset=utf-8", body: text });
  const plainMsg = await mail.importEml(s.tb, clear);
  const encMsg = await show(encrypted);
  await sb.waitForSealbirdView(s.tb, "render");
  for (const [type, format] of [["ReplyToSender", "Default"], ["ReplyToSender", "HTML"], ["ForwardInline", "Default"]]) {
    await compose.openComposeFor(s.tb, plainMsg, type, format);
    const theirs = await settledComposer("TWIN-TOKEN");
    await mail.closeComposeWindows(s.tb);
    await compose.openComposeFor(s.tb, encMsg, type, format);
    const ours = await settledComposer("TWIN-TOKEN");
    if (type === "ReplyToSender" && format === "HTML") await mail.screenshotWindow(s.tb, "ui-reply-html-composer-en", "msgcompose");
    await mail.closeComposeWindows(s.tb);
    assert.equal(ours.subject, theirs.subject);
    assert.equal(ours.isHtml, theirs.isHtml);
    // An HTML composer sends its document: that must be the same. A plain-text composer sends
    // its text (its markup for the lines is its own). The editor's text view of an HTML
    // document varies with its caret state, so it is not compared.
    if (ours.isHtml) assert.equal(ours.html, theirs.html, `${type}/${format}: the composer's HTML`);
    else assert.equal(ours.text, theirs.text, `${type}/${format}: the text as Thunderbird sends it`);
  }
});

test("Reply to a decrypted HTML message in an HTML composer: the quote is the pane's sanitised HTML (no script, no handlers, no remote reference) and nothing is fetched", async () => {
  s.leak.reset();
  const html =
    `<html><body><p onclick="alert(1)">Dear Alice, <b>HTML-TOKEN</b></p><script>document.title="pwned"</script>` +
    `<img src="${s.leak.url("/reply-pixel.png")}" alt="pixel"><a href="javascript:alert(2)">link</a>` +
    `<p style="background:url(${s.leak.url("/reply-bg.png")})">styled</p></body></html>`;
  const { encrypted } = clearAndEncrypted({ subject: "Html reply", contentType: "text/html; charset=utf-8", body: `${html}\r\n` });
  const msg = await show(encrypted);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ReplyToSender", "HTML");
  const c = await settledComposer("HTML-TOKEN");
  assert.equal(c.isHtml, true);
  const quote = /<blockquote type="cite"[^>]*>([\s\S]*)<\/blockquote>/.exec(c.html)?.[1] ?? "";
  assert.match(quote, /<b>HTML-TOKEN<\/b>/, "the HTML itself is quoted, not a text version");
  assert.doesNotMatch(c.html, /<script|onclick|javascript:|reply-pixel|reply-bg/i, c.html);
  assert.equal(c.subject, "Re: Html reply");
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(s.leak.requests().map((r) => r.url), [], "no request from the composer");
  await mail.closeComposeWindows(s.tb);
});

test("A message Sealbird could not decrypt keeps Thunderbird's quote: no plaintext, not armed as holding decrypted text", async () => {
  // Encrypted to Bob only: Sealbird (Alice's keys) cannot open it either.
  const toBob = keys.gpg(["--armor", "--encrypt", "--recipient", "bob@example.org"], Buffer.from("Content-Type: text/plain\r\n\r\nNEVER-SHOWN-TOKEN\r\n")).toString("latin1");
  const eml = keys.pgpEncrypted({ subject: "For someone else", inner: "Content-Type: text/plain\n\nplaceholder\n" }).toString("latin1");
  const msg = await show(Buffer.from(eml.replace(/-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/, toBob.trim()), "latin1"));
  assert.match(await sb.waitForSealbirdView(s.tb, "error"), /key/i);
  await compose.openComposeFor(s.tb, msg, "ReplyToSender");
  const c = await settledComposer();
  assert.match(c.text, /Bob wrote:/, "Thunderbird's own reply");
  assert.doesNotMatch(c.text, /NEVER-SHOWN-TOKEN/);
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId: await compose.composeTabId(s.tb) });
  assert.equal(view.holdsDecrypted, false);
  assert.equal(view.encrypt, true, "a reply to an encrypted message still starts with Encrypt on");
  await mail.closeComposeWindows(s.tb);
});

test("A message opened in its own tab: the protected Subject in the header and the tab's title", async () => {
  const msg = await mail.importEml(s.tb, keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Own tab subject", "Tab body TAB-TOKEN") }));
  await mail.displayMessageInTab(s.tb, msg);
  const t = await poll(
    () =>
      s.tb.marionette.run(
        `const tabmail = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail");
         const am = tabmail.currentAboutMessage;
         const row = am?.document.getElementById("expandedsubjectBox");
         return { tab: tabmail.currentTabInfo.title, doc: am?.document.title, header: row?.querySelector(":scope > span:not(.row-heading)")?.textContent.trim() ?? "", window: Services.wm.getMostRecentWindow("mail:3pane").document.title };`,
      ),
    (x) => x.header === "Own tab subject" && x.tab === "Own tab subject",
    "the protected Subject in the message tab",
  );
  assert.equal(t.doc, "Own tab subject");
  assert.match(t.window, /^Own tab subject/, "the window title follows the selected tab");
  await mail.screenshot(s.tb, "ui-message-tab-en");
  await mail.closeOtherTabs(s.tb);
});

test("Composer of an identity Sealbird protects: Sealbird's Encrypt and Sign in the toolbar with state and why, Thunderbird's own crypto controls hidden; another identity gets Thunderbird's back", async () => {
  // Before Sealbird: Thunderbird's own Encrypt button is in this toolbar (its default set).
  await mail.openCompose(s.tb, { to: "bob@example.org, carol@example.net", subject: "Controls", body: "Who encrypts?" });
  const tabId = await compose.composeTabId(s.tb);
  const c = await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.visible && /carol@example\.net/.test(x.sealbird.encrypt.tooltip), "Sealbird's controls");
  assert.deepEqual(
    Object.fromEntries(Object.entries(c.thunderbird).map(([k, v]) => [k, v ? v.display : null])),
    { encrypt: "none", sign: null, options: "none", menu: "none" },
    "Thunderbird's Encrypt, Security button and Security menu are not shown (its Sign button is not in the default toolbar)",
  );
  assert.equal(c.thunderbird.encrypt.visible, false);
  assert.equal(c.thunderbird.options.hidden, false, "hidden by Sealbird, not by Thunderbird");
  assert.equal(c.sealbird.encrypt.label, "Encrypt");
  assert.equal(c.sealbird.encrypt.checked, false, "carol has no key: Encrypt starts off");
  assert.match(c.sealbird.encrypt.tooltip, /^Encrypt is off: no key for carol@example\.net\./);
  assert.equal(c.sealbird.sign.label, "Sign");
  assert.equal(c.sealbird.sign.visible, true);
  assert.equal(c.sealbird.sign.checked, true, "Sign on by the policy's default");
  assert.equal(await compose.composeActionLabel(s.tb), "Keys: 1/2");
  await mail.screenshotWindow(s.tb, "ui-composer-en", "msgcompose");
  // The per-recipient status is one click away: the Sealbird button's popup lists every key.
  assert.ok(await compose.clickComposeAction(s.tb));
  const popup = await compose.readComposePopup(s.tb, (t) => /carol@example\.net/.test(t) && /bob@example\.org/.test(t));
  assert.match(popup, /bob@example\.org\s+OpenPGP: Bob <bob@example\.org>/);
  assert.match(popup, /carol@example\.net\s+no key/);
  assert.match(popup, /Encrypt is off: no key for carol@example\.net\./);
  await compose.closePanels(s.tb);

  // Pressing Sealbird's Encrypt: on, saying why, and the compose state follows.
  await compose.pressSealbirdControl(s.tb, "encrypt");
  const on = await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.checked, "Encrypt pressed");
  assert.match(on.sealbird.encrypt.tooltip, /^You turned Encrypt on\./);
  assert.equal((await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId })).encrypt, true);
  assert.equal(on.thunderbird.encrypt.visible, false);
  await mail.screenshotWindow(s.tb, "ui-composer-encrypt-on-en", "msgcompose");

  // From an identity Sealbird has no key for, with Sealbird's Encrypt still on (the user's
  // choice for this message): Sealbird stays in charge, its Sign says why it cannot sign.
  assert.equal(await compose.chooseIdentity(s.tb, "dave@example.net"), true);
  const dave = await poll(() => compose.composeControls(s.tb), (x) => /dave@example\.net/.test(x.sealbird.sign?.tooltip ?? ""), "Sign's reason for Dave");
  assert.match(dave.sealbird.sign.tooltip, /^Sign is off: Sealbird has no key to sign as dave@example\.net with OpenPGP\./);
  assert.equal(dave.sealbird.sign.disabled, true);
  assert.equal(dave.sealbird.encrypt.checked, true);
  assert.equal(dave.thunderbird.encrypt.visible, false);
  // Encrypt off: nothing of Sealbird's is on and it holds no key for Dave, so Thunderbird's own
  // controls are back and Sealbird's are gone.
  await compose.pressSealbirdControl(s.tb, "encrypt");
  const back = await poll(() => compose.composeControls(s.tb), (x) => !x.sealbird.encrypt && x.thunderbird.encrypt?.visible, "Thunderbird's controls back");
  assert.equal(back.sealbird.sign, null);
  assert.equal(back.thunderbird.options.visible, true, "Thunderbird's Security button");
  assert.notEqual(back.thunderbird.menu.display, "none", "Thunderbird's Security menu");
  await mail.screenshotWindow(s.tb, "ui-composer-not-protected-en", "msgcompose");
  // And Alice again: Sealbird's again.
  await compose.chooseIdentity(s.tb, "alice@example.org");
  await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.visible && !x.thunderbird.encrypt?.visible, "Sealbird's controls again");
  await mail.closeComposeWindows(s.tb);
});

const protectedMixed = (subject, text, att) =>
  `Content-Type: multipart/mixed; boundary="sb-mixed"; protected-headers="v1"\nSubject: ${subject}\nFrom: Bob <bob@example.org>\nTo: Alice <alice@example.org>\n\n` +
  `--sb-mixed\nContent-Type: text/plain; charset=utf-8\n\n${text}\n--sb-mixed\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="${att.name}"\n` +
  `Content-Transfer-Encoding: base64\n\n${att.bytes.toString("base64").replace(/.{76}/g, "$&\n")}\n--sb-mixed--\n`;

test("S/MIME Reply to a message only Sealbird decrypted: the decrypted text quoted, Encrypt on; openssl decrypts the sent reply to the quote", async () => {
  // From here on Bob has an S/MIME certificate in Sealbird too.
  await sb.extensionCallOk(s.tb, { type: "keyring:import", bytes: new Uint8Array(fs.readFileSync(keys.file("bob.pem"))), as: "correspondent" });
  s.smtp.reset();
  const eml = keys.smimeEncrypted({ subject: "[...]", inner: keys.smimeSignedEntity(protectedText("Contract reply", "Please sign SMIME-REPLY-TOKEN\nby Friday")) });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ReplyToSender");
  const c = await settledComposer("SMIME-REPLY-TOKEN");
  assert.equal(c.subject, "Re: Contract reply");
  assert.match(c.text, /Bob wrote:\n> Please sign SMIME-REPLY-TOKEN\n> by Friday\n/);
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId: await compose.composeTabId(s.tb) });
  assert.equal(view.encrypt, true);
  assert.equal(view.encryptReason, "reply-encrypted");
  assert.equal(view.effective, "smime");
  assert.deepEqual(await compose.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1, 30_000);
  assert.doesNotMatch(m.raw.toString("latin1"), /SMIME-REPLY-TOKEN/, "the quote never travels in clear");
  assert.match(opensslDecrypted(m.raw, "smime-reply"), /^> Please sign SMIME-REPLY-TOKEN\r?$/m);
});

test("S/MIME Reply All: the sender in To, the other recipients in Cc, the decrypted quote, Encrypt on; a keyless Cc holds the send for its missing key, not for the leak guard", async () => {
  const inner = protectedText("Team plan", "All of you: TEAM-TOKEN").replace("To: Alice <alice@example.org>", "To: Alice <alice@example.org>\nCc: Carol <carol@example.net>");
  const eml = keys.smimeEncrypted({ subject: "[...]", inner: keys.smimeSignedEntity(inner) }).toString("latin1").replace(/^(To: .*)$/m, "$1\r\nCc: Carol <carol@example.net>");
  const msg = await show(Buffer.from(eml, "latin1"));
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ReplyAll");
  const c = await settledComposer("TEAM-TOKEN");
  assert.deepEqual(c.to, ["bob@example.org"]);
  assert.deepEqual(c.cc, ["carol@example.net"]);
  assert.match(c.text, /^> All of you: TEAM-TOKEN$/m);
  assert.equal(c.subject, "Re: Team plan");
  s.smtp.reset();
  const held = await compose.trySend(s.tb);
  assert.equal(held.sent, false);
  assert.match(held.held ?? "", /no key for carol@example\.net/);
  assert.doesNotMatch(held.held ?? "", /did not involve/);
  assert.equal(s.smtp.messages().length, 0);
  await mail.closeComposeWindows(s.tb);
  await compose.closeSealbirdWindows(s.tb);
});

test("S/MIME Forward inline with an attachment: the decrypted text and the attachment in the composer; sent to Bob, openssl decrypts it to both (attachment byte for byte)", async () => {
  const att = { name: "plan.bin", bytes: Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 37) & 0xff)) };
  const eml = keys.smimeEncrypted({ subject: "[...]", inner: keys.smimeSignedEntity(protectedMixed("Plan attached", "See the plan ATT-TOKEN", att)) });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ForwardInline");
  const c = await settledComposer("ATT-TOKEN");
  assert.equal(c.subject, "Fwd: Plan attached");
  assert.deepEqual(c.attachments.map((a) => [a.name, a.size]), [["plan.bin", 2000]]);
  assert.ok(fs.readFileSync(c.attachments[0].path).equals(att.bytes), "the decrypted attachment, byte for byte");
  s.smtp.reset();
  await compose.addRecipient(s.tb, "bob@example.org");
  assert.deepEqual(await compose.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1, 30_000);
  const content = opensslDecrypted(m.raw, "smime-forward");
  assert.match(content, /See the plan ATT-TOKEN/);
  assert.ok(attachmentBytes(content, "plan.bin").equals(att.bytes));
});

test("Forward as attachment: the attached message is the decrypted one (real Subject, the plaintext, its inner signature still verifies)", async () => {
  const eml = keys.smimeEncrypted({ subject: "[...]", inner: keys.smimeSignedEntity(protectedText("Pass this on", "Attached FWDATT-TOKEN")) });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openComposeFor(s.tb, msg, "ForwardAsAttachment");
  // Thunderbird attaches the encrypted original first; Sealbird then puts the decrypted one in its place.
  const decryptedFile = (a) => a.path && fs.existsSync(a.path) && !/enveloped-data/i.test(fs.readFileSync(a.path, "latin1"));
  const c = await poll(() => compose.composerContent(s.tb), (x) => x.attachments.some(decryptedFile), "the decrypted message attached");
  assert.equal(c.attachments.length, 1, "the encrypted original is no longer attached");
  assert.equal(c.attachments[0].name, "Pass this on.eml");
  const file = c.attachments[0].path;
  const text = fs.readFileSync(file, "latin1");
  assert.match(text.slice(0, text.search(/\r?\n\r?\n/)), /^Subject: Pass this on\r?$/m);
  assert.doesNotMatch(text, /enveloped-data/i);
  assert.match(keys.openssl(["cms", "-verify", "-in", file, "-CAfile", keys.file("root.pem")]).toString("latin1"), /Attached FWDATT-TOKEN/);
  assert.equal(c.subject, "Fwd: Pass this on");
  await mail.closeComposeWindows(s.tb);
});

test("The add-on stops (disabled) with a composer open: Sealbird's buttons go, Thunderbird's own Encrypt and Security come back", async () => {
  await mail.openCompose(s.tb, { to: "bob@example.org", subject: "Before the add-on stops", body: "Who encrypts now?" });
  const c = await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.visible, "Sealbird in charge before");
  assert.equal(c.thunderbird.encrypt.visible, false);
  await s.tb.marionette.run(
    `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     await (await AddonManager.getAddonByID(arguments[0])).disable();
     return true;`,
    [ID],
  );
  const after = await poll(() => compose.composeControls(s.tb), (x) => !x.sealbird.encrypt && x.thunderbird.encrypt?.visible, "Thunderbird's controls after the add-on stopped");
  assert.equal(after.sealbird.sign, null);
  assert.equal(after.thunderbird.options.visible, true, "Thunderbird's Security button");
  assert.notEqual(after.thunderbird.menu.display, "none", "Thunderbird's Security menu");
  await mail.closeComposeWindows(s.tb);
});

// ---- The same states in German (intl.locale.requested=de): artifacts/ui-*-de.png ----------

const escapeRe = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("German Thunderbird: one verdict in German, the protected Subject in header, title, message list and its own tab; the details in German", async () => {
  await s.stop();
  await startUi("de");
  assert.equal(await s.tb.marionette.run(`return Services.locale.appLocaleAsBCP47;`), "de", "Thunderbird runs in German (thunderbird-l10n-de)");
  const pgp = await show(keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Quartalszahlen für Alice", "Die Zahlen DE-TOKEN-1 sind gut.") }));
  const pane = await sb.waitForSealbirdView(s.tb, "render");
  assert.match(pane, /DE-TOKEN-1/);
  assert.doesNotMatch(pane, new RegExp(escapeRe(de("protectedSubject"))));
  // The list setting is on by default (as Thunderbird's own OpenPGP does it).
  const h = await poll(() => sb.readHeaderSecurity(s.tb, pgp.uri), (x) => x.subject === "Quartalszahlen für Alice" && x.listSubject === "Quartalszahlen für Alice", "the protected Subject in header and list");
  assert.equal(h.title, "Quartalszahlen für Alice");
  assert.deepEqual(h.notifications.filter((n) => n !== "remoteContent"), []);
  assert.equal(h.cryptoBoxShown, false);
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => /hdr-ok-valid/.test(x.icon ?? ""), { timeoutMs: 30_000, what: "envelope + padlock" });
  assert.ok(a.title.includes(de("statusSignatureValid")), a.title);
  await mail.screenshot(s.tb, "ui-header-pgp-de");

  const smime = await show(keys.smimeEncrypted({ subject: "[...]", inner: keys.smimeSignedEntity(protectedText("Vertrag unterschrieben", "Vertragstext DE-TOKEN-2")) }));
  await sb.waitForSealbirdView(s.tb, "render");
  await poll(() => sb.readHeaderSecurity(s.tb, smime.uri), (x) => x.subject === "Vertrag unterschrieben" && !x.cryptoBoxShown, "S/MIME: the protected Subject, no Thunderbird indicator");
  await mail.screenshot(s.tb, "ui-header-smime-de");
  const details = await sb.popupPageFor(s.tb, "ui-details-smime-de");
  for (const k of ["popupTitle", "popupOwnTitle", "popupCopyTitle", "popupSaveCopy", "popupEncryption"]) assert.ok(details.includes(de(k)), `German "${de(k)}" in the details`);
  assert.doesNotMatch(details, /What Thunderbird's own crypto says|Save decrypted copy/);
  await mail.screenshot(s.tb, "ui-list-subject-on-de");

  await mail.displayMessageInTab(s.tb, pgp);
  await poll(
    () => s.tb.marionette.run(`return Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").currentTabInfo.title;`),
    (t) => t === "Quartalszahlen für Alice",
    "the tab's title",
  );
  await mail.screenshot(s.tb, "ui-message-tab-de");
  await mail.closeOtherTabs(s.tb);
});

test("German Thunderbird: the composer in German — Verschlüsseln and Signieren with why, the keys on the Sealbird button, the reply with Thunderbird's German cite line, the leak guard's window", async () => {
  await mail.openCompose(s.tb, { to: "bob@example.org, carol@example.net", subject: "Kontrolle", body: "Wer verschlüsselt?" });
  const c = await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.visible && /carol@example\.net/.test(x.sealbird.encrypt.tooltip), "Sealbird's controls in German");
  assert.equal(c.sealbird.encrypt.label, de("composeEncrypt"));
  assert.equal(c.sealbird.sign.label, de("composeSign"));
  assert.ok(c.sealbird.encrypt.tooltip.startsWith(de("composeOffMissing", "carol@example.net")), c.sealbird.encrypt.tooltip);
  assert.ok(c.sealbird.sign.tooltip.startsWith(de("composeSignPolicy")), c.sealbird.sign.tooltip);
  assert.equal(await compose.composeActionLabel(s.tb), de("composeKeysLabel", "1", "2"));
  assert.equal(c.thunderbird.encrypt.visible, false);
  await mail.screenshotWindow(s.tb, "ui-composer-de", "msgcompose");
  assert.ok(await compose.clickComposeAction(s.tb));
  const popup = await compose.readComposePopup(s.tb, (t) => t.includes("carol@example.net"));
  assert.ok(popup.includes(de("composeNoKey")) && popup.includes(de("composeOffMissing", "carol@example.net")), popup);
  await compose.closePanels(s.tb);
  await compose.pressSealbirdControl(s.tb, "encrypt");
  const on = await poll(() => compose.composeControls(s.tb), (x) => x.sealbird.encrypt?.checked, "Verschlüsseln pressed");
  assert.ok(on.sealbird.encrypt.tooltip.startsWith(de("composeReasonUser")));
  await mail.screenshotWindow(s.tb, "ui-composer-encrypt-on-de", "msgcompose");
  await mail.closeComposeWindows(s.tb);

  const reply = await show(keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Budgetfrage", "Können Sie DE-REPLY-TOKEN bestätigen?"), replyTo: "Bob <attacker@evil.example>" }));
  await sb.waitForSealbirdView(s.tb, "render");
  await compose.openReply(s.tb, reply);
  const r = await settledComposer("DE-REPLY-TOKEN");
  assert.match(r.text, /^\n\nAm \d\d\.\d\d\.\d\d um \d\d:\d\d schrieb Bob:\n> Können Sie DE-REPLY-TOKEN bestätigen\?\n/, `Thunderbird’s own German cite line, our quote under it: ${JSON.stringify(r.text)}`);
  assert.equal(r.subject, "Re: Budgetfrage");
  await mail.screenshotWindow(s.tb, "ui-reply-composer-de", "msgcompose");
  s.smtp.reset();
  const held = await compose.trySend(s.tb);
  assert.equal(held.held?.trim(), de("composeLeakHeldAddresses", "attacker@evil.example"));
  const leak = await compose.readComposePopup(s.tb, (t) => t.includes("attacker@evil.example"));
  for (const k of ["composeLeakTitle", "composeLeakKeep", "composeLeakSend"]) assert.ok(leak.includes(de(k)), `German "${de(k)}" in the leak guard`);
  await mail.screenshotWindow(s.tb, "ui-leak-guard-de", "msgcompose");
  await mail.screenshotWindow(s.tb, "ui-leak-guard-window-de", "mail:extensionPopup");
  assert.equal(s.smtp.messages().length, 0);
  await compose.closeSealbirdWindows(s.tb);
  await mail.closeComposeWindows(s.tb);
});
