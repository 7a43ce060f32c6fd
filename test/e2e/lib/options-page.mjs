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
//   readOwnEntries(tb, m)             -> [{label, type, addresses, fingerprint}] of "My identities"
//   readPageBasics(tb)                -> {lang, title, h1, text}
//   screenshotOptionsPage(tb, name, {selector}) -> {file, width, height}: the whole page (or one element of it)
//   checkOptionsPage(tb, name, {selector}) screenshots artifacts/<name>-<light|dark>.png and asserts
//                                     axe finds nothing "serious" or "critical", in light and dark
//   openEveryForm(tb, n)              opens the n-th on-demand form of every section (0, 1, 2)
//   focusPage(tb)                     gives the options tab the keyboard focus
//   focused(tb)                       -> {tag, type, name, order} of the element with the keyboard focus
//   focusedName(tb, name)             -> the focused element's name, once it is `name` (keys arrive asynchronously)
//   tabTo(tb, kb, name, {back})       presses Tab until the control named `name` has the focus; checks
//                                     that the focus moved forward through the page at every press
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
import assert from "node:assert/strict";
import { KEY, axe, serious, describeViolations, setColorScheme } from "./a11y.mjs";

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
  /** What a screen reader calls a control: aria-labelledby, its <label>s, aria-label, its text. */
  function nameOf(el) {
    const ids = el.getAttribute("aria-labelledby");
    if (ids) return norm(ids.split(" ").filter(Boolean).map((id) => doc.getElementById(id)?.textContent ?? "").join(" "));
    if (el.labels?.length) return norm([...el.labels].map((l) => l.textContent).join(" "));
    return norm(el.getAttribute("aria-label") || el.textContent);
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
  /** The form titled \`title\`; opened first with the button \`opener\` (in \`root\`) if it is closed. */
  async function openForm(root, opener, title) {
    if (!region(title)) {
      const b = button(root, opener);
      if (!b) throw new Error("no button " + JSON.stringify(opener));
      b.click();
    }
    return until(() => region(title), "the form " + JSON.stringify(title));
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

/**
 * First run: types the new passphrase twice, clicks "Create keystore", reads what the page then
 * says, and leaves the guided setup ("Skip the guided setup") for the settings.
 */
export async function createKeystoreThroughPage(tb, m, passphrase) {
  return inOptionsPage(
    tb,
    `const [t, pass] = args;
     const first = await until(() => region(t.firstRunTitle), "the first-run section");
     type(field(first, t.passphraseNew), pass);
     type(field(first, t.passphraseConfirm), pass);
     const create = await until(() => { const b = button(first, t.firstRunCreate); return b && !b.disabled && b; }, "an enabled create button");
     create.click();
     const done = await until(() => [...doc.querySelectorAll('[role="status"]')].find((e) => norm(e.textContent) === t.firstRunCreated), "the keystore-created message", 60000);
     const shown = norm(done.textContent);
     (await until(() => button(doc, t.setupLeave), "the button that leaves the guided setup")).click();
     await until(() => region(t.ownTitle), "the 'My identities' section");
     return shown;`,
    [
      {
        firstRunTitle: m("firstRunTitle"),
        passphraseNew: m("passphraseNew"),
        passphraseConfirm: m("passphraseConfirm"),
        firstRunCreate: m("firstRunCreate"),
        firstRunCreated: m("firstRunCreated"),
        setupLeave: m("setupLeave"),
        ownTitle: m("identitiesTitle"),
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
     const form = await openForm(region(t.ownTitle), t.open, t.title);
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
      {
        ownTitle: m("identitiesTitle"),
        open: m("pkcs12ImportOpen"),
        title: m("pkcs12ImportTitle"),
        file: m("pkcs12File"),
        password: m("pkcs12Password"),
        importButton: m("importButton"),
        working: m("working"),
      },
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
       return { label: norm(li.querySelector("h4")?.textContent), type: dl[t.type], addresses: dl[t.addresses], fingerprint: norm(li.querySelector(".fingerprint")?.textContent) };
     });
     if (waitFor) await until(() => read().some((e) => e.addresses?.split(", ").includes(waitFor)), waitFor + " in 'My certificates'");
     return { entries: read(), empty: norm(own.querySelector(".empty")?.textContent) || null };`,
    [{ ownTitle: m("identitiesTitle"), type: m("entryType"), addresses: m("entryAddresses"), fingerprint: m("entryFingerprint") }, waitFor ?? null],
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
export async function screenshotOptionsPage(tb, name, { selector } = {}) {
  const size = await inOptionsPage(
    tb,
    `content.scrollTo(0, 0);
     await sleep(100);
     const e = doc.documentElement;
     const whole = { x: 0, y: 0, width: Math.max(e.scrollWidth, e.clientWidth), height: Math.max(e.scrollHeight, doc.body.scrollHeight) };
     if (!args[0]) return whole;
     const el = doc.querySelector(args[0]);
     if (!el) throw new Error("nothing on the page matches " + args[0]);
     // The element with a margin of page around it, in document coordinates.
     const r = el.getBoundingClientRect(), m = 12;
     const x = Math.max(0, Math.floor(r.left - m)), y = Math.max(0, Math.floor(r.top + content.scrollY - m));
     return { x, y, width: Math.min(whole.width - x, Math.ceil(r.width + 2 * m)), height: Math.min(whole.height - y, Math.ceil(r.height + 2 * m)) };`,
    [selector ?? null],
  );
  const dataUrl = await tb.marionette.run(
    CHROME +
      `const [x, y, w, h] = arguments;
       const tab = pageTab();
       const rect = new win.DOMRect(x, y, w, h);
       const bitmap = await tab.browser.browsingContext.currentWindowGlobal.drawSnapshot(rect, 1, "white");
       const canvas = win.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
       canvas.width = bitmap.width;
       canvas.height = bitmap.height;
       canvas.getContext("2d").drawImage(bitmap, 0, 0);
       return canvas.toDataURL("image/png");`,
    [size.x, size.y, size.width, size.height],
  );
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  const png = Buffer.from(dataUrl.slice(dataUrl.indexOf(",") + 1), "base64");
  fs.writeFileSync(file, png);
  // PNG IHDR: width and height, big-endian, at bytes 16 and 20.
  return { file, bytes: png.length, width: png.readUInt32BE(16), height: png.readUInt32BE(20), page: size };
}

/** Gives the options tab the keyboard focus (as a click on its page would); the page keeps its own focused element. */
export async function focusPage(tb) {
  await tb.marionette.run(CHROME + `const tab = pageTab(); if (!tab) throw new Error("the options page is not open"); tabmail.switchToTab(tab); win.focus(); tab.browser.focus(); return true;`);
}

/** The element with the keyboard focus: tag, input type, accessible name, and its place in the page (document order). */
export async function focused(tb) {
  return inOptionsPage(
    tb,
    `const el = doc.activeElement;
     if (!el || el === doc.body || !doc.hasFocus()) return null;
     const all = [...doc.querySelectorAll("*")];
     return { tag: el.localName, type: el.getAttribute("type"), name: nameOf(el), order: all.indexOf(el) };`,
  );
}

// The key goes to the page's content process asynchronously: WebDriver's action returns when
// the chrome window has dispatched it, not when the page has moved its focus. So the focus is
// read until `done(focus)` holds, or `ms` pass and whatever has the focus then is returned.
async function focusOnceSettled(tb, done, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const now = await focused(tb);
    if (done(now) || Date.now() > end) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The accessible name of the focused element once it is `name` (the key that moves it may still be on its way), or whatever has the focus after `ms`. */
export async function focusedName(tb, name, ms) {
  return (await focusOnceSettled(tb, (f) => f?.name === name, ms))?.name;
}

/**
 * Presses Tab (Shift+Tab with `back`) until the control whose accessible name is `name` (a
 * string, or a RegExp) has the focus, at most `max` times. Every press must move the focus
 * forward (backward) in the page's document order: the focus order follows the page. Returns
 * the names passed on the way.
 */
export async function tabTo(tb, kb, name, { back = false, max = 30 } = {}) {
  const matches = (f) => f && (name instanceof RegExp ? name.test(f.name) : f.name === name);
  let here = await focused(tb);
  const path = [];
  for (let i = 0; i < max; i++) {
    if (matches(here)) return path;
    await kb.press(back ? [KEY.Shift, KEY.Tab] : KEY.Tab);
    const prev = here;
    const next = await focusOnceSettled(tb, (f) => !prev || !f || f.order !== prev.order);
    if (here && next && !(back ? next.order < here.order : next.order > here.order)) {
      throw new Error(`focus went ${back ? "forward" : "backward"} from "${here.name}" to "${next.name}" (${path.join(" → ")})`);
    }
    if (next) path.push(next.name);
    here = next;
  }
  throw new Error(`no control named ${name} within ${max} presses of Tab; passed: ${path.join(" → ")}`);
}

/**
 * The page (or the element at `selector`) in light and in dark (or `schemes`): a screenshot of each
 * (artifacts/<name>-light.png, -dark.png) and (unless `axe: false`) axe-core over the whole
 * page, which must find no violation of impact "serious" or "critical". Returns the minor
 * ones, for the log.
 */
export async function checkOptionsPage(tb, name, { selector, axe: withAxe = true, schemes = ["light", "dark"] } = {}) {
  const minor = [];
  try {
    for (const scheme of schemes) {
      await setColorScheme(tb, scheme);
      await screenshotOptionsPage(tb, `${name}-${scheme}`, { selector });
      if (!withAxe) continue;
      const v = await axe(tb, "ui/options.html");
      assert.deepEqual(serious(v), [], `axe on ${name}, ${scheme}:\n${describeViolations(serious(v))}`);
      minor.push(...v.map((x) => `${scheme}: ${x.impact} ${x.id}`));
    }
  } finally {
    await setColorScheme(tb, "light");
  }
  if (minor.length) console.log(`  axe (${name}), minor: ${minor.join(", ")}`);
  return minor;
}

/** Presses the n-th "…" button of every section (closing what was open there); returns how many forms opened. */
export async function openEveryForm(tb, n) {
  return inOptionsPage(
    tb,
    `let opened = 0;
     for (const group of doc.querySelectorAll(".on-demand")) {
       const b = group.querySelectorAll(".launchers button")[args[0]];
       if (b && b.getAttribute("aria-expanded") !== "true") { b.click(); opened++; }
     }
     await sleep(150);
     return opened;`,
    [n],
  );
}
