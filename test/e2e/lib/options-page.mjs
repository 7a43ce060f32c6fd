// Driving Sealbird's options page (ui/options.html) in a real Thunderbird like a user:
// typing into fields found by their visible label, choosing a file in a file input, clicking
// buttons found by their visible text, reading what the page shows. Labels and texts come
// from the add-on's own _locales/<lang>/messages.json, so the same steps run in any language
// and a wrong or untranslated label fails the test.
//
//   messages(lang)                    -> (key, ...subs) => the text the page shows for key
//   openOptionsPage(tb)               opens the page in a selected tab, waits until it has loaded
//   inOptionsPage(tb, body, args)     runs an async function body next to the page (see below)
//   createKeystoreThroughPage(tb, m, passphrase)
//   importPkcs12ThroughPage(tb, m, {name, bytes, password}) -> {status, warnings, error}
//   readOwnEntries(tb, m)             -> [{label, type, addresses, fingerprint}] of "My certificates"
//   readPageBasics(tb)                -> {lang, title, h1, text}
//   screenshotOptionsPage(tb, name)   -> {file, width, height}: the whole page, not only the viewport
//
// The page runs in Thunderbird's (remote) extension process, which chrome code cannot touch
// directly. A one-shot frame script, loaded into the page's <browser>, runs in that process
// with `content` = the page's window (through Xray wrappers: DOM properties and methods only,
// no page JavaScript) and posts its result back.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ARTIFACTS_DIR } from "./mail.mjs";
import { SEALBIRD_ID } from "./sealbird.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const PAGE = "ui/options.html";

/** The add-on's strings for `lang`, with $1-style substitutions like browser.i18n.getMessage. */
export function messages(lang) {
  const table = JSON.parse(fs.readFileSync(path.join(ROOT, "_locales", lang, "messages.json"), "utf8"));
  return (key, ...subs) => {
    const entry = table[key];
    if (!entry) throw new Error(`no message ${key} in _locales/${lang}`);
    const named = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, p]) => [k.toLowerCase(), p.content]));
    const positional = (s) => s.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? "");
    // Named placeholders ($NAME$ → its content "$1") and direct ones ("$1") as browser.i18n does.
    return positional(entry.message.replace(/\$([A-Za-z_]+)\$/g, (_, k) => named[k.toLowerCase()] ?? "")).replace(/\$\$/g, "$");
  };
}

// Chrome side: finds the page's tab by URL.
const CHROME = `
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const tabmail = win.document.getElementById("tabmail");
  const pageUrl = "moz-extension://" + WebExtensionPolicy.getByID(${JSON.stringify(SEALBIRD_ID)}).mozExtensionHostname + "/${PAGE}";
  const pageTab = () => tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec === pageUrl);
`;

// Page side: small DOM helpers every body can use (frame-script scope, `content` = the page).
const PAGE_LIB = `
  const doc = content.document;
  const sleep = (ms) => new Promise((r) => content.setTimeout(r, ms));
  const norm = (s) => String(s ?? "").replace(/\\s+/g, " ").trim();
  const visible = (el) => !!el && el.getClientRects().length > 0;
  async function until(fn, what, ms = 20000) {
    const end = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error("timed out waiting for " + what + "; page says: " + norm(doc.body?.innerText).slice(0, 600));
      await sleep(50);
    }
  }
  /** The section or form headed by a heading with exactly this text. */
  function region(headingText) {
    const h = [...doc.querySelectorAll("h1,h2,h3")].find((e) => norm(e.textContent) === headingText);
    return h && h.closest("section, form");
  }
  /** The form control whose <label> reads exactly \`text\` (the accessible name a user sees). */
  function field(root, text) {
    const label = [...root.querySelectorAll("label")].find((l) => norm(l.textContent) === text);
    if (!label) throw new Error("no field labelled " + JSON.stringify(text));
    const el = label.control;
    if (!el) throw new Error("label " + JSON.stringify(text) + " is not tied to a control");
    return el;
  }
  function button(root, text) {
    return [...root.querySelectorAll("button")].find((b) => norm(b.textContent) === text && visible(b)) ?? null;
  }
  function type(el, value) {
    el.focus();
    el.value = value;
    el.dispatchEvent(new content.Event("input", { bubbles: true }));
  }
  /** Puts a file into an <input type=file> the way a file chooser does. */
  function chooseFile(el, name, base64, mime) {
    const bin = content.atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new content.DataTransfer();
    dt.items.add(new content.File([bytes], name, { type: mime }));
    el.files = dt.files;
    el.dispatchEvent(new content.Event("input", { bubbles: true }));
    el.dispatchEvent(new content.Event("change", { bubbles: true }));
  }
`;

