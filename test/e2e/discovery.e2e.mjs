// Key discovery in the real Thunderbird: the user allows lookups in the options page
// (Thunderbird's own permission prompt, accepted), the composer finds a recipient's key in the
// Web Key Directory that the real nginx serves on 127.0.0.1 (test/servers/key-directory.mjs,
// keys made by gpg) and the message that reaches the SMTP sink decrypts with gpg; every
// failure mode shows its typed reason on the recipient's line; an expired key is never used
// and a key found for an address with another key stays pending.
//
// Thunderbird reaches the servers through network.dns.localDomains (the test host names →
// 127.0.0.1) and network.socket.forcePort (443 → nginx's port); it trusts the test CA because
// the test imports it into the profile's NSS store (nsIX509CertDB), as an admin would a
// company CA. Names without a server (openpgpkey.direct.test, unreachable.test) do not resolve.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as cmp from "./lib/compose.mjs";
import { inOptionsPage, messages, openOptionsPage, screenshotOptionsPage } from "./lib/options-page.mjs";
import { startKeyDirectory } from "../servers/key-directory.mjs";

const ID = sb.SEALBIRD_ID;
const m = messages("en");
let s;
let kd;

before(
  async () => {
    const xpi = sb.buildSealbirdXpi();
    kd = await startKeyDirectory();
    // Alice (the sender) and Bob (a correspondent Sealbird knows) live in the same gpg home.
    for (const uid of ["Alice <alice@example.org>", "Bob <bob@example.org>"]) kd.gpg(["--quick-gen-key", uid, "future-default", "default", "never"]);
    s = await startSession({
      name: "discovery",
      addons: [{ id: ID, xpi }],
      prefs: { "network.dns.localDomains": kd.localDomains, "network.socket.forcePort": `443=${kd.web.httpsPort}` },
    });
    await mail.waitForAddon(s.tb, ID);
    const der = kd.ca.pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    await s.tb.marionette.run(
      `Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB).addCertFromBase64(arguments[0], "C,,"); return true;`,
      [der],
    );
    await sb.provisionKeystore(s.tb, {
      passphrase: "correct horse battery staple discovery",
      files: [{ bytes: new Uint8Array(kd.gpg(["--armor", "--export-secret-keys", "alice@example.org"])) }, { bytes: new Uint8Array(kd.gpg(["--armor", "--export", "bob@example.org"])) }],
    });
    await sb.closeExtensionTabs(s.tb);
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  await kd?.stop();
});

/**
 * Clicks a button of the options page the way a user does: a pointer click dispatched by
 * Marionette (WebDriver actions) at the button's place in the window. A click() from a script
 * would not count as the user's gesture, and Thunderbird would refuse to show its prompt.
 */
async function clickLikeUser(sectionTitle, buttonText) {
  const inPage = await inOptionsPage(
    s.tb,
    `const [title, text] = args;
     const sec = await until(() => region(title), "the section " + title);
     const b = await until(() => { const x = button(sec, text); return x && !x.disabled && x; }, "the button " + text);
     b.scrollIntoView({ block: "center" });
     await sleep(200);
     const r = b.getBoundingClientRect();
     return { x: r.left + r.width / 2, y: r.top + r.height / 2 };`,
    [sectionTitle, buttonText],
  );
  const at = await s.tb.marionette.run(
    `const tabmail = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail");
     const r = tabmail.currentTabInfo.browser.getBoundingClientRect();
     return { x: Math.round(r.left + arguments[0].x), y: Math.round(r.top + arguments[0].y) };`,
    [inPage],
  );
  await s.tb.marionette.send("WebDriver:PerformActions", {
    actions: [
      {
        type: "pointer",
        id: "mouse",
        parameters: { pointerType: "mouse" },
        actions: [{ type: "pointerMove", x: at.x, y: at.y, origin: "viewport" }, { type: "pointerDown", button: 0 }, { type: "pointerUp", button: 0 }],
      },
    ],
  });
  await s.tb.marionette.send("WebDriver:ReleaseActions", {});
}

/** Thunderbird's add-on permission prompt: waits for it and presses its main button (Allow). */
async function acceptPermissionPrompt() {
  return s.tb.waitFor(
    `for (const w of Services.wm.getEnumerator(null)) {
       const pn = w.PopupNotifications;
       const n = pn?.getNotification?.("addon-webext-permissions");
       if (!n) continue;
       const el = pn.panel?.querySelector("popupnotification");
       if (!el || pn.panel.state !== "open") continue;
       const text = el.textContent.replace(/\\s+/g, " ").trim();
       (el.button ?? el.querySelector(".popup-notification-primary-button")).click();
       return text || "accepted";
     }
     return false;`,
    { what: "Thunderbird's permission prompt", timeoutMs: 20_000 },
  );
}

