/* global ExtensionCommon, ChromeUtils, Services, Components, Cc, Cr, Ci */
/**
 * compose-secure experiment: lets Sealbird's background sign/encrypt the message Thunderbird
 * is sending or saving, the way Thunderbird's own OpenPGP does (mimeEncrypt.sys.mjs): through
 * an nsIMsgComposeSecure object in gMsgCompose.compFields.composeSecure.
 *
 *   configure(tabId, { active, sign, encrypt, messages })  arm/disarm one compose window
 *   notify(tabId, text, level)                             a notification bar in that window
 *   ownCrypto(tabId)                                       Thunderbird's own toggles
 *   sendNow(tabId)                                         presses the composer's Send (after a choice in our window)
 *   draftMessageId(tabId)                                  the draft a composer was opened from (messages API id) or null
 *   onEncapsulate(tabId, request) -> { ok, entity? , message? }   (persistent event)
 *
 * Flow for an armed window: Thunderbird dispatches `compose-send-message` (sends and draft
 * saves, after its own crypto set-up). We then install our composeSecure; Thunderbird writes
 * the outer header fields itself, calls beginCryptoEncapsulation(…, headers, …, isDraft) and
 * streams the complete inner MIME entity into mimeCryptoWriteBlock. finishCryptoEncapsulation
 * hands the bytes to the background (onEncapsulate), spins the event loop until it answers
 * (Thunderbird does not await this call), and writes the protected entity (its Content-Type,
 * blank line, body) after the outer header fields. Any failure or a timeout throws
 * NS_ERROR_ABORT: Thunderbird then sends and stores nothing, and the composer stays open;
 * the reason is shown in the composer's notification bar.
 *
 * Runs in the parent process. Plain JS, kept small on purpose: every decision about keys,
 * recipients and formats is made in the background (src/background/compose).
 */
"use strict";

const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;
const { setTimeout, clearTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");

const ENCAPSULATE_TIMEOUT_MS = 120_000;
const NOTIFICATION_ID = "sealbird-compose";

/** @typedef {{ active: boolean, sign: boolean, encrypt: boolean, messages: Record<string, string> }} Config */
/** @typedef {{ tabId: number, config: Config, onSend: (e: Event) => void, original: unknown }} WindowState */

/** Per extension: the windows we armed and the onEncapsulate listeners. */
const perExtension = new WeakMap();

function stateOf(extension) {
  let s = perExtension.get(extension);
  if (!s) {
    s = { windows: new Map(), listeners: new Set(), nextId: 1 };
    perExtension.set(extension, s);
  }
  return s;
}

/** The compose window (ChromeWindow, windowtype msgcompose) behind a tab id. */
function composeWindow(extension, tabId) {
  const tab = extension.tabManager.get(tabId);
  const native = tab.nativeTab;
  const win = native?.gMsgCompose ? native : native?.ownerGlobal;
  if (!win?.gMsgCompose) throw new ExtensionError(`Tab ${tabId} is not a compose window`);
  return win;
}

/**
 * Binary string (one char per byte) → bytes, and back in chunks (no call-stack limits).
 * Bytes: a string input stream takes the string as a byte string (XPConnect copies it
 * natively, keeping each char's low byte) and nsIBinaryInputStream reads it into one
 * ArrayBuffer: no per-character loop (over a second for a 10 MB attachment in Debian's
 * Thunderbird, which runs scripts without a JIT) and no base64 detour (btoa + fromBase64 was
 * still 0.3 s).
 */
function bytesOf(str) {
  const input = Cc["@mozilla.org/io/string-input-stream;1"].createInstance(Ci.nsIStringInputStream);
  input.setByteStringData(str);
  const binary = Cc["@mozilla.org/binaryinputstream;1"].createInstance(Ci.nsIBinaryInputStream);
  binary.setInputStream(input);
  const buffer = new ArrayBuffer(str.length);
  const read = str.length ? binary.readArrayBuffer(str.length, buffer) : 0;
  return new Uint8Array(buffer, 0, read);
}
function writeBytes(stream, bytes) {
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const s = String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
    stream.write(s, s.length);
  }
}

function showNotice(win, text, level = "warning") {
  const box = win.gComposeNotification;
  if (!box) return;
  box.getNotificationWithValue(NOTIFICATION_ID)?.close();
  const priority = level === "info" ? box.PRIORITY_INFO_MEDIUM : box.PRIORITY_CRITICAL_MEDIUM;
  void box.appendNotification(NOTIFICATION_ID, { label: text, priority }, []);
}