/**
 * Runs `body` (an async function body; `args` = the array given, plus PAGE_LIB's helpers) in
 * the options page's process and returns its JSON-serialisable result.
 */
export async function inOptionsPage(tb, body, args = [], { timeoutMs = 30_000 } = {}) {
  const code =
    `(async () => { ${PAGE_LIB}\nconst args = ${JSON.stringify(args)};\n${body}\n})()` +
    `.then((v) => ({ ok: true, v: v === undefined ? null : v }), (e) => ({ ok: false, e: String(e && e.message || e) }))` +
    `.then((r) => sendAsyncMessage(__NAME__, JSON.stringify(r)));`;
  const r = await tb.marionette.run(
    CHROME +
      `const [code, timeoutMs] = arguments;
       const tab = pageTab();
       if (!tab) throw new Error("the options page is not open");
       const mm = tab.browser.messageManager;
       const name = "sealbird-options-e2e-" + Date.now() + "-" + Math.floor(Math.random() * 1e9);
       return await new Promise((resolve, reject) => {
         const timer = setTimeout(() => { mm.removeMessageListener(name, listener); reject(new Error("no answer from the options page within " + timeoutMs + " ms")); }, timeoutMs);
         function listener(msg) { clearTimeout(timer); mm.removeMessageListener(name, listener); resolve(JSON.parse(msg.data)); }
         mm.addMessageListener(name, listener);
         mm.loadFrameScript("data:application/javascript;charset=utf-8," + encodeURIComponent(code.replace("__NAME__", JSON.stringify(name))), false);
       });`,
    [code, timeoutMs],
  );
  if (!r.ok) throw new Error(`options page: ${r.e}`);
  return r.v;
}

/** Opens ui/options.html in a new selected tab (or selects it) and waits for the page to finish loading its state. */
export async function openOptionsPage(tb, m) {
  await tb.marionette.run(
    CHROME +
      `let tab = pageTab();
       if (tab) tabmail.switchToTab(tab);
       else tab = tabmail.openTab("contentTab", { url: pageUrl, background: false });
       for (let i = 0; ; i++) {
         if (tab.browser.currentURI?.spec === pageUrl && !tab.browser.webProgress?.isLoadingDocument) return true;
         if (i > 300) throw new Error("options page did not load");
         await new Promise((r) => setTimeout(r, 50));
       }`,
  );
  // Loaded = the title is there and "Loading settings…" has gone.
  await inOptionsPage(
    tb,
    `await until(() => norm(doc.querySelector("h1")?.textContent) === args[0] && !doc.body.innerText.includes(args[1]), "the options page to load");`,
    [m("optionsTitle"), m("loadingSettings")],
  );
}

/** First run: types the new passphrase twice, clicks "Create keystore", then "Continue". */
export async function createKeystoreThroughPage(tb, m, passphrase) {
  return inOptionsPage(
    tb,
    `const [t, pass] = args;
     const first = await until(() => region(t.firstRunTitle), "the first-run section");
     type(field(first, t.passphraseNew), pass);
     type(field(first, t.passphraseConfirm), pass);
     const create = await until(() => { const b = button(first, t.firstRunCreate); return b && !b.disabled && b; }, "an enabled create button");
     create.click();
     const done = await until(() => [...first.querySelectorAll('[role="status"]')].find((e) => norm(e.textContent) === t.firstRunCreated), "the keystore-created message", 60000);
     const shown = norm(done.textContent);
     (await until(() => button(first, t.continueButton), "the continue button")).click();
     await until(() => region(t.ownTitle), "the 'My certificates' section");
     return shown;`,
    [
      {
        firstRunTitle: m("firstRunTitle"),
        passphraseNew: m("passphraseNew"),
        passphraseConfirm: m("passphraseConfirm"),
        firstRunCreate: m("firstRunCreate"),
        firstRunCreated: m("firstRunCreated"),
        continueButton: m("continueButton"),
        ownTitle: m("ownTitle"),
      },
      passphrase,
    ],
    { timeoutMs: 90_000 },
  );
}

/**
 * Chooses the file and types its password in the "Import my S/MIME certificate (PKCS#12)"
 * form, clicks Import and waits for the outcome the form shows: `status` (the role=status
 * line), `warnings` (texts of the warning list) or `error` (the role=alert text).
 */
