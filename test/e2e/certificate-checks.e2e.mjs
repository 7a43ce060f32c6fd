// S/MIME certificates checked on the network, in the real Thunderbird with the real Sealbird
// XPI, against real servers this test starts on 127.0.0.1: OpenLDAP slapd (an LDAP address
// book configured in the profile through ldap_2.servers.* prefs), `openssl ocsp -port`
// answering from an `openssl ca` index, and a CRL made by `openssl ca -gencrl` served by nginx.
//
//   * the composer finds a recipient's certificate in the LDAP address book; openssl decrypts
//     what reached the SMTP sink
//   * a signer revoked per OCSP, and one per CRL, show "revoked" in the pane's button and popup
//   * an unreachable OCSP responder: valid with "Revocation not checked" (soft-fail), and not
//     valid once the options say hard-fail
//   * expired and revoked correspondents' certificates are never used; the composer says why
//   * an own certificate expiring within 30 days: a notice in the options page and composer

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as cmp from "./lib/compose.mjs";
import { makeRevocationPki } from "../servers/revocation-pki.mjs";
import { startOcspResponder } from "../servers/ocsp.mjs";
import { startNginx } from "../servers/nginx.mjs";
import { startSlapd } from "../servers/ldap.mjs";
import { freePort } from "../servers/process.mjs";
import { makeTestCa } from "../servers/test-ca.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "correct horse battery staple checks";

let s;
let pki;
let ocsp;
let web;
let ldap;
let tlsCa;
const c = {};

/** YYYYMMDDHHMMSSZ, `days` from now (openssl ca -enddate). */
const opensslDate = (days) =>
  new Date(Date.now() + days * 86400_000)
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");

function signedMessage(who, subject) {
  const body = Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\nSigned by ${who.name} for the revocation test.\r\n`);
  const signed = execFileSync("openssl", ["cms", "-sign", "-signer", who.certPath, "-inkey", who.keyPath, "-from", who.email, "-to", "alice@example.org", "-subject", subject], { input: body });
  return Buffer.concat([Buffer.from(`Date: ${new Date().toUTCString()}\r\nMessage-ID: <${who.name}-${Date.now()}@example.org>\r\n`), signed]);
}

before(
  async () => {
    pki = makeRevocationPki();
    const www = fs.mkdtempSync(path.join(pki.dir, "www-"));
    ocsp = await startOcspResponder({ index: pki.indexPath, ca: pki.caPath, rsigner: pki.caPath, rkey: pki.caKeyPath, cwd: pki.dir });
    // https with a certificate Thunderbird does not trust: the TLS failure case.
    tlsCa = makeTestCa();
    web = await startNginx({ root: www, http: 0, https: { port: 0, ...tlsCa.issue(["localhost"]) } });
    const closed = await freePort();
    const crl = web.url("/ca.crl", { https: false });
    c.alice = pki.issue("alice", "alice@example.org", { ocsp: [ocsp.url], dates: [opensslDate(-30), opensslDate(20)] });
    c.dave = pki.issue("dave", "dave@example.org", { ocsp: [ocsp.url] });
    c.rita = pki.issue("rita", "rita@example.org", { ocsp: [ocsp.url] });
    c.carl = pki.issue("carl", "carl@example.org", { crl: [crl] });
    c.otto = pki.issue("otto", "otto@example.org", { ocsp: [`http://127.0.0.1:${closed}/`] });
    c.tina = pki.issue("tina", "tina@example.org", { ocsp: [web.url("/ocsp", { https: true })] });
    c.eve = pki.issue("eve", "eve@example.org", { dates: ["20200101000000Z", "20210101000000Z"] });
    pki.revoke("rita");
    pki.revoke("carl");
    pki.writeCrl(path.join(www, "ca.crl"));
    await ocsp.restart();
    ldap = await startSlapd({
      entries: [{ dn: "cn=Dave,ou=people,dc=example,dc=org", attrs: { objectClass: "inetOrgPerson", cn: "Dave", sn: "Dave", mail: "dave@example.org", "userCertificate;binary": c.dave.certificate } }],
    });
    const xpi = sb.buildSealbirdXpi();
    s = await startSession({
      name: "certificate-checks",
      addons: [{ id: ID, xpi }],
      // An LDAP address book, as Thunderbird's address book UI writes it.
      prefs: {
        "ldap_2.servers.corp.description": "Corp directory",
        "ldap_2.servers.corp.dirType": 0,
        "ldap_2.servers.corp.uri": `ldap://127.0.0.1:${ldap.port}/dc=example,dc=org??sub?(objectclass=*)`,
        "ldap_2.servers.corp.filename": "ldap.sqlite",
      },
    });
    await mail.waitForAddon(s.tb, ID);
    const file = (p) => new Uint8Array(fs.readFileSync(p));
    await sb.provisionKeystore(s.tb, {
      passphrase: PASSPHRASE,
      files: [
        { bytes: file(pki.p12("alice", "pw")), password: "pw" },
        { bytes: file(pki.caPath), as: "anchor" },
        { bytes: file(c.rita.certPath), as: "correspondent" },
        { bytes: file(c.eve.certPath), as: "correspondent" },
      ],
    });
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  await ldap?.stop();
  await ocsp?.stop();
  await web?.stop();
  pki?.remove();
  tlsCa?.dispose();
});