/** The recipient lines of the compose popup: { email: { uses, lookup, code, unusable, text } }. */
async function recipientLines(tabId, pred, { timeoutMs = 45_000 } = {}) {
  return s.tb.waitFor(
    `const [tabId] = arguments;
     const ext = WebExtensionPolicy.getByID(${JSON.stringify(ID)});
     const url = "moz-extension://" + ext.mozExtensionHostname + "/ui/compose-popup.html?tabId=" + tabId;
     const win = Services.wm.getMostRecentWindow("mail:3pane");
     const tabmail = win.document.getElementById("tabmail");
     let info = tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec === url);
     if (!info) info = tabmail.openTab("contentTab", { url, background: true });
     if (info.browser.webProgress?.isLoadingDocument) return false;
     const mm = info.browser.messageManager;
     const lines = await new Promise((resolve) => {
       const name = "sealbird-e2e-lines:" + Math.random().toString(36).slice(2);
       const timer = setTimeout(() => resolve(null), 5000);
       mm.addMessageListener(name, function on(msg) { clearTimeout(timer); mm.removeMessageListener(name, on); resolve(JSON.parse(msg.data)); });
       mm.loadFrameScript("data:," + encodeURIComponent(
         "const out = {};" +
         "for (const li of content.document.querySelectorAll('li[data-email]')) {" +
         "  const l = li.querySelector('[data-lookup]'); const u = li.querySelector('[data-unusable]');" +
         "  out[li.dataset.email] = { uses: li.dataset.uses, lookup: l ? l.dataset.lookup : null, code: l ? l.dataset.lookupCode : null, unusable: u ? u.dataset.unusable : null, text: li.textContent.replace(/\\\\s+/g, ' ').trim() };" +
         "}" +
         "sendAsyncMessage(" + JSON.stringify(name) + ", JSON.stringify(out));"), false);
     });
     return lines && (${pred.toString()})(lines) ? lines : false;`,
    { args: [tabId], what: "the compose popup's recipient lines", timeoutMs, intervalMs: 500 },
  );
}

async function closePopupTabs() {
  await sb.closeExtensionTabs(s.tb);
}

test("before the user allows lookups nothing leaves Thunderbird: the recipient's line says lookups are not allowed", async () => {
  await mail.openCompose(s.tb, { to: "dave@advanced.test", subject: "not yet", body: "x" });
  const tabId = await cmp.composeTabId(s.tb);
  const lines = await recipientLines(tabId, (l) => l["dave@advanced.test"]?.lookup === "failed");
  assert.equal(lines["dave@advanced.test"].code, "lookup-not-allowed");
  assert.deepEqual(await kd.web.requests(), []);
  await closePopupTabs();
  await mail.closeComposeWindows(s.tb);
});

