// Accessibility and keyboard helpers for the real-Thunderbird suite. Nothing here ships in the
// add-on.
//
//   axe(tb, pagePath, {include})      -> axe-core's violations on the add-on page at pagePath
//   serious(violations)               -> those of impact "serious" or "critical"
//   describeViolations(violations)    -> one readable line per violation and node
//   setColorScheme(tb, "light"|"dark"|"high-contrast") the colour scheme pages see (Thunderbird's prefs, live)
//   keyboard(tb)                      -> {press(...keys), type(text)}: real key events (WebDriver actions)
//   KEY                               Tab, Enter, Space, Escape, Shift
//   keysInWindow(tb, pagePath, keys)  key events (["Tab", "Enter"]) in the window showing that add-on page
//   pressInWindow(tb, pagePath, key)  a key event ("Escape") in the window showing that add-on page; -> whether it closed
//   fakeFilePicker(tb, path)          the next file dialogs "choose" path (as a user would in the dialog)
//   useDownloadDir(tb, dir)           downloads are saved to dir without asking
//
// axe-core (node_modules/axe-core, a dev dependency) is evaluated next to the page by a frame
// script, in a sandbox whose prototype is the page's window: it sees the page's real DOM and
// computed styles, and the page's CSP (no eval) does not apply to the test's own code.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { inExtensionPage } from "./sealbird.mjs";
import { setPrefs } from "./mail.mjs";

let source;
function axeSource() {
  source ??= fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve("axe-core")), "axe.min.js"), "utf8");
  return source;
}

/**
 * Runs axe-core on the add-on page at `pagePath` (all its rules, WCAG 2.2 AA and best
 * practices). `include`: a CSS selector to check only that part. Returns the violations as
 * [{id, impact, help, nodes: [{target, html, summary}]}].
 */
export async function axe(tb, pagePath, { include } = {}) {
  const out = await inExtensionPage(
    tb,
    pagePath,
    `const [src, include] = args;
     const sandbox = Cu.Sandbox(content, { sandboxPrototype: content, wantXrays: false, sandboxName: "axe-core (e2e)" });
     Cu.evalInSandbox(src, sandbox);
     sandbox.include = include;
     const json = await Cu.evalInSandbox(
       "axe.run(include ? { include: [include] } : document, { resultTypes: ['violations'] })" +
         ".then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help," +
         " nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })) }))))",
       sandbox,
     );
     return JSON.parse(json);`,
    [axeSource(), include ?? null],
  );
  return out;
}