/** The compose view once pred(view) holds (the popup polls the same request). */
async function viewUntil(tabId, pred, what) {
  const end = Date.now() + 30_000;
  let v;
  for (;;) {
    v = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId });
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: last view ${JSON.stringify(v.recipients)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("options page: the LDAP address book is listed in the certificate checks section, soft-fail is the default", async () => {
  const v = await sb.extensionCallOk(s.tb, { type: "options:checks-get" });
  assert.equal(v.checks.revocation, "soft-fail");
  assert.deepEqual(
    v.directories.map((d) => [d.id, d.name, d.enabled]),
    [["ldap_2.servers.corp", "Corp directory", true]],
  );
});

test("before the user allows revocation checks nothing is fetched: a signature shows 'not allowed' (then the user allows them)", async () => {
  const before = await sb.extensionCallOk(s.tb, { type: "options:checks-get" });
  assert.equal(before.permitted, false);
  await showSigned(c.rita, "Signed by rita (checks not allowed yet)");
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "✓", { timeoutMs: 30_000, what: "valid badge" });
  assert.match(a.title, /Revocation not checked/);
  const details = await sb.popupPageFor(s.tb, "checks-not-allowed-popup");
  assert.match(details, /Sealbird is not allowed to contact revocation services yet/);
  // The user's grant (what "Allow revocation checks" and Thunderbird's prompt give).
  await s.tb.marionette.run(
    `const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
     const ext = WebExtensionPolicy.getByID(arguments[0]).extension;
     await ExtensionPermissions.add(arguments[0], { permissions: [], origins: ["http://*/*", "https://*/*"] }, ext);
     return true;`,
    [ID],
  );
  assert.equal((await sb.extensionCallOk(s.tb, { type: "options:checks-get" })).permitted, true);
});

test("composer: a recipient without a certificate is found in the LDAP address book; openssl decrypts what was sent", async () => {
  s.smtp.reset();
  await mail.closeComposeWindows(s.tb);
  await mail.openCompose(s.tb, { to: "dave@example.org", subject: "From the directory", body: "Dave, your certificate came from LDAP." });
  const tabId = await cmp.composeTabId(s.tb);
  const view = await viewUntil(tabId, (x) => x.recipients[0]?.directory?.state === "found" && x.recipients[0]?.uses === "smime", "dave found in LDAP");
  assert.equal(view.recipients[0].directory.directory, "Corp directory");
  assert.equal(view.recipients[0].smime.trusted, true);
  // All recipients have a certificate now: the policy switches encryption on by itself.
  assert.equal(view.encrypt, true);
  assert.equal(view.encryptReason, "all-have-keys");
  const popup = await composePopupText(tabId, ["found in the directory Corp directory"]);
  assert.match(popup, /S\/MIME: .*dave/);
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [m] = await s.smtp.waitForMessages(1);
  const out = path.join(pki.dir, "to-dave.eml");
  fs.writeFileSync(out, m.raw);
  const decrypted = execFileSync("openssl", ["cms", "-decrypt", "-in", out, "-recip", c.dave.certPath, "-inkey", c.dave.keyPath]);
  const inner = execFileSync("openssl", ["cms", "-verify", "-CAfile", pki.caPath], { input: decrypted, stdio: ["pipe", "pipe", "pipe"] }).toString("latin1");
  // Thunderbird base64-encodes the text part.
  const texts = [inner, ...[...inner.matchAll(/\r?\n\r?\n((?:[A-Za-z0-9+/=]{4,}\r?\n)+)/g)].map((x) => Buffer.from(x[1], "base64").toString("utf8"))];
  assert.match(texts.join("\n"), /Dave, your certificate came from LDAP\./);
  // The certificate is kept, marked with its directory.
  const lists = await sb.extensionCallOk(s.tb, { type: "options:list" });
  assert.deepEqual(
    lists.correspondents.filter((e) => e.emails.includes("dave@example.org")).map((e) => e.directory),
    ["Corp directory"],
  );
});