test("options page: Allow key lookups, accepted in Thunderbird's prompt; WKD on and keyserver off by default", async () => {
  await openOptionsPage(s.tb, m);
  const before = await inOptionsPage(s.tb, `const sec = await until(() => region(args[0]), "discovery"); return norm(sec.innerText);`, [m("discoveryTitle")]);
  assert.match(before, new RegExp(m("discoveryNotPermitted").slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  await clickLikeUser(m("discoveryTitle"), m("discoveryAllow"));
  const prompt = await acceptPermissionPrompt();
  console.log(`  Thunderbird's prompt: ${String(prompt).slice(0, 120)}`);
  const after = await inOptionsPage(
    s.tb,
    `const sec = await until(() => region(args[0]), "discovery");
     await until(() => sec.querySelector('[data-testid=permission][data-permitted=true]'), "the permitted state");
     return { wkd: field(sec, args[1]).checked, keyserver: field(sec, args[2]).checked, gossip: field(sec, args[3]).checked, refresh: field(sec, args[4]).checked };`,
    [m("discoveryTitle"), m("discoverySourceWkd"), m("discoverySourceKeyserver"), m("discoverySourceGossip"), m("discoveryRefresh")],
  );
  assert.deepEqual(after, { wkd: true, keyserver: false, gossip: true, refresh: true });
  assert.equal(
    await s.tb.marionette.run(`const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs"); return (await ExtensionPermissions.get(arguments[0])).origins.includes("https://*/*");`, [ID]),
    true,
  );
  await screenshotOptionsPage(s.tb, "discovery-options");
  await closePopupTabs();
});

test("composer: dave has no key, it is looked up by WKD and used; gpg decrypts the sent message as dave (with gossip for both recipients)", async () => {
  s.smtp.reset();
  await mail.openCompose(s.tb, { to: "dave@advanced.test, bob@example.org", subject: "Found by WKD", body: "Hello Dave, your key came from your domain." });
  const tabId = await cmp.composeTabId(s.tb);
  const lines = await recipientLines(tabId, (l) => l["dave@advanced.test"]?.lookup === "found");
  assert.equal(lines["dave@advanced.test"].uses, "openpgp");
  assert.match(lines["dave@advanced.test"].text, /OpenPGP: Dave <dave@advanced\.test>.*Key found \(Web Key Directory\)/);
  assert.equal(lines["bob@example.org"].lookup, null, "bob has a key: not looked up");
  const requests = (await kd.web.requests()).filter((r) => r.host === "openpgpkey.advanced.test");
  assert.equal(requests.length, 1, "asked once");
  assert.equal(requests[0].sni, "openpgpkey.advanced.test");
  await closePopupTabs();
  const view = await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, encrypt: true, sign: true, technology: "openpgp" });
  assert.deepEqual(view.missing, []);
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [msg] = await s.smtp.waitForMessages(1, 60_000);
  const raw = msg.raw.toString("latin1");
  assert.ok(!/Autocrypt-Gossip/i.test(raw), "gossip never outside");
  const armored = raw.slice(raw.indexOf("-----BEGIN PGP MESSAGE-----"), raw.indexOf("-----END PGP MESSAGE-----") + 25);
  const status = path.join(kd.dir, "gpg-status.txt");
  const out = kd.gpg(["--status-file", status, "--decrypt"], { input: Buffer.from(armored, "latin1") }).toString("latin1");
  // Thunderbird base64-encodes the text part.
  const body = Buffer.from(out.slice(out.search(/\r?\n\r?\n/)).replace(/\s+/g, ""), "base64").toString("utf8");
  assert.match(body, /Hello Dave, your key came from your domain\./);
  assert.match(fs.readFileSync(status, "utf8"), new RegExp(`^\\[GNUPG:\\] DECRYPTION_OKAY`, "m"));
  assert.match(fs.readFileSync(status, "utf8"), /^\[GNUPG:\] GOODSIG [0-9A-F]+ Alice <alice@example\.org>/m);
  const head = out.slice(0, out.search(/\r?\n\r?\n/));
  assert.deepEqual([...head.matchAll(/^Autocrypt-Gossip: addr=([^;]+);/gm)].map((x) => x[1]).sort(), ["bob@example.org", "dave@advanced.test"]);
});

