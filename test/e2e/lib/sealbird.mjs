// Helpers for testing the real Sealbird add-on in Thunderbird. Nothing here ships in the
// XPI: the tests talk to the add-on only through its real interfaces — its own pages
// (options, unlock prompt, toolbar popup), which send the same runtime messages the UI sends.
//
//   buildSealbirdXpi()                 -> path of a freshly built XPI (test/e2e/artifacts/sealbird.xpi)
//   extensionCall(tb, request)         -> answer of browser.runtime.sendMessage(request), sent
//                                         from the add-on's options page (opened in a background tab)
//   provisionKeystore(tb, {passphrase, files})
//   runInBrowser(tb, findBrowserBody, pageBody, args)
//   inExtensionPage(tb, path, pageBody, args) -> runs pageBody next to the add-on page at path (any window)
//   screenshotExtensionPage(tb, path, name) -> artifacts/<name>.png of that page's viewport
//   extensionTabIds(tb)                -> {mail, compose}: the add-on's tab ids of the 3-pane tab and a composer
//   popupPageFor (the toolbar popup's page for a tab) / waitForUnlockWindow / fillUnlockWindow
//
// Extension pages live in the (remote) extension process; chrome cannot read them directly.
// A frame script loaded into the page's <browser> runs in that process next to the page and
// reaches the page's own `browser.*` object through Cu.waiveXrays(content).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ARTIFACTS_DIR, widgetId } from "./mail.mjs";

export const SEALBIRD_ID = "sealbird@sealbird.org";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * Builds the add-on exactly as released (scripts/build-addon.mjs, without its lint step,
 * which `npm run build:addon` runs) and copies the XPI into artifacts/ at once, so a
 * concurrent build of the shared dist/ cannot swap it. SEALBIRD_XPI=path skips the build.
 */
export function buildSealbirdXpi() {
  if (process.env.SEALBIRD_XPI) return path.resolve(process.env.SEALBIRD_XPI);
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  const out = path.join(ARTIFACTS_DIR, "sealbird.xpi");
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  // dist/ is shared with other builds running at the same time: retry a clashing build.
  for (let attempt = 1; ; attempt++) {
    let listing;
    try {
      execFileSync(process.execPath, ["scripts/build-addon.mjs", "--no-lint"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
      fs.copyFileSync(path.join(ROOT, `dist/sealbird-${version}.xpi`), out);
      listing = execFileSync("unzip", ["-l", out], { encoding: "utf8" });
      if (/background\.js/.test(listing) && /message-display-script\.js/.test(listing) && /manifest\.json/.test(listing)) return out;
    } catch (e) {
      listing = String(e.message);
    }
    if (attempt >= 3) throw new Error(`could not build the XPI:\n${listing}`);
    execFileSync("sleep", [String(5 * attempt)]);
  }
}

export const PRELUDE = `
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const tabmail = win.document.getElementById("tabmail");
  const extHost = WebExtensionPolicy.getByID(${JSON.stringify(SEALBIRD_ID)}).mozExtensionHostname;
  const extUrl = (p) => "moz-extension://" + extHost + "/" + p;
  /** Runs pageBody (async function body; w = the page's window, args = arguments) in a remote <browser>. */
  const inBrowser = (browser, pageBody, args) => new Promise((resolve, reject) => {
    const name = "sealbird-e2e:" + Math.random().toString(36).slice(2);
    const mm = browser.messageManager;
    const timer = setTimeout(() => { mm.removeMessageListener(name, onMsg); reject(new Error("page script timed out")); }, 30000);
    function onMsg(m) {
      clearTimeout(timer);
      mm.removeMessageListener(name, onMsg);
      const r = JSON.parse(m.data);
      if (r.error) reject(new Error("in page: " + r.error)); else resolve(r.value);
    }
    mm.addMessageListener(name, onMsg);
    const code = "(async () => { const w = Cu.waiveXrays(content); const args = " + JSON.stringify(args) + ";" +
      "const clone = (v) => Cu.cloneInto(v, w);" +
      "try { const value = await (async () => {" + pageBody + "})();" +
      "sendAsyncMessage(" + JSON.stringify(name) + ", JSON.stringify({ value: value === undefined ? null : value })); }" +
      "catch (e) { sendAsyncMessage(" + JSON.stringify(name) + ", JSON.stringify({ error: String(e && e.message || e) })); } })();";
    mm.loadFrameScript("data:," + encodeURIComponent(code), false);
  });
  const waitLoaded = async (browser, suffix) => {
    for (let i = 0; i < 200; i++) {
      if (browser.currentURI?.spec.endsWith(suffix) && !browser.webProgress?.isLoadingDocument) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("page " + suffix + " did not load");
  };
`;

/**
 * Sends `request` with browser.runtime.sendMessage from the add-on's options page, which
 * stays open in a background tab (the selected tab is not changed). Byte arrays are passed
 * as {__bytes: base64} and arrive as Uint8Array. Returns the add-on's `{ok, value|error}`.
 */
export async function extensionCall(tb, request) {
  return tb.marionette.run(
    PRELUDE +
      `const [req] = arguments;
       let info = tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec === extUrl("ui/options.html"));
       if (!info) {
         info = tabmail.openTab("contentTab", { url: extUrl("ui/options.html"), background: true });
         await waitLoaded(info.browser, "/ui/options.html");
       }
       return inBrowser(info.browser, \`
         const revive = (v) => v && typeof v === "object"
           ? ("__bytes" in v ? Uint8Array.from(content.atob(v.__bytes), (c) => c.charCodeAt(0))
              : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])))
           : v;
         const req = revive(args[0]);
         const msg = clone(req); // structured clone into the page, typed arrays included
         const answer = Cu.waiveXrays(await w.browser.runtime.sendMessage(msg));
         return JSON.parse(w.JSON.stringify(answer));
       \`, [req]);`,
    [encodeBytes(request)],
  );
}

function encodeBytes(v) {
  if (v instanceof Uint8Array) return { __bytes: Buffer.from(v).toString("base64") };
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeBytes(x)]));
  return v;
}