/** Text of ui/compose-popup.html?tabId=N opened in a tab of the main window, once it contains every needle. */
async function composePopupText(tabId, needles) {
  return s.tb.waitFor(
    `const [tabId, needles] = arguments;
     const win = Services.wm.getMostRecentWindow("mail:3pane");
     const tabmail = win.document.getElementById("tabmail");
     const host = WebExtensionPolicy.getByID(${JSON.stringify(ID)}).mozExtensionHostname;
     const url = "moz-extension://" + host + "/ui/compose-popup.html?tabId=" + tabId;
     let info = tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec === url);
     if (!info) info = tabmail.openTab("contentTab", { url, background: true });
     if (info.browser.webProgress?.isLoadingDocument) return false;
     const text = await new Promise((resolve) => {
       const name = "sealbird-e2e-cpop:" + Math.random().toString(36).slice(2);
       const mm = info.browser.messageManager;
       const timer = setTimeout(() => resolve(""), 3000);
       mm.addMessageListener(name, function on(m) { clearTimeout(timer); mm.removeMessageListener(name, on); resolve(m.data); });
       mm.loadFrameScript("data:," + encodeURIComponent("sendAsyncMessage(" + JSON.stringify(name) + ", content.document.body.innerText);"), false);
     });
     if (!text || !needles.every((n) => text.includes(n))) return false;
     tabmail.closeTab(info);
     return text;`,
    { args: [tabId, needles], timeoutMs: 30_000, what: `the compose popup page with ${needles.join(", ")}` },
  );
}

async function showSigned(who, subject) {
  const msg = await mail.importEml(s.tb, signedMessage(who, subject));
  await mail.displayMessage(s.tb, msg);
  return msg;
}

test("a signer revoked per OCSP: the button says revoked, the popup says how it was checked", async () => {
  await showSigned(c.rita, "Signed by rita (revoked, OCSP)");
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "✗", { timeoutMs: 30_000, what: "revoked badge" });
  assert.match(a.title, /revoked/i);
  const details = await sb.popupPageFor(s.tb, "checks-revoked-ocsp-popup");
  assert.match(details, /cert-revoked/);
  assert.match(details, /REVOKED .*by OCSP/);
  assert.ok(details.includes(ocsp.url), "the responder's address is shown");
});

test("a signer revoked per CRL (served by nginx): revoked", async () => {
  await showSigned(c.carl, "Signed by carl (revoked, CRL)");
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "✗", { timeoutMs: 30_000, what: "revoked badge" });
  assert.match(a.title, /revoked/i);
  const details = await sb.popupPageFor(s.tb, "checks-revoked-crl-popup");
  assert.match(details, /REVOKED .*by revocation list/);
  assert.ok(details.includes(web.url("/ca.crl", { https: false })));
});

test("an unreachable OCSP responder: soft-fail keeps the signature valid with the note; hard-fail makes it not valid", async () => {
  await showSigned(c.otto, "Signed by otto (responder down)");
  const soft = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "✓", { timeoutMs: 30_000, what: "valid badge" });
  assert.match(soft.title, /Valid signature · Revocation not checked/);
  const details = await sb.popupPageFor(s.tb, "checks-soft-fail-popup");
  assert.match(details, /Revocation not checked\. The signature is shown as valid because your settings accept that/);
  assert.match(details, /network-unreachable/);

  const set = await sb.extensionCallOk(s.tb, { type: "options:checks-set", checks: { revocation: "hard-fail", ldap: { enabled: true, off: [] } } });
  assert.equal(set.checks.revocation, "hard-fail");
  try {
    await showSigned(c.otto, "Signed by otto again (hard-fail)");
    const hard = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "?", { timeoutMs: 30_000, what: "not-valid badge" });
    assert.doesNotMatch(hard.title, /Valid signature/);
    const why = await sb.popupPageFor(s.tb, "checks-hard-fail-popup");
    assert.match(why, /revocation-not-checked/);
    assert.match(why, /Your settings require the check/);
  } finally {
    await sb.extensionCallOk(s.tb, { type: "options:checks-set", checks: { revocation: "soft-fail", ldap: { enabled: true, off: [] } } });
  }
});