test("composer: each failure mode gives its typed reason on the recipient's line, and the composer still sends", async () => {
  s.smtp.reset();
  const cases = {
    "frank@wronguid.test": "lookup-wrong-user-id",
    "gina@junk.test": "lookup-malformed",
    "hal@big.test": "network-too-large",
    "ivan@err500.test": "network-http",
    "judy@nokey.test": "lookup-not-found",
    "kim@slow.test": "network-timeout",
    "leo@untrusted.test": "network-tls",
    "mia@unreachable.test": "network-unreachable",
  };
  await mail.openCompose(s.tb, { to: Object.keys(cases).join(", "), subject: "Nobody has a key", body: "Plain text for all." });
  const tabId = await cmp.composeTabId(s.tb);
  // kim's server trickles: its lookup is still running while the others have ended.
  const running = await recipientLines(tabId, (l) => l["kim@slow.test"]?.lookup === "looking-up");
  assert.match(running["kim@slow.test"].text, /Looking up key…/);
  const lines = await recipientLines(tabId, (l) => Object.values(l).length === 8 && Object.values(l).every((x) => x.lookup === "failed"), { timeoutMs: 60_000 });
  assert.deepEqual(Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, v.code])), cases);
  assert.match(lines["leo@untrusted.test"].text, new RegExp(`Key lookup: ${m("error_network_tls").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(lines["judy@nokey.test"].text, /Key lookup: No key was found for this address\./);
  await closePopupTabs();
  const view = await sb.extensionCallOk(s.tb, { type: "compose:get-view", tabId });
  assert.deepEqual(view.missing.sort(), Object.keys(cases).sort());
  assert.equal(view.encrypt, false, "nobody has a key: Encrypt stays off");
  assert.deepEqual(await cmp.trySend(s.tb), { sent: true });
  const [msg] = await s.smtp.waitForMessages(1, 60_000);
  assert.match(msg.raw.toString("latin1"), /Plain text for all\./);
});

test("Thunderbird offline: the lookup says so (network-offline) and nothing is asked", async () => {
  const before = (await kd.web.requests()).length;
  await s.tb.marionette.run(`Services.io.offline = true; return true;`);
  try {
    await mail.openCompose(s.tb, { to: "erin@direct.test", subject: "offline", body: "x" });
    const tabId = await cmp.composeTabId(s.tb);
    const lines = await recipientLines(tabId, (l) => l["erin@direct.test"]?.lookup === "failed");
    assert.equal(lines["erin@direct.test"].code, "network-offline");
    assert.equal((await kd.web.requests()).length, before);
  } finally {
    await s.tb.marionette.run(`Services.io.offline = false; return true;`);
    await closePopupTabs();
    await mail.closeComposeWindows(s.tb);
  }
});

test("an expired key is never used and the composer says why; the key WKD has for that address stays pending until accepted", async () => {
  // Erin's old key, expired, known to Sealbird; her domain publishes her current key.
  const old = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-old-erin-"));
  kd.gpg(["--quick-gen-key", "Erin <erin@direct.test>", "future-default", "default", "seconds=1"], { home: old });
  await new Promise((r) => setTimeout(r, 1500));
  const oldFpr = kd.fingerprintOf("erin@direct.test", old).toLowerCase();
  await sb.extensionCallOk(s.tb, { type: "keyring:import", bytes: new Uint8Array(kd.gpg(["--armor", "--export", "erin@direct.test"], { home: old })) });
  // This composer's lookup for erin starts afresh (the offline failure above is forgotten on a permission change).
  await sb.extensionCallOk(s.tb, { type: "discovery:permission-changed" });
  await mail.openCompose(s.tb, { to: "erin@direct.test", subject: "Expired", body: "x" });
  const tabId = await cmp.composeTabId(s.tb);
  const lines = await recipientLines(tabId, (l) => l["erin@direct.test"]?.lookup === "pending");
  assert.equal(lines["erin@direct.test"].unusable, "expired");
  assert.match(lines["erin@direct.test"].text, /OpenPGP key expired on .*: not used/);
  assert.match(lines["erin@direct.test"].text, /A different key was found \(Web Key Directory\): it waits for your decision/);
  await closePopupTabs();
  const view = await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, encrypt: true, technology: "openpgp" });
  assert.deepEqual(view.missing, ["erin@direct.test"]);
  assert.equal(view.recipients[0].pgp.fingerprint, oldFpr);
  const lists = await sb.extensionCallOk(s.tb, { type: "options:list" });
  const erin = lists.correspondents.filter((e) => e.emails.includes("erin@direct.test"));
  assert.deepEqual(
    erin.map((e) => [e.fingerprint, e.pending, e.validity]),
    [
      [oldFpr, false, "expired"],
      [kd.keys.erin.fingerprint.toLowerCase(), true, "valid"],
    ],
  );
  await mail.closeComposeWindows(s.tb);
});

test("options page: Find key for an address that has a key finds a different one and keeps it pending", async () => {
  const other = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-new-dave-"));
  kd.gpg(["--quick-gen-key", "Dave <dave@advanced.test>", "future-default", "default", "1y"], { home: other });
  const newFpr = kd.fingerprintOf("dave@advanced.test", other).toLowerCase();
  kd.publishWkd("dave@advanced.test", kd.exportKey("dave@advanced.test", other));
  await openOptionsPage(s.tb, m);
  const shown = await inOptionsPage(
    s.tb,
    `const [t] = args;
     const sec = await until(() => region(t.title), "discovery");
     type(field(sec, t.label), "dave@advanced.test");
     (await until(() => { const b = button(sec, t.find); return b && !b.disabled && b; }, "Find key")).click();
     const r = await until(() => sec.querySelector("[data-testid=find-result]"), "the lookup result", 30000);
     return { state: r.dataset.state, text: norm(r.textContent) };`,
    [{ title: m("discoveryTitle"), label: m("discoveryFindLabel"), find: m("discoveryFindButton") }],
  );
  assert.equal(shown.state, "pending");
  assert.match(shown.text, /^A different key for dave@advanced\.test was found \(Web Key Directory\)/);
  const dave = (await sb.extensionCallOk(s.tb, { type: "options:list" })).correspondents.filter((e) => e.emails.includes("dave@advanced.test"));
  assert.deepEqual(
    dave.map((e) => [e.fingerprint, e.pending]),
    [
      [kd.keys.dave.fingerprint.toLowerCase(), false],
      [newFpr, true],
    ],
  );
  await closePopupTabs();
});