/**
 * Our nsIMsgComposeSecure. One instance per send/save attempt; restores the previous
 * composeSecure (Thunderbird's S/MIME object) when done, so a later send without Sealbird
 * gets Thunderbird's own behaviour back.
 */
class SealbirdComposeSecure {
  constructor({ win, extState, state, msgType, subject, saveOnly }) {
    this.win = win;
    this.extState = extState;
    this.state = state;
    this.msgType = msgType;
    this.subject = subject;
    this.saveOnly = saveOnly;
    this.chunks = [];
    this.wrappedJSObject = this;
    this.signMessage = state.config.sign;
    this.requireEncryptMessage = state.config.encrypt;
    this.signFormat = "";
    this.QueryInterface = ChromeUtils.generateQI(["nsIMsgComposeSecure"]);
  }

  requiresCryptoEncapsulation() {
    return true;
  }

  beginCryptoEncapsulation(outStream, recipients, compFields, headers, identity, sendReport, isDraft) {
    this.outStream = outStream;
    this.recipients = recipients;
    this.headers = headers;
    this.isDraft = isDraft;
    this.from = compFields.from;
    this.identityEmail = identity?.email ?? "";
  }

  mimeCryptoWriteBlock(buffer, length) {
    this.chunks.push(length === buffer.length ? buffer : buffer.substr(0, length));
  }

  finishCryptoEncapsulation(abort) {
    try {
      if (abort) return;
      const request = {
        id: this.extState.nextId++,
        msgType: this.msgType,
        // Thunderbird's isDraft covers "save as draft"; saveOnly every save (draft, Ctrl+S).
        isDraft: !!this.isDraft,
        saveOnly: this.saveOnly,
        sign: this.signMessage,
        encrypt: this.requireEncryptMessage,
        from: this.from,
        identityEmail: this.identityEmail,
        recipients: this.recipients,
        headers: this.headers,
        subject: this.subject,
        entity: bytesOf(this.chunks.join("")),
      };
      this.chunks = [];
      const answer = waitFor(this.extState, this.state.tabId, request);
      // The answer is a structured clone from the background: its Uint8Array belongs to
      // another global, so `instanceof` would be false; ArrayBuffer.isView is not fooled.
      if (!answer?.ok || !ArrayBuffer.isView(answer.entity)) {
        const text = answer?.message || this.state.config.messages.failed || "Sealbird could not protect this message.";
        showNotice(this.win, text, "warning");
        throw Components.Exception(text, Cr.NS_ERROR_ABORT);
      }
      writeBytes(this.outStream, new Uint8Array(answer.entity));
    } finally {
      restore(this.win, this.state);
    }
  }
}

/** Fires onEncapsulate and spins the event loop until a listener answered or time ran out. */
function waitFor(extState, tabId, request) {
  const listeners = [...extState.listeners];
  if (!listeners.length) return { ok: false, message: "" }; // background not listening: abort
  let done = false;
  let answer;
  const timer = setTimeout(() => {
    done = true;
  }, ENCAPSULATE_TIMEOUT_MS);
  Promise.resolve()
    .then(() => listeners[0](tabId, request))
    .then(
      (value) => {
        answer = value;
      },
      (e) => {
        answer = { ok: false, message: String(e?.message ?? "") };
      },
    )
    .finally(() => {
      done = true;
    });
  Services.tm.spinEventLoopUntil("sealbird:compose-secure", () => done);
  clearTimeout(timer);
  return answer;
}

function restore(win, state) {
  const fields = win.gMsgCompose?.compFields;
  if (fields && fields.composeSecure?.wrappedJSObject instanceof SealbirdComposeSecure) {
    fields.composeSecure = state.original ?? win.gSMFields ?? null;
  }
}

function isOurs(cs) {
  return !!cs && cs.wrappedJSObject instanceof SealbirdComposeSecure;
}