export async function importPkcs12ThroughPage(tb, m, { name, bytes, password }) {
  return inOptionsPage(
    tb,
    `const [t, file] = args;
     const form = await until(() => region(t.title), "the PKCS#12 import form");
     chooseFile(field(form, t.file), file.name, file.base64, "application/x-pkcs12");
     type(field(form, t.password), file.password);
     const go = await until(() => { const b = button(form, t.importButton); return b && !b.disabled && b; }, "an enabled Import button");
     // The outcome of an earlier import stays until the next one replaces it: mark it as old.
     const OUTCOME = '[role="alert"], p[role="status"]';
     for (const e of form.querySelectorAll(OUTCOME)) e.setAttribute("data-e2e-old", "");
     go.click();
     await until(() => !button(form, t.working) && button(form, t.importButton) && [...form.querySelectorAll(OUTCOME)].some((e) => !e.hasAttribute("data-e2e-old")), "the import outcome", 60000);
     return {
       status: norm(form.querySelector('p[role="status"]')?.textContent) || null,
       warnings: [...form.querySelectorAll(".warnings li")].map((li) => norm(li.textContent)),
       error: norm(form.querySelector('[role="alert"]')?.textContent) || null,
     };`,
    [
      { title: m("pkcs12ImportTitle"), file: m("pkcs12File"), password: m("pkcs12Password"), importButton: m("importButton"), working: m("working") },
      { name, base64: Buffer.from(bytes).toString("base64"), password },
    ],
    { timeoutMs: 90_000 },
  );
}

/**
 * The entries listed under "My certificates and keys", as the user reads them: label and the
 * values next to "Type", "E-mail addresses", "Fingerprint". `waitFor` (optional): an address
 * that must be listed first (the list refreshes after an import).
 */
export async function readOwnEntries(tb, m, { waitFor } = {}) {
  return inOptionsPage(
    tb,
    `const [t, waitFor] = args;
     const own = await until(() => region(t.ownTitle), "the 'My certificates' section");
     const read = () => [...own.querySelectorAll("ul.entries > li")].map((li) => {
       const dl = {};
       for (const dt of li.querySelectorAll("dt")) dl[norm(dt.textContent)] = norm(dt.nextElementSibling?.textContent);
       return { label: norm(li.querySelector("h4")?.textContent), type: dl[t.type], addresses: dl[t.addresses], fingerprint: dl[t.fingerprint] };
     });
     if (waitFor) await until(() => read().some((e) => e.addresses?.split(", ").includes(waitFor)), waitFor + " in 'My certificates'");
     return { entries: read(), empty: norm(own.querySelector(":scope > p.muted")?.textContent) || null };`,
    [{ ownTitle: m("ownTitle"), type: m("entryType"), addresses: m("entryAddresses"), fingerprint: m("entryFingerprint") }, waitFor ?? null],
  );
}

/** Language, document title, main heading and visible text of the page. */
export async function readPageBasics(tb) {
  return inOptionsPage(tb, `return { lang: doc.documentElement.lang, title: doc.title, h1: norm(doc.querySelector("h1")?.textContent), text: doc.body.innerText };`);
}

/**
 * PNG of the whole options page (its full scroll height, at the tab's width), drawn by the
 * compositor from the page's process, into artifacts/<name>.png.
 */
export async function screenshotOptionsPage(tb, name) {
  const size = await inOptionsPage(
    tb,
    `content.scrollTo(0, 0);
     await sleep(100);
     const e = doc.documentElement;
     return { width: Math.max(e.scrollWidth, e.clientWidth), height: Math.max(e.scrollHeight, doc.body.scrollHeight) };`,
  );
  const dataUrl = await tb.marionette.run(
    CHROME +
      `const [w, h] = arguments;
       const tab = pageTab();
       const rect = new win.DOMRect(0, 0, w, h);
       const bitmap = await tab.browser.browsingContext.currentWindowGlobal.drawSnapshot(rect, 1, "white");
       const canvas = win.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
       canvas.width = bitmap.width;
       canvas.height = bitmap.height;
       canvas.getContext("2d").drawImage(bitmap, 0, 0);
       return canvas.toDataURL("image/png");`,
    [size.width, size.height],
  );
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  const png = Buffer.from(dataUrl.slice(dataUrl.indexOf(",") + 1), "base64");
  fs.writeFileSync(file, png);
  // PNG IHDR: width and height, big-endian, at bytes 16 and 20.
  return { file, bytes: png.length, width: png.readUInt32BE(16), height: png.readUInt32BE(20), page: size };
}
