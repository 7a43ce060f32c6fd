// Chrome-context helpers that drive and read Thunderbird's mail UI through
// Marionette. Every function takes the `Thunderbird` object from
// thunderbird.mjs (its Marionette session must be in the chrome context,
// which launchThunderbird() leaves it in).
//
// Where things live in Thunderbird 128+ (checked against 153 ESR):
//   main window           Services.wm.getMostRecentWindow("mail:3pane")
//   3-pane tab document   tabmail.currentAbout3Pane              (about:3pane)
//   about:message         about3Pane.messageBrowser.contentWindow (a <browser>
//                         inside about:3pane; a message tab has its own)
//   message body browser  aboutMessage.getMessagePaneBrowser()
//                         = aboutMessage.document #messagepane   (non-remote,
//                         so its contentDocument is readable from chrome)
//   "message loaded"      aboutMessage.msgLoaded === true and
//                         aboutMessage.gMessage is the displayed nsIMsgDBHdr
//                         (the window also fires "MsgLoaded")
//   subject shown         aboutMessage.document #expandedsubjectBox
//   message display       aboutMessage.document #header-view-toolbar >
//     action button       #<widgetId>-messageDisplayAction-toolbarbutton,
//                         also [data-extensionid="<gecko id>"]; widgetId is
//                         the add-on id lower-cased with [^a-z0-9_-] -> "_".
//                         Attributes: label, tooltiptext (= title), badge
//                         (badge text; absent when empty), disabled; icon in
//                         the CSS custom property --webextension-toolbar-image.
//                         Updates are applied on requestAnimationFrame, so
//                         poll, don't read once.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "artifacts");

// Snippet prepended to remote scripts: common handles.
const PRELUDE = `
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { MailUtils } = ChromeUtils.importESModule("resource:///modules/MailUtils.sys.mjs");
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const tabmail = win.document.getElementById("tabmail");
  const localRoot = MailServices.accounts.localFoldersServer.rootFolder;
  const folderNamed = (name) => {
    const f = localRoot.getChildNamed(name);
    if (!f) throw new Error("no Local Folders folder named " + name);
    return f;
  };
  // The about:message window of the selected tab (3-pane or message tab).
  const aboutMessage = () => tabmail.currentAboutMessage;
`;

/** Runs `body` (async function body) in chrome with PRELUDE handles. */
function chrome(tb, body, args = []) {
  return tb.marionette.run(PRELUDE + body, args);
}

/**
 * Creates a Local Folders folder (no-op if it exists). Returns its URI.
 * @param {import("./thunderbird.mjs").Thunderbird} tb
 * @param {string} name
 */
export async function ensureFolder(tb, name) {
  return chrome(
    tb,
    `const [name] = arguments;
     let f = localRoot.getChildNamed(name);
     if (!f) {
       localRoot.createSubfolder(name, null);
       f = localRoot.getChildNamed(name);
     }
     return f.URI;`,
    [name],
  );
}

/**
 * Imports one RFC 822 message into a Local Folders folder with
 * MailServices.copy.copyFileMessage (the same path "File > Open Saved
 * Message > Copy to" and drag-and-drop of .eml use).
 * @param {import("./thunderbird.mjs").Thunderbird} tb
 * @param {Buffer|Uint8Array|string} eml  bytes, or a path to an .eml file
 * @param {{folder?: string}} [o]          default "Inbox"
 * @returns {Promise<{key:number, messageId:string, subject:string, uri:string, folderURI:string}>}
 */
