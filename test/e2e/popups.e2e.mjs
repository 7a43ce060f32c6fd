// Both popups of the real Sealbird add-on in a real Thunderbird, each in a popup window of a
// panel's width opened by the add-on itself (browser.windows.create, as Sealbird opens its
// window of a held send), for messages made at test time by openssl and gpg
// (fixtures/messages.mjs): a valid S/MIME signature (Bob, with his organisation), an OpenPGP
// message encrypted and signed, a signer who is not the sender, a changed signed message and a
// message encrypted for someone else; and a composer with a recipient who has a key and one
// who has none. In English and (a second Thunderbird started in German) German, light and
// dark: axe-core finds nothing "serious" or "critical", and screenshots of each state —
// artifacts/popup-<state>-<lang>-<scheme>.png, the technical details opened in
// popup-<state>-details-<lang>-<scheme>.png. From the keyboard alone: Tab reaches the
// technical details, Enter opens them, Escape closes the popup.

import assert from "node:assert/strict";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as cmp from "./lib/compose.mjs";
import * as a11y from "./lib/a11y.mjs";
import * as op from "./lib/options-page.mjs";
import { TestKeys, textEntity } from "./fixtures/messages.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "popups e2e passphrase 4711";

let s;
let keys;
let xpi;

before(
  async () => {
    xpi = sb.buildSealbirdXpi();
    keys = new TestKeys();
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  keys?.dispose();
});

async function startIn(lang) {
  await s?.stop();
  s = await startSession({ name: `popups-${lang}`, addons: [{ id: ID, xpi }], prefs: lang === "de" ? { "intl.locale.requested": "de" } : {} });
  await mail.waitForAddon(s.tb, ID);
  await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files: keys.keyFiles() });
}

/** Opens `page` (with its ?tabId=) in a popup window of a panel's size, as the add-on does; waits until it shows its content. */
async function openPopupWindow(page, ready) {
  await sb.extensionCallOk(s.tb, { type: "keystore:state" }); // the options page is open (it runs the next call)
  await sb.inExtensionPage(s.tb, "ui/options.html", `await w.browser.windows.create(clone({ url: "/" + args[0], type: "popup", width: 520, height: 720 })); return true;`, [page]);
  for (let i = 0; i < 200; i++) {
    const t = await sb.inExtensionPage(s.tb, page, `return content.document.querySelector(args[0]) ? content.document.body.innerText : "";`, [ready]).catch(() => "");
    if (t) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${page} did not show ${ready}`);
}

/** axe in light and dark (zero serious/critical) and a screenshot of the whole page in each. */
async function checkPage(page, name) {
  for (const scheme of ["light", "dark"]) {
    await a11y.setColorScheme(s.tb, scheme);
    await sb.screenshotExtensionPage(s.tb, page, `${name}-${scheme}`, { whole: true });
    const v = await a11y.axe(s.tb, page);
    assert.deepEqual(a11y.serious(v), [], `axe on ${name}, ${scheme}:\n${a11y.describeViolations(a11y.serious(v))}`);
    const minor = v.filter((x) => !a11y.serious([x]).length).map((x) => `${x.impact} ${x.id}`);
    if (minor.length) console.log(`  axe (${name}, ${scheme}), minor: ${[...new Set(minor)].join(", ")}`);
  }
  await a11y.setColorScheme(s.tb, "light");
}

/** The message states every language is checked in: how each is made, and what its headline must say. */
const MESSAGES = [
  { state: "valid-signed", make: () => keys.smimeSigned({ subject: "Popup valid", inner: textEntity("Signed hello") }), enc: "statusEncryptionNone", sig: "statusSignatureValid", why: "why-valid", org: "Example Corp" },
  { state: "encrypted-signed", make: () => keys.pgpEncrypted({ subject: "Popup enc+sig", inner: textEntity("PGP secret") }), enc: "statusEncryptionDecrypted", sig: "statusSignatureValid", why: "why-valid", copy: true },
  { state: "mismatch", make: () => keys.smimeSigned({ subject: "Popup mismatch", from: "Carol <carol@example.org>", inner: textEntity("Not from Carol") }), enc: "statusEncryptionNone", sig: "statusSignatureMismatch", why: "reason-from-mismatch" },
  {
    state: "invalid",
    make: () => Buffer.from(keys.smimeSigned({ subject: "Popup tampered", inner: textEntity("Pay 100 EUR") }).toString("latin1").replace("Pay 100 EUR", "Pay 900 EUR"), "latin1"),
    enc: "statusEncryptionNone",
    sig: "statusSignatureInvalid",
    why: "reason-digest-mismatch",
  },
  { state: "decrypt-failed", make: () => keys.smimeEncrypted({ subject: "Popup not for us", to: "bob", inner: textEntity("Not for Alice") }), enc: "statusEncryptionFailed", sig: "statusSignatureNone", why: "decrypt-step" },
];

async function checkMessagePopups(lang) {
  const m = op.messages(lang);
  for (const c of MESSAGES) {
    const msg = await mail.importEml(s.tb, c.make());
    await sb.displayMessageNoWait(s.tb, msg);
    await mail.waitForMessageDisplayAction(s.tb, ID, (a) => !!a.title && a.title !== "e2e-stale" && a.title.includes(m(c.sig)), { timeoutMs: 30_000, what: `${c.state}: the button's status` });
    const { mail: mailTab } = await sb.extensionTabIds(s.tb);
    const page = `ui/message-popup.html?tabId=${mailTab}`;
    const text = await openPopupWindow(page, "main[data-state=ready] .headline");
    // The headline: one line per layer in the status model's words, then why in one sentence.
    const head = await sb.inExtensionPage(
      s.tb,
      page,
      `const d = content.document;
       return { lines: [...d.querySelectorAll(".verdict .headline [data-layer]")].map((e) => e.textContent.trim()), why: d.querySelector(".verdict .why")?.dataset.field ?? null,
                live: d.querySelector(".verdict").getAttribute("aria-live"), open: d.querySelector("details[data-section=technical]").open,
                copy: !!d.querySelector("[data-action=save-copy]") };`,
    );
    assert.deepEqual(head.lines.slice(0, 2), [m(c.enc), m(c.sig)], `${c.state}: ${text}`);
    assert.equal(head.why, c.why, `${c.state}: why`);
    assert.equal(head.live, "polite");
    assert.equal(head.open, false, "the technical details start closed");
    assert.equal(head.copy, !!c.copy, "Save decrypted copy… is offered for a decrypted message only");
    if (c.org) assert.ok(text.includes(c.org), `${c.state}: the signer's organisation`);
    await checkPage(page, `popup-${c.state}-${lang}`);
    if (c.state !== "mismatch" && c.state !== "invalid") {
      // Keyboard only: Tab to the technical details, Enter opens them; then the opened page.
      let focus = "";
      for (let i = 0; i < 12 && focus !== "SUMMARY"; i++) {
        await a11y.keysInWindow(s.tb, page, ["Tab"]);
        focus = await sb.inExtensionPage(s.tb, page, `return content.document.activeElement?.tagName ?? "";`);
      }
      assert.equal(focus, "SUMMARY", "Tab reaches the technical details");
      await a11y.keysInWindow(s.tb, page, ["Enter"]);
      assert.equal(await sb.inExtensionPage(s.tb, page, `return content.document.querySelector("details[data-section=technical]").open;`), true, "Enter opened them");
      await checkPage(page, `popup-${c.state}-details-${lang}`);
    }
    assert.equal(await a11y.pressInWindow(s.tb, page, "Escape"), true, `${c.state}: Escape closed the popup`);
  }
}

