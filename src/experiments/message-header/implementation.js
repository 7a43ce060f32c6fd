/* global ExtensionCommon, ChromeUtils, Ci */
/**
 * message-header experiment: Thunderbird's message header for messages Sealbird handled.
 *
 * claim(tabId, messageId, { subject })
 *   Sealbird decrypted, verified or refused the message shown in the tab. For that message
 *   Thunderbird's own security indicator in the header (#cryptoBox, set through
 *   about:message's global setMessageCryptoBox by both its S/MIME and OpenPGP code) stays
 *   hidden and its OpenPGP "decryptionFailed" bar is removed and not shown again, so the user
 *   sees one verdict: Sealbird's. The protected Subject replaces "[...]" in the header pane
 *   and the document (tab/window) title, the way Thunderbird's own OpenPGP shows it
 *   (enigmailMsgHdrViewOverlay.js setSubject), but nothing is written to the message index.
 *   A claim holds for that message URI only: the next message shown is Thunderbird's again.
 * ownView(tabId)
 *   Thunderbird's own verdict (S/MIME gSignatureStatus/gEncryptionStatus, OpenPGP
 *   Enigmail.hdrView states) for Sealbird's details page.
 * setListSubject(messageId, subject)
 *   What Thunderbird's OpenPGP does unconditionally for a decrypted protected Subject
 *   (mimeDecrypt.sys.mjs updateHeadersInMsgDb): the Subject goes into the message index
 *   (the folder's .msf file on disk). Sealbird does it only when the user's setting says so.
 * skipOwnOpenPGP(keyIds)
 *   Thunderbird's OpenPGP (MimeDecryptHandler in mimeDecrypt.sys.mjs) buffers every PGP/MIME
 *   message and hands it to RNP; for a message only Sealbird can decrypt that costs seconds
 *   on a large message and ends in the "secret key not available" bar. We wrap the handler's
 *   cacheData: as soon as the first kilobytes of the armored message are there, its PKESK
 *   packets name the recipients' key IDs. Encrypted to a Sealbird key and to no secret key
 *   Thunderbird's own keyring has, the handler stops (initOk = false, as when it was never
 *   initialised): no further buffering, no RNP call, no status, no bar. Anything unclear
 *   (no PKESK, a wildcard recipient, a password packet, RNP unavailable) stays Thunderbird's.
 *
 * Everything is undone when the add-on stops: wrappers removed, hidden indicators shown,
 * subjects back to the message index's.
 */
"use strict";