export async function importEml(tb, eml, { folder = "Inbox" } = {}) {
  const bytes = typeof eml === "string" ? fs.readFileSync(eml) : Buffer.from(eml);
  // Hand the bytes over as a file in the profile (same machine).
  const tmpDir = path.join(tb.profileDir, "e2e-import");
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `msg-${Date.now()}-${Math.random().toString(36).slice(2)}.eml`);
  fs.writeFileSync(file, bytes);
  try {
    return await chrome(
      tb,
      `const [filePath, folderName] = arguments;
       const folder = folderNamed(folderName);
       const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
       file.initWithPath(filePath);
       let key = null;
       await new Promise((resolve, reject) => {
         MailServices.copy.copyFileMessage(file, folder, null, false, 0, "", {
           QueryInterface: ChromeUtils.generateQI(["nsIMsgCopyServiceListener"]),
           onStartCopy() {},
           onProgress() {},
           setMessageKey(k) { key = k; },
           getMessageId() { return null; },
           onStopCopy(status) {
             if (Components.isSuccessCode(status)) resolve();
             else reject(new Error("copyFileMessage failed: 0x" + status.toString(16)));
           },
         }, null);
       });
       if (key === null) throw new Error("copyFileMessage did not report a message key");
       const hdr = folder.msgDatabase.getMsgHdrForKey(key);
       return {
         key,
         messageId: hdr.messageId,
         subject: hdr.mime2DecodedSubject,
         uri: folder.getUriForMsg(hdr),
         folderURI: folder.URI,
       };`,
      [file, folder],
    );
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Shows a message in the first (3-pane) tab: selects its folder and the
 * message, exactly like a user click. Resolves when about:message reports
 * the message loaded and the message pane document is complete.
 * @param {import("./thunderbird.mjs").Thunderbird} tb
 * @param {{uri: string}} msg   from importEml()
 * @returns {Promise<{ms: number}>} time from request to loaded
 */
export async function displayMessage(tb, msg, { timeoutMs = 20_000 } = {}) {
  const t0 = Date.now();
  await chrome(
    tb,
    `const [uri] = arguments;
     const hdr = MailServices.messageServiceFromURI(uri).messageURIToMsgHdr(uri);
     tabmail.switchToTab(0);
     MailUtils.displayMessageInFolderTab(hdr);
     return true;`,
    [msg.uri],
  );
  await waitForDisplayed(tb, msg, { timeoutMs });
  return { ms: Date.now() - t0 };
}

/**
 * Opens the message in a new message tab (what double-click does with the
 * default mail.openMessageBehavior) and waits until it is displayed there.
 * The tab becomes the selected one, so the read* helpers read from it.
 * @returns {Promise<{ms: number, tabIndex: number}>}
 */
export async function displayMessageInTab(tb, msg, { timeoutMs = 20_000 } = {}) {
  const t0 = Date.now();
  const tabIndex = await chrome(
    tb,
    `const [uri] = arguments;
     tabmail.openTab("mailMessageTab", { messageURI: uri, background: false });
     return tabmail.tabInfo.length - 1;`,
    [msg.uri],
  );
  await waitForDisplayed(tb, msg, { timeoutMs });
  return { ms: Date.now() - t0, tabIndex };
}

/** Closes every tab but the first (3-pane) one and selects that. */
export async function closeOtherTabs(tb) {
  return chrome(
    tb,
    `let n = 0;
     for (const t of [...tabmail.tabInfo].slice(1)) { tabmail.closeTab(t); n++; }
     tabmail.switchToTab(0);
     return n;`,
  );
}

/** Waits until the selected tab's about:message shows `msg` (by URI). */
export async function waitForDisplayed(tb, msg, { timeoutMs = 20_000 } = {}) {
  await tb.waitFor(
    PRELUDE +
      `const [uri] = arguments;
       const am = aboutMessage();
       if (!am || !am.msgLoaded || !am.gMessage) return false;
       if (am.gMessage.folder.getUriForMsg(am.gMessage) != uri) return false;
       const doc = am.getMessagePaneBrowser()?.contentDocument;
       if (!doc || doc.documentElement?.hasAttribute("data-e2e-stale")) return false;
       return !!(doc.readyState == "complete" && doc.body);`,
    { args: [msg.uri], timeoutMs, what: `message ${msg.uri} to be displayed` },
  );
}

/**
 * What the user sees of the displayed message.
 * @returns {Promise<{subject:string, title:string, notifications:string[], bodyText:string, bodyHtml:string, url:string}>}
 */
export async function readDisplayedMessage(tb) {
  return chrome(
    tb,
    `const am = aboutMessage();
     const doc = am.getMessagePaneBrowser().contentDocument;
     const subjectBox = am.document.getElementById("expandedsubjectBox");
     // <div is="simple-header-row">: span.row-heading ("Subject") + value span
     const subjectValue = subjectBox?.querySelector(":scope > span:not(.row-heading)");
     const bar = am.gMessageNotificationBar?.msgNotificationBar;
     return {
       subject: subjectValue?.textContent.trim() ?? "",
       title: am.document.title,
       // values of the notification bars above the message, e.g.
       // "remoteContent" when Thunderbird blocked remote content
       notifications: (bar?.allNotifications ?? []).map((n) => n.getAttribute("value") ?? n.value),
       bodyText: doc.body ? doc.body.innerText ?? doc.body.textContent : "",
       bodyHtml: doc.body ? doc.body.innerHTML : "",
       url: doc.URL,
     };`,
  );
}

/**
 * Does what the user's "Allow remote content in this message" does (sets
 * the per-message remoteContentPolicy and reloads), then waits for the
 * reload. Used as the leak detector's positive control.
 */
export async function allowRemoteContentForDisplayedMessage(tb, msg, { timeoutMs = 20_000 } = {}) {
  await markPaneStale(tb);
  await chrome(tb, `aboutMessage().LoadMsgWithRemoteContent(); return true;`);
  await waitForDisplayed(tb, msg, { timeoutMs });
}

/**
 * Stamps the current message pane document so that waitForDisplayed() only
 * accepts a *new* document (use before anything that reloads the message).
 */
export async function markPaneStale(tb) {
  return chrome(
    tb,
    `const doc = aboutMessage()?.getMessagePaneBrowser()?.contentDocument;
     doc?.documentElement?.setAttribute("data-e2e-stale", "1");
     return !!doc;`,
  );
}

/**
 * Polls until the message pane body text matches `re`; returns the text.
 */
export async function waitForBodyText(tb, re, { timeoutMs = 15_000 } = {}) {
  return tb.waitFor(
    PRELUDE +
      `const [src, flags] = arguments;
       const doc = aboutMessage()?.getMessagePaneBrowser()?.contentDocument;
       const text = doc?.body ? doc.body.innerText ?? doc.body.textContent : "";
       return new RegExp(src, flags).test(text) ? text : false;`,
    { args: [re.source, re.flags], timeoutMs, what: `message body matching ${re}` },
  );
}

/** makeWidgetId() from Gecko's ExtensionCommon. */
export function widgetId(extensionId) {
  return extensionId.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
}

/**
 * Reads an add-on's message display action button in the selected tab's
 * about:message. Returns null if the button is not in the DOM.
 * @returns {Promise<null|{id:string, label:string, title:string, badge:string|null, disabled:boolean, icon:string, hidden:boolean}>}
 */
export async function readMessageDisplayAction(tb, extensionId) {
  return chrome(
    tb,
    `const [extId] = arguments;
     const doc = aboutMessage()?.document;
     const btn = doc?.querySelector('#header-view-toolbar [data-extensionid="' + CSS.escape(extId) + '"]');
     if (!btn) return null;
     const icon = btn.style.getPropertyValue("--webextension-toolbar-image");
     const m = /url\\("([^"]+)"\\)/.exec(icon);
     return {
       id: btn.id,
       label: btn.getAttribute("label"),
       title: btn.getAttribute("tooltiptext"),
       badge: btn.getAttribute("badge"),
       disabled: btn.hasAttribute("disabled"),
       hidden: btn.hidden || btn.getBoundingClientRect().width == 0,
       icon: m ? m[1] : icon,
     };`,
    [extensionId],
  );
}

/**
 * Polls readMessageDisplayAction() until `pred(state)` is true; returns it.
 */
export async function waitForMessageDisplayAction(tb, extensionId, pred, { timeoutMs = 15_000, what } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await readMessageDisplayAction(tb, extensionId);
    if (last && pred(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what ?? "message display action state"} of ${extensionId}; last: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The add-on's message display action state that applies when no per-tab
 * value is set (what setTitle/setBadgeText without tabId change). Read from
 * the parent-process API object, so it works before any message is shown.
 * @returns {Promise<null|{title:string, label:string, badgeText:string, enabled:boolean}>}
 */
export async function readMessageDisplayActionDefaults(tb, extensionId) {
  return tb.marionette.run(
    `const [id] = arguments;
     const { ExtensionParent } = ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs");
     const ext = WebExtensionPolicy.getByID(id)?.extension;
     const api = ext && ExtensionParent.apiManager.global.messageDisplayAction?.for(ext);
     if (!api) return null;
     const g = api.globals;
     return { title: g.title, label: g.label, badgeText: g.badgeText, enabled: g.enabled };`,
    [extensionId],
  );
}

/**
 * Waits until the add-on with this id is installed, enabled and its
 * background page has started.
 */
export async function waitForAddon(tb, extensionId, { timeoutMs = 30_000 } = {}) {
  return tb.waitFor(
    `const [id] = arguments;
     const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     const addon = await AddonManager.getAddonByID(id);
     if (!addon) return false;
     if (!addon.isActive) return false;
     const policy = WebExtensionPolicy.getByID(id);
     const ext = policy?.extension;
     if (!ext) return false;
     // ext.backgroundState: "stopped" | "starting" | "running" | "suspending"
     if (ext.backgroundState && ext.backgroundState != "running") return false;
     return { id, version: addon.version, name: addon.name, background: ext.backgroundState ?? "?" };`,
    { args: [extensionId], timeoutMs, what: `add-on ${extensionId} to start` },
  );
}

/** Lists installed add-ons (id, name, isActive, type) - for diagnostics. */
export async function listAddons(tb) {
  return tb.marionette.run(
    `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
     const all = await AddonManager.getAllAddons();
     return all.map((a) => ({ id: a.id, name: a.name, type: a.type, isActive: a.isActive, appDisabled: a.appDisabled, userDisabled: a.userDisabled, signedState: a.signedState }));`,
  );
}

/**
 * Saves a PNG of the whole main window to test/e2e/artifacts/NAME.png.
 * @returns {Promise<{file: string, bytes: number}>}
 */
export async function screenshot(tb, name) {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const png = await tb.marionette.screenshot();
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]/g, "_")}.png`);
  fs.writeFileSync(file, png);
  return { file, bytes: png.length };
}

/**
 * Opens a real compose window (identity id1 = Alice unless `identityEmail`),
 * fills it and waits until the editor is ready. Returns nothing; the window
 * is the most recent "msgcompose" window.
 * @param {{to:string, subject:string, body:string, identityEmail?:string, html?:boolean}} o
 */
export async function openCompose(tb, { to, subject, body, identityEmail, html = false }) {
  await chrome(
    tb,
    `const [o] = arguments;
     const before = [...Services.wm.getEnumerator("msgcompose")];
     const fields = Cc["@mozilla.org/messengercompose/composefields;1"].createInstance(Ci.nsIMsgCompFields);
     fields.to = o.to;
     fields.subject = o.subject;
     fields.body = o.body;
     const params = Cc["@mozilla.org/messengercompose/composeparams;1"].createInstance(Ci.nsIMsgComposeParams);
     params.composeFields = fields;
     params.type = Ci.nsIMsgCompType.New;
     params.format = o.html ? Ci.nsIMsgCompFormat.HTML : Ci.nsIMsgCompFormat.PlainText;
     params.identity = o.identityEmail
       ? MailServices.accounts.allIdentities.find((i) => i.email == o.identityEmail)
       : MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     MailServices.compose.OpenComposeWindowWithParams(null, params);
     return before.length;`,
    [{ to, subject, body, identityEmail, html }],
  );
  await tb.waitFor(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     return !!(w && w.document.readyState == "complete" && w.gLoadingComplete && w.gMsgCompose?.editor);`,
    { what: "compose window ready", timeoutMs: 20_000 },
  );
}