async function checkComposePopups(lang) {
  const m = op.messages(lang);
  for (const c of [
    { state: "compose-keyed", to: "bob@example.org", encrypt: true, ready: "li[data-email='bob@example.org'] [data-do=composeDoEncrypt]" },
    // Ready once any key lookup for the keyless recipient has ended (the send is then held).
    { state: "compose-keyless", to: "bob@example.org, nokey@example.net", encrypt: true, ready: "li[data-email='nokey@example.net'] [data-do=composeDoHold]" },
  ]) {
    await mail.openCompose(s.tb, { to: c.to, subject: `Popup ${c.state}`, body: "Hello" });
    const tabId = await cmp.composeTabId(s.tb);
    await sb.extensionCallOk(s.tb, { type: "compose:set", tabId, encrypt: c.encrypt, sign: true });
    const page = `ui/compose-popup.html?tabId=${tabId}`;
    await openPopupWindow(page, c.ready);
    const lines = await sb.inExtensionPage(
      s.tb,
      page,
      `const d = content.document;
       return { state: [...d.querySelectorAll("[data-state-of]")].map((e) => [e.dataset.stateOf, e.dataset.tone]),
                rcpt: Object.fromEntries([...d.querySelectorAll("li[data-email]")].map((li) => [li.dataset.email, [li.dataset.tone, li.querySelector("[data-field=will-do]").dataset.do, li.querySelector("[data-field=will-do]").textContent.trim()]])),
                missing: !!d.querySelector("[data-testid=missing] [data-testid=remove]") };`,
    );
    assert.equal(lines.rcpt["bob@example.org"][1], "composeDoEncrypt", JSON.stringify(lines));
    assert.match(lines.rcpt["bob@example.org"][2], /S\/MIME|OpenPGP/);
    if (c.state === "compose-keyless") {
      assert.deepEqual(lines.rcpt["nokey@example.net"].slice(0, 2), ["bad", "composeDoHold"]);
      assert.equal(lines.rcpt["nokey@example.net"][2], m("composeDoHold"));
      assert.deepEqual(lines.state[0], ["encrypt", "bad"], "a keyless recipient holds the send");
      assert.equal(lines.missing, true, "the keyless-recipient choice is offered");
    } else {
      assert.deepEqual(lines.state[0], ["encrypt", "ok"]);
    }
    await checkPage(page, `popup-${c.state}-${lang}`);
    assert.equal(await a11y.pressInWindow(s.tb, page, "Escape"), true, `${c.state}: Escape closed the popup`);
    await mail.closeComposeWindows(s.tb);
  }
}

test("English: the message popup in five states and the compose popup with keyed and keyless recipients — axe light and dark, screenshots, keyboard, Escape", async () => {
  await startIn("en");
  await checkMessagePopups("en");
  await checkComposePopups("en");
}, { timeoutMs: 300_000 });

test("German Thunderbird: the same popups in German — axe light and dark, screenshots (checked for cut-off text), keyboard, Escape", async () => {
  await startIn("de");
  assert.equal(await s.tb.marionette.run(`return Services.locale.appLocaleAsBCP47;`), "de");
  await checkMessagePopups("de");
  await checkComposePopups("de");
}, { timeoutMs: 300_000 });