export function serious(violations) {
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export function describeViolations(violations) {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}): ${n.target} — ${n.html}`)).join("\n");
}

/**
 * The colour scheme add-on pages see: Thunderbird's own setting for web content, applied at
 * once. "high-contrast" = Thunderbird's "override the colours" setting, which pages see as
 * forced colours (and increased contrast).
 */
export async function setColorScheme(tb, scheme) {
  await setPrefs(tb, {
    "layout.css.prefers-color-scheme.content-override": scheme === "dark" ? 0 : 1,
    "ui.systemUsesDarkTheme": scheme === "dark" ? 1 : 0,
    "browser.display.document_color_use": scheme === "high-contrast" ? 2 : 0,
  });
  // Style changes land with the next refresh.
  await new Promise((r) => setTimeout(r, 300));
}

export const KEY = { Tab: "\uE004", Enter: "\uE007", Space: " ", Escape: "\uE00C", Shift: "\uE008" };

/**
 * Real key events: WebDriver:PerformActions in the chrome context goes through Gecko's event
 * handling like a keyboard, so Tab moves the focus, Enter submits, Space presses a button.
 */
export function keyboard(tb) {
  const send = (actions) => tb.marionette.send("WebDriver:PerformActions", { actions: [{ type: "key", id: "keyboard", actions }] });
  return {
    /** Each argument is a key (KEY.Tab) or [modifier, key] (e.g. [KEY.Shift, KEY.Tab]). */
    async press(...keys) {
      for (const k of keys) {
        const combo = Array.isArray(k) ? k : [k];
        await send([...combo.map((value) => ({ type: "keyDown", value })), ...[...combo].reverse().map((value) => ({ type: "keyUp", value }))]);
      }
      await tb.marionette.send("WebDriver:ReleaseActions");
    },
    async type(text) {
      await send([...text].flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]));
    },
  };
}

// Finds the window showing the add-on page at pagePath, focuses it and types `keys` there
// through nsITextInputProcessor (what WebDriver actions use): real key events through that
// window's event handling, delivered to its focused page (Tab moves the focus, Enter presses).
const KEYS_IN_WINDOW = `
     const [pagePath, keys] = arguments;
     const host = WebExtensionPolicy.getByID("sealbird@sealbird.org").mozExtensionHostname;
     const find = () => {
       for (const win of Services.wm.getEnumerator(null))
         for (const b of win.document.querySelectorAll("browser"))
           if (b.currentURI?.spec.startsWith("moz-extension://" + host + "/" + pagePath)) return { win, b };
       return null;
     };
     const found = find();
     if (!found) throw new Error("no window shows " + pagePath);
     found.win.focus();
     found.b.focus();
     await new Promise((r) => setTimeout(r, 200));
     const tip = Cc["@mozilla.org/text-input-processor;1"].createInstance(Ci.nsITextInputProcessor);
     if (!tip.beginInputTransactionForTests(found.win)) throw new Error("no input transaction");
     for (const key of keys) {
       const ev = new found.win.KeyboardEvent("", { key, code: key, keyCode: { Escape: 27, Enter: 13, Tab: 9 }[key] ?? 0 });
       tip.keydown(ev);
       tip.keyup(ev);
       await new Promise((r) => setTimeout(r, 50));
     }`;

/** Types `keys` (KeyboardEvent key names: "Tab", "Enter") in the window that shows the add-on page at `pagePath`. */
export async function keysInWindow(tb, pagePath, keys) {
  return tb.marionette.run(KEYS_IN_WINDOW + `\n return true;`, [pagePath, keys]);
}

/**
 * Presses `key` (a KeyboardEvent key name: "Escape", "Enter") in the window that shows the
 * add-on page at `pagePath` (see keysInWindow). Returns whether the window closed within a few seconds.
 */
export async function pressInWindow(tb, pagePath, key) {
  return tb.marionette.run(
    KEYS_IN_WINDOW +
      `
     for (let i = 0; i < 50; i++) {
       if (!find()) return true;
       await new Promise((r) => setTimeout(r, 100));
     }
     return false;`,
    [pagePath, [key]],
  );
}

/**
 * Replaces Thunderbird's file dialog (the @mozilla.org/filepicker;1 component, in the parent
 * process where every page's file dialog is made) by one that picks `file` — what a user does
 * in the dialog. The page still opens it itself (its file input, pressed with Enter or
 * Space). Returns how many dialogs were opened since, via `fakeFilePicker.opened(tb)`.
 */
export async function fakeFilePicker(tb, file) {
  return tb.marionette.run(
    `const main = Services.wm.getMostRecentWindow("mail:3pane");
     if (!main.__sealbirdFilePicker) {
       const { FileUtils } = ChromeUtils.importESModule("resource://gre/modules/FileUtils.sys.mjs");
       const state = { path: "", opened: 0 };
       const make = () => {
         const chosen = new FileUtils.File(state.path);
         return {
           QueryInterface: ChromeUtils.generateQI(["nsIFilePicker"]),
           init() {}, appendFilters() {}, appendFilter() {}, appendRawFilter() {},
           defaultString: "", defaultExtension: "", filterIndex: 0, displayDirectory: null, displaySpecialDirectory: "",
           addToRecentDocs: false, okButtonLabel: "", capture: 0,
           get mode() { return Ci.nsIFilePicker.modeOpen; },
           get file() { return chosen; },
           get fileURL() { return Services.io.newFileURI(chosen); },
           get files() { return [chosen][Symbol.iterator](); },
           isModeSupported() { return true; },
           open(cb) { state.opened++; Services.tm.dispatchToMainThread(() => cb.done(Ci.nsIFilePicker.returnOK)); },
           close() {},
         };
       };
       Components.manager.QueryInterface(Ci.nsIComponentRegistrar).registerFactory(
         Components.ID("{4c3a1cf4-5d0e-4f4e-9a57-5f1b4d0a9e11}"), "Sealbird e2e file picker", "@mozilla.org/filepicker;1",
         { createInstance: (iid) => make().QueryInterface(iid), QueryInterface: ChromeUtils.generateQI(["nsIFactory"]) },
       );
       main.__sealbirdFilePicker = state;
     }
     main.__sealbirdFilePicker.path = arguments[0];
     return true;`,
    [file],
  );
}
fakeFilePicker.opened = (tb) => tb.marionette.run(`return Services.wm.getMostRecentWindow("mail:3pane").__sealbirdFilePicker?.opened ?? 0;`);

/** Downloads (backups, exported keys) go to `dir` without a question. */
export async function useDownloadDir(tb, dir) {
  await setPrefs(tb, {
    "browser.download.folderList": 2,
    "browser.download.dir": dir,
    "browser.download.useDownloadDir": true,
    "browser.download.always_ask_before_handling_new_types": false,
    "browser.download.start_downloads_in_tmp_dir": false,
  });
}