test("an OCSP responder behind a TLS certificate Thunderbird does not trust: network-tls in the popup, valid with the note", async () => {
  await showSigned(c.tina, "Signed by tina (untrusted TLS)");
  const a = await mail.waitForMessageDisplayAction(s.tb, ID, (x) => x?.badge === "✓", { timeoutMs: 30_000, what: "valid badge" });
  assert.match(a.title, /Revocation not checked/);
  const details = await sb.popupPageFor(s.tb, "checks-tls-popup");
  assert.match(details, /network-tls/);
  assert.ok(details.includes(web.url("/ocsp", { https: true })));
});

test("composer: expired and revoked certificates are never used to encrypt, and the composer says why", async () => {
  await mail.closeComposeWindows(s.tb);
  await mail.openCompose(s.tb, { to: "rita@example.org, eve@example.org", subject: "Never to revoked", body: "Must not be encrypted to rita's or eve's old certificate." });
  const tabId = await cmp.composeTabId(s.tb);
  const view = await viewUntil(tabId, (x) => x.recipients.find((r) => r.email === "rita@example.org")?.smime?.unusable === "revoked", "rita's revocation found");
  const eve = view.recipients.find((r) => r.email === "eve@example.org");
  assert.equal(eve.smime.unusable, "expired");
  assert.deepEqual(view.missing.sort(), ["eve@example.org", "rita@example.org"]);
  assert.ok(!view.recipients.some((r) => r.uses === "smime"));
  await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, encrypt: true, technology: "smime" });
  // The compose popup's page for this composer, in a tab (a synthesized press does not keep the
  // action's panel open under Xvfb without a window manager).
  const popup = await composePopupText(tabId, ["rita@example.org", "eve@example.org"]);
  assert.match(popup, /rita@example\.org\s+no key\s+S\/MIME: revoked — never used to encrypt/);
  assert.match(popup, /eve@example\.org\s+no key\s+S\/MIME: expired — never used to encrypt/);
  s.smtp.reset();
  const r = await cmp.trySend(s.tb);
  assert.equal(r.sent, false);
  assert.match(r.held ?? "", /rita@example\.org/);
  assert.equal(s.smtp.messages().length, 0);
  await mail.closeComposeWindows(s.tb);
  // What the composer learnt stays: rita's certificate is listed as revoked.
  const lists = await sb.extensionCallOk(s.tb, { type: "options:list" });
  assert.deepEqual(
    lists.correspondents.filter((e) => e.emails.includes("rita@example.org")).map((e) => e.validity),
    ["revoked"],
  );
});

test("own certificate expiring within 30 days: a notice in the options page and in the composer", async () => {
  const lists = await sb.extensionCallOk(s.tb, { type: "options:list" });
  const alice = lists.own.find((e) => e.emails.includes("alice@example.org"));
  assert.equal(alice.expiresSoon, true);
  await mail.openCompose(s.tb, { to: "dave@example.org", subject: "Expiry notice", body: "." });
  const tabId = await cmp.composeTabId(s.tb);
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId });
  assert.equal(view.ownExpiry?.technology, "smime");
  assert.equal(view.ownExpiry?.expired, false);
  await composePopupText(tabId, ["Your signing certificate or key expires on"]);
  await mail.closeComposeWindows(s.tb);
  // The options page itself shows the notice and the renewal steps.
  await sb.closeExtensionTabs(s.tb);
  const text = await s.tb.marionette.run(
    `const win = Services.wm.getMostRecentWindow("mail:3pane");
     const tabmail = win.document.getElementById("tabmail");
     const host = WebExtensionPolicy.getByID(arguments[0]).mozExtensionHostname;
     const info = tabmail.openTab("contentTab", { url: "moz-extension://" + host + "/ui/options.html", background: false });
     for (let i = 0; i < 200; i++) {
       await new Promise((r) => setTimeout(r, 100));
       if (info.browser.webProgress?.isLoadingDocument) continue;
       const t = await new Promise((resolve) => {
         const name = "sealbird-e2e-opt:" + Math.random().toString(36).slice(2);
         const mm = info.browser.messageManager;
         mm.addMessageListener(name, function on(m) { mm.removeMessageListener(name, on); resolve(m.data); });
         mm.loadFrameScript("data:," + encodeURIComponent("sendAsyncMessage(" + JSON.stringify(name) + ", content.document.querySelector('[data-field=expiry-notice]') && content.document.querySelector('#checks [data-field=directories]') ? content.document.body.innerText : '');"), false);
       });
       if (t) return t;
     }
     return "";`,
    [ID],
  );
  assert.match(text, /Your S\/MIME certificate for alice@example\.org expires on/);
  assert.match(text, /Import the new PKCS#12 file/);
  assert.match(text, /Corp directory/);
  await mail.screenshot(s.tb, "checks-options-page");
});