/**
 * Runs `pageBody` (async function body; \`content\` = the page's window through Xrays, \`w\` =
 * the same without them, \`args\`) next to the add-on page whose URL starts with `pagePath`
 * (e.g. "ui/unlock.html"), in whatever window shows it.
 */
export async function inExtensionPage(tb, pagePath, pageBody, args = []) {
  return tb.marionette.run(
    PRELUDE +
      `const [pagePath, pageBody, args] = arguments;
       let found = null;
       for (const win of Services.wm.getEnumerator(null))
         for (const b of win.document.querySelectorAll("browser"))
           if (b.currentURI?.spec.startsWith(extUrl(pagePath)) && !b.webProgress?.isLoadingDocument) found = b;
       if (!found) throw new Error("no add-on page " + pagePath + " is open");
       return inBrowser(found, pageBody, args);`,
    [pagePath, pageBody, args],
  );
}

/** The ids the add-on's tabs API gives the 3-pane tab and (if one is open) a composer window. */
export async function extensionTabIds(tb) {
  return tb.marionette.run(
    PRELUDE +
      `const ext = WebExtensionPolicy.getByID(${JSON.stringify(SEALBIRD_ID)}).extension;
       const compose = Services.wm.getMostRecentWindow("msgcompose");
       return { mail: ext.tabManager.getWrapper(tabmail.tabInfo[0]).id, compose: compose ? ext.tabManager.getWrapper(compose).id : null };`,
  );
}

/** Opens an add-on page (path with its query) in a selected tab of the main window; waits until it has loaded. */
export async function openExtensionTab(tb, pagePath) {
  return tb.marionette.run(
    PRELUDE +
      `const info = tabmail.openTab("contentTab", { url: extUrl(arguments[0]), background: false });
       await waitLoaded(info.browser, arguments[0]);
       return true;`,
    [pagePath],
  );
}

/** Closes the tabs of the main window that show the add-on page at pagePath. */
export async function closeExtensionTab(tb, pagePath) {
  return tb.marionette.run(
    PRELUDE +
      `let n = 0;
       for (const t of [...tabmail.tabInfo]) if (t.browser?.currentURI?.spec.startsWith(extUrl(arguments[0]))) { tabmail.closeTab(t); n++; }
       return n;`,
    [pagePath],
  );
}

