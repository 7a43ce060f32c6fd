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
import { TestKeys } from "./fixtures/messages.mjs";

const ID = sb.SEALBIRD_ID;
const CLI = path.resolve("dist/cli/sealbird.mjs");
const PASSPHRASE = "correct horse battery staple e2e";

let s;
let keys;
let downloads;

/** Text of the editor in the newest compose window, and its Subject. */
async function composerContent() {
  return s.tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const body = w?.gMsgCompose?.editor?.document?.body;
     return body ? { body: body.innerText, html: body.innerHTML, subject: w.document.getElementById("msgSubject").value } : { body: "", html: "", subject: "" };`,
  );
}

async function waitForComposer(re) {
  return poll(composerContent, (c) => re.test(c.body), `composer body matching ${re}`);
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

before(
  async () => {
    const xpi = sb.buildSealbirdXpi();
    // `sealbird inspect` checks the saved copy: the CLI is normally built by npm ci (prepare).
    if (!fs.existsSync(CLI)) execFileSync(process.execPath, ["scripts/build-cli.mjs"], { stdio: "inherit" });
    keys = new TestKeys();
    downloads = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-downloads-"));
    s = await startSession({
      name: "thunderbird-ui",
      addons: [{ id: ID, xpi }],
      // Thunderbird's own download settings decide where "Save decrypted copy…" writes.
      prefs: {
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
  assert.match(await sb.waitForSealbirdView(s.tb, "render"), /HDR-TOKEN-1/);
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
  assert.match(c.body, /Bob wrote:/);
  // As Thunderbird quotes plain mail: a cite blockquote in an HTML composer, "> " lines in a plain one.
  assert.ok(/<blockquote type="cite"[^>]*>[\s\S]*REPLY-TOKEN-3/.test(c.html) || /^> Can you confirm REPLY-TOKEN-3\?$/m.test(c.body), c.html);
  assert.equal(c.subject, "Re: Budget question");
  const tabId = await compose.composeTabId(s.tb);
  await compose.composeActionBadge(s.tb, tabId, (b) => /E/.test(b ?? ""));
  await mail.screenshotWindow(s.tb, "ui-reply-composer-en", "msgcompose");
  const sent = await compose.trySend(s.tb);
  assert.deepEqual(sent, { sent: true });
  const [m] = await s.smtp.waitForMessages(1, 30_000);
  const raw = m.raw.toString("latin1");
  assert.doesNotMatch(raw, /REPLY-TOKEN-3/, "the quote never travels in clear");
  const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(raw)?.[0];
  assert.ok(armored, "PGP/MIME encrypted");
  const plain = keys.gpg(["--decrypt"], Buffer.from(armored, "latin1")).toString("latin1");
  const b64 = /Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/i.exec(plain)?.[1];
  const quoted = b64 ? Buffer.from(b64, "base64").toString("utf8") : plain;
  assert.match(quoted, /^> Can you confirm REPLY-TOKEN-3\?/m, quoted);
});

test("Forward inline of a decrypted message: decrypted text under the forward header, Fwd: + protected Subject", async () => {
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Minutes to pass on", "Forward me FWD-TOKEN-4") });
  const msg = await show(eml);
  await sb.waitForSealbirdView(s.tb, "render");
  await s.tb.marionette.run(
    `const [uri] = arguments;
     const hdr = MailServices.messageServiceFromURI(uri).messageURIToMsgHdr(uri);
     const identity = MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     MailServices.compose.OpenComposeWindow(null, hdr, uri, Ci.nsIMsgCompType.ForwardInline, Ci.nsIMsgCompFormat.Default, identity, null, null);
     return true;`,
    [msg.uri],
  );
  const c = await waitForComposer(/FWD-TOKEN-4/);
  assert.match(c.body, /Forwarded Message/);
  assert.equal(c.subject, "Fwd: Minutes to pass on");
  await mail.closeComposeWindows(s.tb);
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
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(s.smtp.messages().length, 0, "nothing was sent");
  await mail.closeComposeWindows(s.tb);
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
  assert.equal(await compose.composeActionLabel(s.tb), "Sealbird: 1 of 2 keys");
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
});

test("The add-on stops (disabled) with a composer open: Sealbird's buttons go, Thunderbird's own Encrypt and Security come back", async () => {
  const c = await compose.composeControls(s.tb);
  assert.equal(c.sealbird.encrypt?.visible, true, "Sealbird in charge before");
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