// All experiments of an add-on share one global: this one keeps its names in a block.
{
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;

  /** Notification values of Thunderbird's OpenPGP that contradict a Sealbird verdict. */
  const DROPPED_NOTIFICATIONS = new Set(["decryptionFailed"]);

  /** about:message window → { original setMessageCryptoBox, box, claim: { uri, subject } }. */
  const windows = new Map();

  function subjectOf(about) {
    const hdr = about.gMessage;
    if (!hdr) return "";
    const base = hdr.mime2DecodedSubject || "";
    return hdr.flags & Ci.nsMsgMessageFlags.HasRe ? `Re: ${base}` : base;
  }

  function setSubject(about, subject) {
    const row = about.document.getElementById("expandedsubjectBox");
    if (row) row.headerValue = subject;
    if (about.currentHeaderData?.subject) about.currentHeaderData.subject.headerValue = subject;
    about.document.title = subject;
  }

  function claimed(about) {
    const w = windows.get(about);
    return w?.claim && w.claim.uri === about.gMessageURI ? w.claim : null;
  }

  function wrap(about) {
    let w = windows.get(about);
    if (w) return w;
    const original = about.setMessageCryptoBox;
    const box = about.gMessageNotificationBar?.msgNotificationBar ?? null;
    w = { original, box, claim: null };
    windows.set(about, w);
    if (typeof original === "function") {
      about.setMessageCryptoBox = function (...args) {
        if (claimed(about)) return original.call(this, null, null, null, false);
        return original.apply(this, args);
      };
    }
    if (box) {
      const append = box.appendNotification;
      box.appendNotification = function (value, ...rest) {
        if (claimed(about) && DROPPED_NOTIFICATIONS.has(value)) return Promise.resolve(null);
        return append.call(this, value, ...rest);
      };
    }
    about.addEventListener("unload", () => windows.delete(about), { once: true });
    return w;
  }

  function unwrapAll() {
    for (const [about, w] of windows) {
      try {
        const had = claimed(about);
        if (typeof w.original === "function") about.setMessageCryptoBox = w.original;
        if (w.box) delete w.box.appendNotification;
        // Thunderbird's own indicator comes back with the next message it reports on; the
        // subject of the message shown goes back to the index's at once.
        if (had?.subject !== undefined) setSubject(about, subjectOf(about));
      } catch {
        // window already gone
      }
    }
    windows.clear();
  }

  /** The about:message window showing a tab's message (3-pane tab, message tab or window). */
  function aboutMessageOf(extension, tabId) {
    const native = extension.tabManager.get(tabId).nativeTab;
    const content = native?.chromeBrowser?.contentWindow ?? native?.messageBrowser?.contentWindow ?? null;
    const about = content?.messageBrowser?.contentWindow ?? content;
    if (!about?.gMessageNotificationBar) throw new ExtensionError(`Tab ${tabId} shows no message`);
    return about;
  }

  function sameMessage(a, b) {
    return !!a && !!b && a.messageKey === b.messageKey && a.folder?.URI === b.folder?.URI;
  }

  // ---- Thunderbird's own verdict -------------------------------------------------------

  function smimeSignature(status) {
    const E = Ci.nsICMSMessageErrors;
    if (status === undefined || status === -1) return "none";
    if (status === E.SUCCESS) return "valid";
    if (status === E.VERIFY_HEADER_MISMATCH || status === E.VERIFY_CERT_WITHOUT_ADDRESS) return "mismatch";
    if (status === E.VERIFY_NOT_YET_ATTEMPTED) return "unknown";
    if (status === E.VERIFY_UNTRUSTED || status === E.VERIFY_ERROR_UNVERIFIED) return "untrusted";
    return "invalid";
  }

  function smimeEncryption(status) {
    if (status === undefined || status === -1) return "none";
    return status === Ci.nsICMSMessageErrors.SUCCESS || status === Ci.nsICMSMessageErrors.ENCRYPT_INCOMPLETE ? "decrypted" : "failed";
  }

  function openpgpStates(about) {
    const hdr = about.Enigmail?.hdrView;
    if (!hdr) return { signature: "none", encryption: "none" };
    const C = ChromeUtils.importESModule("chrome://openpgp/content/modules/constants.sys.mjs").EnigmailConstants;
    const sigName = Object.keys(C).find((k) => k.startsWith("MSG_SIG_") && C[k] === hdr.msgSignatureState) ?? "MSG_SIG_NONE";
    const encName = Object.keys(C).find((k) => k.startsWith("MSG_ENC_") && C[k] === hdr.msgEncryptionState) ?? "MSG_ENC_NONE";
    const signature = sigName === "MSG_SIG_NONE" ? "none" : sigName.startsWith("MSG_SIG_VALID") ? "valid" : sigName.startsWith("MSG_SIG_INVALID") ? "invalid" : "unknown";
    const encryption = encName === "MSG_ENC_OK" ? "decrypted" : encName === "MSG_ENC_NONE" ? "none" : "failed";
    return { signature, encryption };
  }

  // ---- Thunderbird's OpenPGP attempt ---------------------------------------------------

  let skipIds = new Set();
  /** Key IDs (primary and subkeys) of the secret keys in Thunderbird's own keyring. */
  let ownSecretIds = new Set();
  /** Messages (folder URI#key) whose attempt was stopped, for ownView. */
  const skippedMessages = new Set();
  let patched = null;

  const hex = (bytes, from, to) => Array.from(bytes.subarray(from, to), (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  const msgIdOf = (hdr) => (hdr ? `${hdr.folder?.URI}#${hdr.messageKey}` : "");

  /**
   * The recipients' key IDs from the start of an armored OpenPGP message, or undefined while
   * too little has arrived. `{ ids, unclear }`: unclear = a password packet, a wildcard or
   * an unparseable header, where Thunderbird decides for itself.
   */
  function recipientsOf(text) {
    const begin = text.indexOf("-----BEGIN PGP MESSAGE-----");
    if (begin < 0) return text.length > 65536 ? { ids: [], unclear: true } : undefined;
    const rest = text.slice(begin + 27, begin + 27 + 16384);
    const blank = /\r?\n[ \t]*\r?\n/.exec(rest);
    if (!blank) return rest.length >= 16000 ? { ids: [], unclear: true } : undefined;
    const lines = rest.slice(blank.index + blank[0].length).split(/\r?\n/);
    const complete = lines.length > 1;
    let b64 = "";
    for (const line of complete ? lines.slice(0, -1) : []) {
      if (/^[=-]/.test(line)) break;
      b64 += line.trim();
    }
    if (b64.length < 1024 && !/\n[=-]/.test(rest)) return undefined;
    let bin;
    try {
      // Experiments run in a sandbox without atob; fromBase64 is native.
      bin = Uint8Array.fromBase64(b64.slice(0, b64.length - (b64.length % 4)));
    } catch {
      return { ids: [], unclear: true };
    }
    // Truncated: wait for more unless all we will ever look at is here.
    const ended = /\n[=-]/.test(rest) || rest.length >= 16000;
    const need = () => (ended ? { ids, unclear: true } : undefined);
    const ids = [];
    let i = 0;
    while (i < bin.length) {
      if (i + 6 > bin.length) return need();
      const h = bin[i];
      if (!(h & 0x80)) return { ids, unclear: true };
      let tag;
      let len;
      let p;
      if (h & 0x40) {
        tag = h & 0x3f;
        const o = bin[i + 1];
        if (o < 192) [len, p] = [o, i + 2];
        else if (o < 224) [len, p] = [((o - 192) << 8) + bin[i + 2] + 192, i + 3];
        else if (o === 255) [len, p] = [((bin[i + 2] << 24) | (bin[i + 3] << 16) | (bin[i + 4] << 8) | bin[i + 5]) >>> 0, i + 6];
        else return tag === 18 || tag === 20 ? { ids, unclear: false } : { ids, unclear: true };
      } else {
        tag = (h >> 2) & 0x0f;
        const lt = h & 3;
        if (lt === 3) return tag === 18 || tag === 20 ? { ids, unclear: false } : { ids, unclear: true };
        const n = [1, 2, 4][lt];
        len = 0;
        for (let k = 1; k <= n; k++) len = len * 256 + bin[i + k];
        p = i + 1 + n;
      }
      if (tag === 18 || tag === 20) return { ids, unclear: false }; // the encrypted data begins
      if (tag === 3) return { ids, unclear: true }; // a password recipient
      if (tag !== 1) return { ids, unclear: true };
      if (p + len > bin.length) return need();
      const version = bin[p];
      if (version === 3) ids.push(hex(bin, p + 1, p + 9));
      else if (version === 6) {
        const n = bin[p + 1];
        const keyVersion = bin[p + 2];
        if (n === 0) return { ids, unclear: true }; // anonymous recipient
        const fp = hex(bin, p + 3, p + 2 + n);
        ids.push(keyVersion === 4 ? fp.slice(-16) : fp.slice(0, 16));
      } else return { ids, unclear: true };
      i = p + len;
    }
    return need();
  }

  function shouldSkip(text) {
    const r = recipientsOf(text);
    if (!r) return undefined;
    if (r.unclear || r.ids.length === 0 || r.ids.includes("0000000000000000")) return false;
    return r.ids.some((id) => skipIds.has(id)) && !r.ids.some((id) => ownSecretIds.has(id));
  }

  function patchOpenPGP() {
    if (patched) return;
    const { MimeDecryptHandler } = ChromeUtils.importESModule("chrome://openpgp/content/modules/mimeDecrypt.sys.mjs");
    const proto = MimeDecryptHandler.prototype;
    const cacheData = proto.cacheData;
    proto.cacheData = function (str) {
      cacheData.call(this, str);
      if (this.sealbirdChecked || this.outputRaw || skipIds.size === 0) return;
      const skip = shouldSkip(this.outQueue);
      if (skip === undefined) return;
      this.sealbirdChecked = true;
      if (!skip) return;
      // As if the handler never started: onDataAvailable and onStopRequest return at once.
      this.initOk = false;
      this.outQueue = "";
      try {
        skippedMessages.add(msgIdOf(this.uri?.QueryInterface(Ci.nsIMsgMessageUrl).messageHeader));
      } catch {
        // an .eml opened from a file: no index entry to remember
      }
    };
    patched = { proto, cacheData };
  }

  function unpatchOpenPGP() {
    if (patched) patched.proto.cacheData = patched.cacheData;
    patched = null;
    skipIds = new Set();
    skippedMessages.clear();
  }

  async function loadOwnSecretIds() {
    const ids = new Set();
    try {
      const { RNP } = ChromeUtils.importESModule("chrome://openpgp/content/modules/RNP.sys.mjs");
      for (const key of await RNP.getSecretKeys()) {
        ids.add(String(key.keyId).toUpperCase());
        for (const sub of key.subKeys ?? []) ids.add(String(sub.keyId).toUpperCase());
      }
    } catch {
      return null; // RNP not available: nothing is skipped (Thunderbird decides)
    }
    return ids;
  }

  this.messageHeader = class extends ExtensionCommon.ExtensionAPI {
    onShutdown() {
      unwrapAll();
      unpatchOpenPGP();
    }

    getAPI(context) {
      const { extension } = context;
      return {
        messageHeader: {
          async claim(tabId, messageId, claim) {
            const about = aboutMessageOf(extension, tabId);
            if (!sameMessage(about.gMessage, extension.messageManager.get(messageId))) return false;
            const w = wrap(about);
            w.claim = { uri: about.gMessageURI, subject: claim.subject ?? undefined };
            if (typeof w.original === "function") w.original.call(about, null, null, null, false);
            for (const value of DROPPED_NOTIFICATIONS) w.box?.getNotificationWithValue(value)?.close();
            if (claim.subject) setSubject(about, claim.subject);
            return true;
          },
          async ownView(tabId) {
            const about = aboutMessageOf(extension, tabId);
            const pgp = openpgpStates(about);
            const skipped = skippedMessages.has(msgIdOf(about.gMessage));
            return {
              smimeSignature: smimeSignature(about.gSignatureStatus),
              smimeEncryption: smimeEncryption(about.gEncryptionStatus),
              openpgpSignature: pgp.signature,
              openpgpEncryption: skipped ? "skipped" : pgp.encryption,
            };
          },
          async setListSubject(messageId, subject) {
            const hdr = extension.messageManager.get(messageId);
            if (!hdr) throw new ExtensionError(`Message ${messageId} not found`);
            const oldFlags = hdr.flags;
            const stripped = subject.replace(/^(re:\s*)+/i, "");
            hdr.subject = stripped;
            if (stripped !== subject) hdr.flags |= Ci.nsMsgMessageFlags.HasRe;
            hdr.folder?.msgDatabase?.notifyHdrChangeAll(hdr, oldFlags, hdr.flags, null);
          },
          async skipOwnOpenPGP(keyIds) {
            if (keyIds.length === 0) {
              unpatchOpenPGP();
              return;
            }
            const own = await loadOwnSecretIds();
            if (!own) return;
            ownSecretIds = own;
            skipIds = new Set(keyIds.map((k) => k.toUpperCase()));
            patchOpenPGP();
          },
        },
      };
    }
  };
}
