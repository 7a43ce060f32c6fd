// Compose-side helpers for testing Sealbird's sending in a real Thunderbird (chrome context).
//
//   composeTabId(tb)                    -> the WebExtension tab id of the newest compose window
//   attachFile(tb, { name, bytes })     -> attaches a file to the newest compose window
//   trySend(tb)                         -> { sent: true } | { sent: false, error } (Thunderbird's
//                                          error prompt, closed) | { sent: false, held: notice }
//                                          (the composer stayed open with Sealbird's notification)
//   folderMessages(tb, "fcc" | "drafts") -> raw messages (Buffer[]) of the identity's Sent/Drafts
//                                          folder, read from its mbox file
//   composeWindowCount(tb)
//   composeActionBadge(tb, tabId, pred)  -> the compose action button's badge once pred(badge) holds
//   composeActionIcon(tb)                -> the compose action button's icon URL (CSS image)
//   openReply(tb, msg)                   -> opens a reply (to sender) to an imported message
//   openComposeFor(tb, msg, type, format) -> reply/forward of any kind, in a given composer format
//   composerContent(tb)                  -> editor HTML and text, Subject, To/Cc, attachments
//   composeControls(tb)                  -> Thunderbird's and Sealbird's crypto controls in the toolbar
//   waitForComposeView(tb, tabId, pred)  -> Sealbird's compose view (compose:get-view) once pred(view)

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ACCEPT_SEND_ERROR_PROMPT } from "./mail.mjs";
import { extensionCallOk } from "./sealbird.mjs";

const EXT_ID = "sealbird@sealbird.org";

export async function composeTabId(tb) {
  return tb.marionette.run(
    `const { ExtensionParent } = ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs");
     const ext = ExtensionParent.GlobalManager.getExtension(arguments[0]);
     const w = Services.wm.getMostRecentWindow("msgcompose");
     if (!w) throw new Error("no compose window");
     return ext.tabManager.getWrapper(w).id;`,
    [EXT_ID],
  );
}

export async function attachFile(tb, { name, bytes }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-att-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  await tb.marionette.run(
    `const [p, name] = arguments;
     const w = Services.wm.getMostRecentWindow("msgcompose");
     const f = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
     f.initWithPath(p);
     const a = Cc["@mozilla.org/messengercompose/attachment;1"].createInstance(Ci.nsIMsgAttachment);
     a.url = Services.io.newFileURI(f).spec;
     a.name = name;
     a.size = f.fileSize;
     await w.AddAttachments([a]);
     return w.gAttachmentBucket.itemCount;`,
    [file, name],
  );
  return file;
}

export async function composeWindowCount(tb) {
  return tb.marionette.run(`return [...Services.wm.getEnumerator("msgcompose")].length;`);
}

/** Sealbird's notification text in the newest compose window, or "". */
export async function composeNotice(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const n = w?.gComposeNotification?.getNotificationWithValue("sealbird-compose");
     if (!n) return "";
     return String(n.messageText?.textContent || n.label || n.getAttribute("label") || "");`,
  );
}

/**
 * Clicks Send in the newest compose window and waits for the outcome: the window closes
 * (sent), Thunderbird's error prompt (closed here), or Sealbird's notification appears while
 * the window stays open (held).
 */
export async function trySend(tb, { timeoutMs = 60_000 } = {}) {
  const before = await composeWindowCount(tb);
  await tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const n = w.gComposeNotification?.getNotificationWithValue("sealbird-compose");
     n?.close();
     w.setTimeout(() => w.goDoCommand("cmd_sendNow"), 0);
     return true;`,
  );
  return tb.waitFor(
    `const [before] = arguments;
     const wins = [...Services.wm.getEnumerator("msgcompose")];
     if (wins.length < before) return { sent: true };
     const error = ${ACCEPT_SEND_ERROR_PROMPT};
     if (error !== null) return { sent: false, error };
     const w = wins[wins.length - 1];
     const n = w?.gComposeNotification?.getNotificationWithValue("sealbird-compose");
     const text = n ? String(n.messageText?.textContent || n.label || "") : "";
     if (text && !w.gSendOperationInProgress) return { sent: false, held: text };
     return false;`,
    { args: [before], what: "send outcome (window closed, error prompt, or Sealbird's notice)", timeoutMs },
  );
}

