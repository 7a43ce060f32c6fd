/* global ExtensionCommon, ChromeUtils, Services, Ci */
/**
 * smime-display experiment. Thunderbird's S/MIME code (msgHdrViewSMIMEOverlay.js, about:message)
 * answers a top-level encryption failure by hiding the header pane and loading a data: page
 * "Thunderbird cannot decrypt this message" into the message pane. Sealbird keeps its keys
 * itself (never in Thunderbird's NSS), so that failure is the normal case for mail Sealbird
 * can decrypt, and the data: page is a document no message display script may enter.
 *
 * takeOver() wraps `smimeSink.encryptionStatus` in every about:message window: a failure at
 * nesting level 0 or 1 (the only levels Thunderbird itself acts on) is not passed on, so
 * Thunderbird keeps its normal message document and header pane, and Sealbird's registered
 * display script shows the decrypted message (or its own translated "no key" explanation).
 * Every other report (success, nested levels, signatures) reaches Thunderbird unchanged.
 * The original method is put back when the add-on stops.
 *
 * The wrapper is installed on `MsgLoading` (dispatched after the headers, before the body is
 * parsed, which is when encryptionStatus is called) and into windows already open.
 */
"use strict";

// All experiments of an add-on share one global: this one keeps its names in a block.
{
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;
  const { ExtensionSupport } = ChromeUtils.importESModule("resource:///modules/ExtensionSupport.sys.mjs");

  const LISTENER_ID = "sealbird-smime-display";
  /** about:message windows we wrapped → their original encryptionStatus. */
  const wrapped = new Map();
  let listening = false;

  function isFailure(status) {
    const E = Ci.nsICMSMessageErrors;
    return status !== E.SUCCESS && status !== E.ENCRYPT_INCOMPLETE;
  }

  function wrap(aboutMessage) {
    const sink = aboutMessage?.smimeSink;
    if (!sink || wrapped.has(aboutMessage)) return;
    const original = sink.encryptionStatus;
    wrapped.set(aboutMessage, original);
    sink.encryptionStatus = function (nestingLevel, status, ...rest) {
      if (nestingLevel <= 1 && isFailure(status)) return undefined;
      return original.call(this, nestingLevel, status, ...rest);
    };
    aboutMessage.addEventListener("unload", () => wrapped.delete(aboutMessage), { once: true });
  }

  function unwrapAll() {
    for (const [aboutMessage, original] of wrapped) {
      try {
        if (aboutMessage.smimeSink) aboutMessage.smimeSink.encryptionStatus = original;
      } catch {
        // window already gone
      }
    }
    wrapped.clear();
  }

  const onMsgLoading = (event) => wrap(event.target);

  /** Every about:message window inside a 3-pane or message window. */
  function* aboutMessageWindows(win) {
    if (win.messageBrowser?.contentWindow) yield win.messageBrowser.contentWindow;
    for (const tab of win.gTabmail?.tabInfo ?? []) {
      const content = tab.chromeBrowser?.contentWindow;
      if (content?.messageBrowser?.contentWindow) yield content.messageBrowser.contentWindow;
      else if (content?.smimeSink) yield content;
    }
  }

  /** The about:message window showing a tab's message (3-pane tab, message tab or window). */
  function aboutMessageOf(extension, tabId) {
    const native = extension.tabManager.get(tabId).nativeTab;
    const content = native?.chromeBrowser?.contentWindow ?? native?.messageBrowser?.contentWindow ?? null;
    const about = content?.messageBrowser?.contentWindow ?? content;
    if (!about?.smimeSink) throw new ExtensionError(`Tab ${tabId} shows no message`);
    return about;
  }

  this.smimeDisplay = class extends ExtensionCommon.ExtensionAPI {
    onShutdown() {
      if (listening) ExtensionSupport.unregisterWindowListener(LISTENER_ID);
      listening = false;
      unwrapAll();
    }

    getAPI(context) {
      const { extension } = context;
      return {
        smimeDisplay: {
          async takeOver() {
            if (listening) return;
            listening = true;
            ExtensionSupport.registerWindowListener(LISTENER_ID, {
              chromeURLs: ["chrome://messenger/content/messenger.xhtml", "chrome://messenger/content/messageWindow.xhtml"],
              onLoadWindow(win) {
                // Capture phase: we must be in place before the body is parsed.
                win.addEventListener("MsgLoading", onMsgLoading, true);
                for (const about of aboutMessageWindows(win)) wrap(about);
              },
              onUnloadWindow(win) {
                win.removeEventListener("MsgLoading", onMsgLoading, true);
              },
            });
            for (const win of Services.wm.getEnumerator(null)) {
              for (const about of aboutMessageWindows(win)) wrap(about);
            }
          },
          async thunderbirdDecrypted(tabId) {
            // gEncryptionStatus: msgReadSMIMEOverlay.js's status of the message shown (-1: none).
            return aboutMessageOf(extension, tabId).gEncryptionStatus === Ci.nsICMSMessageErrors.SUCCESS;
          },
        },
      };
    }
  };
}