/** The compose-send-message handler of one armed window. */
function makeOnSend(win, extState, state) {
  return (event) => {
    const fields = win.gMsgCompose.compFields;
    if (isOurs(fields.composeSecure)) fields.composeSecure = state.original ?? win.gSMFields ?? null;
    else state.original = fields.composeSecure;
    const { config } = state;
    if (!config.active || (!config.sign && !config.encrypt)) return;
    const msgType = event.detail?.msgType;
    const M = Ci.nsIMsgCompDeliverMode;
    const draft = msgType === M.SaveAsDraft || msgType === M.AutoSaveAsDraft || msgType === M.Save;
    if (msgType === M.SaveAsTemplate) return;
    // A draft is only protected when it is encrypted (to the sender); it is never signed.
    if (draft && !config.encrypt) return;
    if (win.gSendEncrypted || win.gSendSigned) {
      // Thunderbird's own OpenPGP/S/MIME is on too: never process twice; the user decides.
      event.preventDefault();
      showNotice(win, config.messages.conflict || "Thunderbird's own encryption is on as well.", "warning");
      return;
    }
    const subject = fields.subject;
    // The outer header fields are written by Thunderbird before we see the content: obscure
    // the Subject now (RFC 9788); the real one goes inside the encrypted part.
    if (config.encrypt) fields.subject = "[...]";
    // 7-bit transfer encodings for the signed content (RFC 3156 5., RFC 8551 3.1.3).
    fields.forceMsgEncoding = true;
    fields.composeSecure = new SealbirdComposeSecure({ win, extState, state, msgType, subject, saveOnly: draft });
  };
}

this.composeSecure = class extends ExtensionCommon.ExtensionAPIPersistent {
  PERSISTENT_EVENTS = {
    onEncapsulate({ fire }) {
      const extState = stateOf(this.extension);
      const listener = async (tabId, request) => {
        if (fire.wakeup) await fire.wakeup();
        return fire.async(tabId, request);
      };
      extState.listeners.add(listener);
      return {
        unregister: () => extState.listeners.delete(listener),
        convert(newFire) {
          fire = newFire;
        },
      };
    },
  };

  onShutdown() {
    const extState = perExtension.get(this.extension);
    if (!extState) return;
    for (const [win, state] of extState.windows) {
      win.removeEventListener("compose-send-message", state.onSend, true);
      restore(win, state);
    }
    extState.windows.clear();
  }

  getAPI(context) {
    const { extension } = context;
    const extState = stateOf(extension);
    return {
      composeSecure: {
        async configure(tabId, config) {
          const win = composeWindow(extension, tabId);
          let state = extState.windows.get(win);
          if (!state) {
            state = { tabId, config, original: null, onSend: null };
            state.onSend = makeOnSend(win, extState, state);
            // Capture phase: we run before other listeners see the event's outcome.
            win.addEventListener("compose-send-message", state.onSend, true);
            win.addEventListener("unload", () => extState.windows.delete(win), { once: true });
            extState.windows.set(win, state);
          }
          state.tabId = tabId;
          state.config = { active: !!config.active, sign: !!config.sign, encrypt: !!config.encrypt, messages: config.messages ?? {} };
        },
        async notify(tabId, text, level) {
          const win = composeWindow(extension, tabId);
          if (text) showNotice(win, text, level);
          else win.gComposeNotification?.getNotificationWithValue(NOTIFICATION_ID)?.close();
        },
        async sendNow(tabId) {
          // The user's explicit choice in Sealbird's window ("… and send"): the same command as
          // the composer's Send button, so every check (onBeforeSend included) runs again.
          const win = composeWindow(extension, tabId);
          win.setTimeout(() => win.goDoCommand("cmd_sendNow"), 0);
        },
        async draftMessageId(tabId) {
          // A composer opened from a draft knows the draft's URI (compFields.draftId); the
          // compose API's relatedMessageId is empty for drafts.
          const win = composeWindow(extension, tabId);
          try {
            const uri = win.gMsgCompose.compFields.draftId;
            if (!uri) return null;
            const hdr = win.gMessenger.msgHdrFromURI(uri.replace(/\?.*$/, ""));
            return extension.messageManager.convert(hdr)?.id ?? null;
          } catch {
            return null;
          }
        },
        async ownCrypto(tabId) {
          const win = composeWindow(extension, tabId);
          return { encrypt: !!win.gSendEncrypted, sign: !!win.gSendSigned, technology: win.gSelectedTechnologyIsPGP ? "OpenPGP" : "S/MIME" };
        },
        onEncapsulate: new ExtensionCommon.EventManager({
          context,
          module: "composeSecure",
          event: "onEncapsulate",
          extensionApi: this,
        }).api(),
      },
    };
  }
};