/** Raw messages in the identity's Sent ("fcc") or Drafts folder (mbox file), oldest first. */
export async function folderMessages(tb, which) {
  const file = await tb.marionette.run(
    `const id = MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     const uri = arguments[0] === "fcc" ? id.fccFolderURI : id.draftsFolderURI;
     const folder = MailServices.folderLookup.getFolderForURL(uri);
     if (!folder) return null;
     try { folder.msgDatabase?.commit?.(Ci.nsMsgDBCommitType.kLargeCommit); } catch {}
     const p = folder.filePath?.path;
     return p && folder.filePath.exists() ? p : null;`,
    [which],
  );
  if (!file || !fs.existsSync(file)) return [];
  const text = fs.readFileSync(file).toString("latin1");
  return text
    .split(/^From [^\r\n]*\r?\n/m)
    .filter((m) => m.trim().length)
    .map((m) => Buffer.from(m, "latin1"));
}

/** Polls the compose action button's badge in the newest compose window until pred(badge). */
export async function composeActionBadge(tb, tabId, pred, { timeoutMs = 15_000 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await tb.marionette.run(
      `const w = Services.wm.getMostRecentWindow("msgcompose");
       const b = w?.document.querySelector('[data-extensionid="${EXT_ID}"]');
       return b ? (b.getAttribute("badge") ?? "") : null;`,
    );
    if (last !== null && pred(last)) return last;
    if (Date.now() > end) throw new Error(`compose button badge stayed ${JSON.stringify(last)} (tab ${tabId})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls Sealbird's compose view of a compose tab (what its popup shows) until pred(view) holds. */
export async function waitForComposeView(tb, tabId, pred, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await extensionCallOk(tb, { type: "compose:get-view", tabId });
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`compose view never matched: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Opens a reply/forward of an imported message (importEml's result) and waits for the composer:
 * `type` an nsIMsgCompType name (ReplyToSender, ReplyAll, ForwardInline, ForwardAsAttachment),
 * `format` an nsIMsgCompFormat name (Default = the identity's setting, HTML, PlainText).
 */
export async function openComposeFor(tb, msg, type = "ReplyToSender", format = "Default") {
  const before = await composeWindowCount(tb);
  await tb.marionette.run(
    `const [uri, type, format] = arguments;
     const hdr = MailServices.messageServiceFromURI(uri).messageURIToMsgHdr(uri);
     const identity = MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     MailServices.compose.OpenComposeWindow(null, hdr, uri, Ci.nsIMsgCompType[type], Ci.nsIMsgCompFormat[format], identity, null, null);
     return true;`,
    [msg.uri, type, format],
  );
  await tb.waitFor(
    `const wins = [...Services.wm.getEnumerator("msgcompose")];
     const w = wins[wins.length - 1];
     return wins.length > arguments[0] && !!(w && w.document.readyState == "complete" && w.gLoadingComplete && w.gMsgCompose?.editor);`,
    { args: [before], what: `${type} compose window ready`, timeoutMs: 20_000 },
  );
}

/** Opens a reply to the sender of an imported message (importEml's result) and waits for the composer. */
export async function openReply(tb, msg) {
  return openComposeFor(tb, msg, "ReplyToSender");
}

/**
 * What the newest composer holds: the editor's HTML, its text as Thunderbird would send it as
 * plain text, Subject, To/Cc, attachments (name, size, file path), and whether it edits HTML.
 */
export async function composerContent(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const editor = w?.gMsgCompose?.editor;
     if (!editor?.document?.body) return { html: "", text: "", subject: "", to: [], cc: [], attachments: [], isHtml: false };
     w.Recipients2CompFields(w.gMsgCompose.compFields);
     const list = (s) => (s ? MailServices.headerParser.parseEncodedHeaderW(s).map((a) => a.email) : []);
     return {
       html: editor.document.body.innerHTML,
       text: editor.outputToString("text/plain", Ci.nsIDocumentEncoder.OutputFormatted | Ci.nsIDocumentEncoder.OutputLFLineBreak),
       subject: w.document.getElementById("msgSubject").value,
       to: list(w.gMsgCompose.compFields.to),
       cc: list(w.gMsgCompose.compFields.cc),
       isHtml: !!w.gMsgCompose.composeHTML,
       attachments: [...w.gAttachmentBucket.itemChildren].map((i) => {
         const a = i.attachment;
         let path = null;
         try { path = Services.io.newURI(a.url).QueryInterface(Ci.nsIFileURL).file.path; } catch {}
         return { name: a.name, size: a.size, path, contentType: a.contentType };
       }),
     };`,
  );
}

/** Adds a To recipient in the newest composer, as typing it into the To row does. */
export async function addRecipient(tb, address) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     w.addressRowAddRecipientsArray(w.document.getElementById("addressRowTo"), [arguments[0]]);
     return true;`,
    [address],
  );
}

/**
 * Visible text of Sealbird's compose popup page (the action panel or the window Sealbird opens
 * when a send is held), once `pred(text)` holds. Extension pages are remote: a frame script in
 * the page's <browser> reads the document.
 */
export async function readComposePopup(tb, pred = (t) => t.length > 0, { timeoutMs = 15_000 } = {}) {
  return tb.waitFor(
    `const found = [];
     for (const w of Services.wm.getEnumerator(null)) {
       for (const b of w.document.querySelectorAll("browser")) {
         if (b.currentURI?.spec.includes("/ui/compose-popup.html") && !b.webProgress?.isLoadingDocument) found.push(b);
       }
     }
     const b = found[found.length - 1];
     if (!b) return false;
     const text = await new Promise((resolve) => {
       const name = "sealbird-e2e-compose:" + Math.random().toString(36).slice(2);
       const mm = b.messageManager;
       const timer = setTimeout(() => resolve(""), 5000);
       mm.addMessageListener(name, function on(m) { clearTimeout(timer); mm.removeMessageListener(name, on); resolve(m.data); });
       mm.loadFrameScript("data:," + encodeURIComponent("sendAsyncMessage(" + JSON.stringify(name) + ", content.document.body.innerText);"), false);
     });
     return text && (${pred.toString()})(text) ? text : false;`,
    { what: "Sealbird's compose popup text", timeoutMs },
  );
}

/** Clicks Sealbird's compose action button in the newest compose window (opens its popup). */
export async function clickComposeAction(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const b = w?.document.querySelector('[data-extensionid="${EXT_ID}"]');
     if (!b) return false;
     b.click();
     return true;`,
  );
}

/** Closes the windows Sealbird opened for a held send (its compose popup page). */
export async function closeSealbirdWindows(tb) {
  await tb.marionette.run(
    `for (const w of [...Services.wm.getEnumerator(null)]) {
       for (const b of w.document.querySelectorAll("browser")) {
         if (b.currentURI?.spec.includes("/ui/compose-popup.html")) { w.close(); break; }
       }
     }
     return true;`,
  );
}

/** Closes any open panel (the compose action's popup) in the newest compose window. */
export async function closePanels(tb) {
  return tb.marionette.run(
    `for (const p of Services.wm.getMostRecentWindow("msgcompose").document.querySelectorAll("panel")) if (p.state === "open") p.hidePopup(); return true;`,
  );
}

/** Opens the newest message of the identity's Drafts folder for editing (as double-clicking a draft does). */
export async function openDraft(tb) {
  await tb.marionette.run(
    `const id = MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     const folder = MailServices.folderLookup.getFolderForURL(id.draftsFolderURI);
     const hdrs = [...folder.msgDatabase.enumerateMessages()];
     const hdr = hdrs[hdrs.length - 1];
     const uri = folder.getUriForMsg(hdr);
     MailServices.compose.OpenComposeWindow(null, hdr, uri, Ci.nsIMsgCompType.Draft, Ci.nsIMsgCompFormat.Default, id, null, null);
     return uri;`,
  );
  await tb.waitFor(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     return !!(w && w.document.readyState == "complete" && w.gLoadingComplete && w.gMsgCompose?.editor);`,
    { what: "draft compose window ready", timeoutMs: 20_000 },
  );
}

/** The newest message of the identity's Sent ("fcc") or Drafts folder as { uri } for mail.displayMessage(). */
export async function lastMessage(tb, which) {
  return tb.marionette.run(
    `const id = MailServices.accounts.defaultAccount?.defaultIdentity ?? MailServices.accounts.allIdentities[0];
     const folder = MailServices.folderLookup.getFolderForURL(arguments[0] === "fcc" ? id.fccFolderURI : id.draftsFolderURI);
     const hdrs = [...folder.msgDatabase.enumerateMessages()];
     const hdr = hdrs[hdrs.length - 1];
     return { uri: folder.getUriForMsg(hdr), key: hdr.messageKey, folderURI: folder.URI, subject: hdr.mime2DecodedSubject };`,
    [which],
  );
}

/** The compose action button's label in the newest compose window. */
export async function composeActionLabel(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     return w?.document.querySelector('[data-extensionid="${EXT_ID}"]')?.getAttribute("label") ?? null;`,
  );
}

/** The compose action button's icon in the newest compose window (its --webextension-toolbar-image). */
export async function composeActionIcon(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const b = w?.document.querySelector('[data-extensionid="${EXT_ID}"]');
     return b ? w.getComputedStyle(b).getPropertyValue("--webextension-toolbar-image") || b.style.getPropertyValue("--webextension-toolbar-image") : null;`,
  );
}

/**
 * Who shows crypto controls in the newest compose window: Thunderbird's own (Encrypt, Sign,
 * the Security menu button, the menu bar's Security menu) and Sealbird's two buttons, each
 * `null` (not there) or { visible, display, checked, label, tooltip, disabled }. Visible = laid out
 * with a size; `display` = its computed CSS display ("none" when a style sheet hides it, whatever
 * Thunderbird's own `hidden` says — the menu bar's Security menu is hidden by Thunderbird itself
 * while no identity has its own OpenPGP or S/MIME set up).
 */
export async function composeControls(tb) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const read = (id) => {
       const el = w.document.getElementById(id);
       if (!el) return null;
       const display = w.getComputedStyle(el).display;
       const r = el.getBoundingClientRect();
       return {
         visible: display !== "none" && !el.hidden && r.width > 0 && r.height > 0,
         display,
         hidden: !!el.hidden,
         checked: el.hasAttribute("checked"),
         label: el.getAttribute("label") ?? "",
         tooltip: el.getAttribute("tooltiptext") ?? "",
         disabled: !!el.disabled,
       };
     };
     return {
       thunderbird: {
         encrypt: read("button-encryption"),
         sign: read("button-signing"),
         options: read("button-encryption-options"),
         menu: read("encryptionMenu"),
       },
       sealbird: { encrypt: read("sealbird-button-encrypt"), sign: read("sealbird-button-sign") },
     };`,
  );
}

/** Presses one of Sealbird's toolbar buttons ("encrypt" | "sign") in the newest compose window, as a click does. */
export async function pressSealbirdControl(tb, which) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const b = w.document.getElementById(arguments[0] === "encrypt" ? "sealbird-button-encrypt" : "sealbird-button-sign");
     if (!b) return false;
     b.doCommand();
     return true;`,
    [which],
  );
}

/** Chooses another of the account's identities as From in the newest compose window (as the From menu does). */
export async function chooseIdentity(tb, email) {
  return tb.marionette.run(
    `const w = Services.wm.getMostRecentWindow("msgcompose");
     const list = w.document.getElementById("msgIdentity");
     const item = [...list.menupopup.children].find((i) => i.getAttribute("identitykey") && MailServices.accounts.getIdentity(i.getAttribute("identitykey")).email === arguments[0]);
     if (!item) return false;
     list.selectedItem = item;
     w.LoadIdentity(false);
     return true;`,
    [email],
  );
}