/**
 * PNG of the add-on page at pagePath in artifacts/<name>.png (its window's viewport; `whole`:
 * the page's full scroll height at the window's width); returns its size.
 */
export async function screenshotExtensionPage(tb, pagePath, name, { whole = false } = {}) {
  const size = whole
    ? await inExtensionPage(tb, pagePath, `const e = content.document.documentElement; return [Math.max(e.scrollWidth, e.clientWidth), Math.max(e.scrollHeight, content.document.body.scrollHeight)];`)
    : null;
  const dataUrl = await tb.marionette.run(
    PRELUDE +
      `let found = null;
       for (const win of Services.wm.getEnumerator(null))
         for (const b of win.document.querySelectorAll("browser"))
           if (b.currentURI?.spec.startsWith(extUrl(arguments[0]))) found = b;
       if (!found) throw new Error("no add-on page " + arguments[0] + " is open");
       const size = arguments[1];
       const rect = size ? new found.ownerDocument.defaultView.DOMRect(0, 0, size[0], size[1]) : null;
       const bitmap = await found.browsingContext.currentWindowGlobal.drawSnapshot(rect, 1, "white");
       const canvas = found.ownerDocument.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
       canvas.width = bitmap.width; canvas.height = bitmap.height;
       canvas.getContext("2d").drawImage(bitmap, 0, 0);
       return canvas.toDataURL("image/png");`,
    [pagePath, size],
  );
  const png = Buffer.from(dataUrl.split(",")[1], "base64");
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS_DIR, `${name}.png`), png);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** extensionCall that throws unless the answer is ok; returns the value. */
export async function extensionCallOk(tb, request) {
  const a = await extensionCall(tb, request);
  if (!a?.ok) throw new Error(`${request.type} failed: ${JSON.stringify(a)}`);
  return a.value;
}

/**
 * Creates the keystore and imports key files, as the options page does.
 * @param {{passphrase: string, files: {bytes: Uint8Array, password?: string, as?: string}[]}} o
 */
export async function provisionKeystore(tb, { passphrase, files }) {
  const state = await extensionCallOk(tb, { type: "keystore:state" });
  if (!state.exists) await extensionCallOk(tb, { type: "keystore:create", passphrase });
  const imported = [];
  for (const f of files) imported.push(...(await extensionCallOk(tb, { type: "keyring:import", ...f })));
  return imported;
}

/**
 * Selects `msg` in the 3-pane tab like a click, without waiting for Thunderbird's "message
 * loaded" state: for an S/MIME encrypted message Thunderbird cannot decrypt, it replaces the
 * message document with its own "cannot decrypt" page and never reports it as loaded.
 * Marks the current pane document and the button stale first (see waitForSealbirdView /
 * waitForStatus), so a view or status of the previous message is never mistaken for this one's.
 */
export async function displayMessageNoWait(tb, msg) {
  return tb.marionette.run(
    PRELUDE +
      `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
       const { MailUtils } = ChromeUtils.importESModule("resource:///modules/MailUtils.sys.mjs");
       const am = tabmail.currentAboutMessage;
       am?.getMessagePaneBrowser()?.contentDocument?.documentElement?.setAttribute("data-e2e-stale", "1");
       am?.document.querySelector('#header-view-toolbar [data-extensionid="${SEALBIRD_ID}"]')?.setAttribute("tooltiptext", "e2e-stale");
       const uri = arguments[0];
       const hdr = MailServices.messageServiceFromURI(uri).messageURIToMsgHdr(uri);
       tabmail.switchToTab(0);
       MailUtils.displayMessageInFolderTab(hdr);
       return true;`,
    [msg.uri],
  );
}

/** Waits for Sealbird's own view (data-sealbird = render | locked | error) in a fresh pane document; returns its text. */
export async function waitForSealbirdView(tb, kind, { timeoutMs = 30_000 } = {}) {
  return tb.waitFor(
    PRELUDE +
      `const doc = tabmail.currentAboutMessage?.getMessagePaneBrowser()?.contentDocument;
       if (!doc || doc.documentElement?.hasAttribute("data-e2e-stale")) return false;
       const v = doc.getElementById("sealbird-view");
       return v && v.dataset.sealbird === arguments[0] ? v.innerText : false;`,
    { args: [kind], timeoutMs, what: `Sealbird's "${kind}" view in the message pane` },
  );
}