/**
 * Chrome-script expression for a send's failure: Thunderbird shows a common dialog (alert),
 * either as its own window or as a window-modal sub-dialog inside the compose window. The
 * prompt is closed and the expression is its text; null while there is none. Shared with
 * compose.mjs's trySend so both read a failed send the same way.
 */
export const ACCEPT_SEND_ERROR_PROMPT = `(() => {
     const docs = [];
     for (const w of Services.wm.getEnumerator(null)) {
       docs.push(w.document);
       for (const bc of w.browsingContext.getAllBrowsingContextsInSubtree()) {
         if (bc.window && bc.window.document != w.document) docs.push(bc.window.document);
       }
     }
     for (const d of docs) {
       if (d.documentURI.startsWith("chrome://global/content/commonDialog.xhtml")) {
         // The dialog document exists before its text is filled in: poll on.
         const text = d.getElementById("infoBody")?.textContent ?? "";
         if (d.readyState != "complete" || !text) continue;
         d.querySelector("dialog")?.acceptDialog();
         return text;
       }
     }
     return null;
   })()`;

/**
 * Clicks "Send" (cmd_sendNow) in the most recent compose window. Resolves
 * when the window has closed (sent) or an error prompt appeared (returns its
 * text). Error prompts (e.g. SMTP refused) are closed automatically.
 * @returns {Promise<{sent: boolean, error?: string}>}
 */