/** The URL of the document in the message pane (mailbox:… or Thunderbird's data: error page). */
export async function paneUrl(tb) {
  return tb.marionette.run(PRELUDE + `return tabmail.currentAboutMessage?.getMessagePaneBrowser()?.currentURI?.spec ?? null;`);
}

/** Whether the message header pane (From, Subject, the add-on's button) is shown. */
export async function headerPaneVisible(tb) {
  return tb.marionette.run(PRELUDE + `const h = tabmail.currentAboutMessage?.document.getElementById("msgHeaderView"); return !!h && !h.collapsed;`);
}

/** Closes the options tab extensionCall() opened, if any. */
export async function closeExtensionTabs(tb) {
  return tb.marionette.run(
    PRELUDE +
      `let n = 0;
       for (const t of [...tabmail.tabInfo]) if (t.browser?.currentURI?.spec.startsWith(extUrl(""))) { tabmail.closeTab(t); n++; }
       return n;`,
  );
}

/** Clicks an element of the message pane document (chrome can reach it: the pane is not remote). */
export async function clickInPane(tb, selector) {
  return tb.marionette.run(
    PRELUDE +
      `const doc = tabmail.currentAboutMessage?.getMessagePaneBrowser()?.contentDocument;
       const el = doc?.querySelector(arguments[0]);
       if (!el) return false;
       el.click();
       return true;`,
    [selector],
  );
}

/** Reads an attribute/text from the message pane: [{tag, attrs}] of elements matching selector. */
export async function queryPane(tb, selector) {
  return tb.marionette.run(
    PRELUDE +
      `const doc = tabmail.currentAboutMessage?.getMessagePaneBrowser()?.contentDocument;
       return [...(doc?.querySelectorAll(arguments[0]) ?? [])].map((e) => ({
         tag: e.localName, text: e.textContent, attrs: Object.fromEntries([...e.attributes].map((a) => [a.name, a.value])) }));`,
    [selector],
  );
}

/** Waits for the add-on's unlock prompt window (ui/unlock.html); returns its URL. */
export async function waitForUnlockWindow(tb, { timeoutMs = 15_000 } = {}) {
  return tb.waitFor(
    PRELUDE +
      `for (const w of Services.wm.getEnumerator(null)) {
         for (const b of w.document.querySelectorAll("browser")) {
           if (b.currentURI?.spec === extUrl("ui/unlock.html") && !b.webProgress?.isLoadingDocument) return b.currentURI.spec;
         }
       }
       return false;`,
    { timeoutMs, what: "the unlock prompt window" },
  );
}

/** Types the passphrase into the unlock prompt and submits it, like a user. */
export async function fillUnlockWindow(tb, passphrase) {
  return tb.marionette.run(
    PRELUDE +
      `let browser;
       for (const w of Services.wm.getEnumerator(null))
         for (const b of w.document.querySelectorAll("browser"))
           if (b.currentURI?.spec === extUrl("ui/unlock.html")) browser = b;
       if (!browser) throw new Error("no unlock window");
       return inBrowser(browser, \`
         const doc = content.document;
         for (let i = 0; i < 100 && !doc.querySelector("input[type=password]"); i++) await new Promise((r) => content.setTimeout(r, 50));
         const input = doc.querySelector("input[type=password]");
         input.focus();
         input.value = args[0];
         input.dispatchEvent(new content.Event("input", { bubbles: true }));
         await new Promise((r) => content.setTimeout(r, 50));
         doc.querySelector("button[type=submit]").click();
         return true;
       \`, [arguments[0]]);`,
    [passphrase],
  );
}

/**
 * The toolbar popup's page opened in a tab of its own for the message of the current mail tab
 * (message-popup.html?tabId=N): its text once loaded — with its technical details opened —
 * and a screenshot in artifacts/. Used
 * where a synthesized press does not keep the panel open (Xvfb without a window manager).
 */
export async function popupPageFor(tb, name, { click, until } = {}) {
  const text = await tb.marionette.run(
    PRELUDE +
      `const ext = WebExtensionPolicy.getByID(${JSON.stringify(SEALBIRD_ID)}).extension;
       const mailTabId = ext.tabManager.getWrapper(tabmail.tabInfo[0]).id;
       const info = tabmail.openTab("contentTab", { url: extUrl("ui/message-popup.html?tabId=" + mailTabId), background: true });
       for (let i = 0; i < 150; i++) {
         await new Promise((r) => setTimeout(r, 100));
         if (info.browser.webProgress?.isLoadingDocument) continue;
         // Ready: the technical details opened as a user would (their summary pressed), then read.
         const t = await inBrowser(info.browser, "const d = content.document; if (!d.querySelector('main[data-state=ready]')) return ''; for (const s of d.querySelectorAll('details:not([open]) > summary')) s.click(); return d.body.innerText;", []).catch(() => "");
         if (t) {
           tabmail.switchToTab(info);
           await new Promise((r) => setTimeout(r, 300));
           return t;
         }
       }
       return null;`,
  );
  if (!text) return null;
  if (!click) {
    await screenshotTab(tb, name);
    return text;
  }
  // A button in the page pressed the way a user would, then its answer awaited (`until`).
  const after = await tb.waitFor(
    PRELUDE +
      `const [selector, until, clickNow] = arguments;
       const b = tabmail.currentTabInfo.browser;
       return inBrowser(b, \`
         const [selector, until, clickNow] = args;
         // Pressed once, as soon as it is there and enabled (a button that stays after its
         // answer must not be pressed again: that would start over and hide the answer).
         const el = content.document.querySelector(selector);
         if (clickNow && el && !el.disabled && !content.document.body.dataset.e2ePressed) {
           content.document.body.dataset.e2ePressed = "1";
           el.click();
         }
         const t = content.document.body.innerText;
         return new RegExp(until).test(t) ? t : false;
       \`, [selector, until, clickNow]);`,
    { args: [click, until.source, true], timeoutMs: 20_000, intervalMs: 2000, what: `the popup page after pressing ${click}` },
  );
  await screenshotTab(tb, name);
  return { before: text, after };
}

/** Screenshot of the popup page opened by popupPageFor, then its tab closed (back to the mail tab). */
async function screenshotTab(tb, name) {
  await screenshotExtensionPage(tb, "ui/message-popup.html", name);
  await tb.marionette.run(PRELUDE + `tabmail.closeTab(tabmail.currentTabInfo); tabmail.switchToTab(0); return true;`);
}

export { widgetId };


/**
 * Thunderbird's own security display for the message shown in the 3-pane tab, and the subject
 * wherever it appears: header pane, about:message title (the tab/window title), the message
 * index (what the message list shows).
 */
export async function readHeaderSecurity(tb, msgUri) {
  return tb.marionette.run(
    PRELUDE +
      `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
       const am = tabmail.currentAboutMessage;
       const box = am.document.getElementById("cryptoBox");
       const bar = am.gMessageNotificationBar?.msgNotificationBar;
       const row = am.document.getElementById("expandedsubjectBox");
       const hdr = MailServices.messageServiceFromURI(arguments[0]).messageURIToMsgHdr(arguments[0]);
       return {
         cryptoBoxShown: !!box && !box.hidden && box.getBoundingClientRect().width > 0,
         encryptedIcon: am.document.getElementById("encryptedHdrIcon")?.hidden === false ? am.document.getElementById("encryptedHdrIcon").src : null,
         signedIcon: am.document.getElementById("signedHdrIcon")?.hidden === false ? am.document.getElementById("signedHdrIcon").src : null,
         notifications: (bar?.allNotifications ?? []).map((n) => n.getAttribute("value") ?? n.value),
         subject: row?.querySelector(":scope > span:not(.row-heading)")?.textContent.trim() ?? "",
         title: am.document.title,
         windowTitle: win.document.title,
         listSubject: hdr.mime2DecodedSubject,
       };`,
    [msgUri],
  );
}