export async function sendCompose(tb, { timeoutMs = 30_000 } = {}) {
  await chrome(
    tb,
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     // Send asynchronously: a failure alert would otherwise block this call.
     w.setTimeout(() => w.goDoCommand("cmd_sendNow"), 0);
     return true;`,
  );
  return tb.waitFor(
    `// Success: no compose window left.
     if (![...Services.wm.getEnumerator("msgcompose")].length) return { sent: true };
     const error = ${ACCEPT_SEND_ERROR_PROMPT};
     if (error !== null) return { sent: false, error };
     return false;`,
    { what: "send to finish (compose window closed or error prompt)", timeoutMs },
  );
}

/** Closes every compose window without saving (after a failed send). */
export async function closeComposeWindows(tb) {
  return chrome(
    tb,
    `let n = 0;
     for (const w of [...Services.wm.getEnumerator("msgcompose")]) {
       w.gMsgCompose && (w.gMsgCompose.bodyModified = false);
       w.gContentChanged = false;
       w.close();
       n++;
     }
     // Closed means gone: a closing window is still "most recent" for a while.
     for (let i = 0; i < 100 && [...Services.wm.getEnumerator("msgcompose")].length > 0; i++) {
       await new Promise((r) => setTimeout(r, 100));
     }
     return n;`,
  );
}

/**
 * Screenshot of another top-level window, chosen by its windowtype
 * ("msgcompose", "mail:messageWindow", ...): switches Marionette to it,
 * captures, switches back. Throws if no such window is open.
 */
export async function screenshotWindow(tb, name, windowType) {
  const m = tb.marionette;
  const original = await m.windowHandle();
  try {
    for (const h of await m.windowHandles()) {
      await m.switchToWindow(h);
      const type = await m.execute(`return document.documentElement.getAttribute("windowtype");`);
      if (type === windowType) return await screenshot(tb, name);
    }
    throw new Error(`no open window of type ${windowType}`);
  } finally {
    await m.switchToWindow(original);
  }
}

/** Sets prefs in the running Thunderbird ({name: bool|number|string}). */
export async function setPrefs(tb, prefs) {
  return tb.marionette.run(
    `const [prefs] = arguments;
     for (const [k, v] of Object.entries(prefs)) {
       if (typeof v == "boolean") Services.prefs.setBoolPref(k, v);
       else if (typeof v == "number") Services.prefs.setIntPref(k, v);
       else Services.prefs.setStringPref(k, v);
     }
     return true;`,
    [prefs],
  );
}
