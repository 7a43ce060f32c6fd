/* global ExtensionCommon, ChromeUtils, Cc, Ci, Components */
/**
 * message-source experiment: the stored bytes of a message, read natively.
 *
 * read(messageId) → ArrayBuffer | null
 *   The same bytes as messenger.messages.getRaw(id, { decrypt: false }): the same
 *   streamMessage call on the message's own URI, without conversion. getRaw reads each chunk
 *   as a binary string and copies the joined string into bytes one character at a time, in
 *   the parent process; with Debian's prefs (no JIT) that loop alone is 0.6-0.7 s for a 14 MB
 *   message, before the add-on sees a byte. Here each chunk is read into an ArrayBuffer by
 *   nsIBinaryInputStream and the chunks are joined with one native copy. Returns null for a message
 *   without a folder (an attached message opened on its own, a file opened from disk): the
 *   caller then uses getRaw, which knows how to cut those out of their parent.
 *
 * Nothing is changed in Thunderbird, so there is nothing to restore when the add-on stops.
 * Runs in the parent process ("addon_parent").
 */
"use strict";

// All experiments of an add-on share one global: this one keeps its names in a block.
{
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;
  const { setTimeout, clearTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");
  // As getRaw: a stream that has not started after 20 s has stalled (an unreachable server).
  const START_TIMEOUT_MS = 20000;

  function streamBytes(uri) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let input = null;
      let binary = null;
      let started = false;
      const timer = setTimeout(() => {
        if (!started) reject(new ExtensionError(`Error while streaming message <${uri}>: Timeout`));
      }, START_TIMEOUT_MS);
      const listener = {
        onStartRequest() {
          started = true;
        },
        onDataAvailable(_request, stream, _offset, count) {
          if (stream !== input) {
            input = stream;
            binary = Cc["@mozilla.org/binaryinputstream;1"].createInstance(Ci.nsIBinaryInputStream);
            binary.setInputStream(stream);
          }
          const buffer = new ArrayBuffer(count);
          const read = binary.readArrayBuffer(count, buffer);
          chunks.push(read === count ? buffer : buffer.slice(0, read));
        },
        onStopRequest(_request, status) {
          clearTimeout(timer);
          if (Components.isSuccessCode(status)) resolve(chunks);
          else reject(new ExtensionError(`Error while streaming message <${uri}>: Status ${status}`));
        },
        QueryInterface: ChromeUtils.generateQI(["nsIStreamListener", "nsIRequestObserver"]),
      };
      // aConvertData false: the raw message, exactly what getRaw returns.
      MailServices.messageServiceFromURI(uri).streamMessage(uri, listener, null, null, false, "");
    });
  }

  this.messageSource = class extends ExtensionCommon.ExtensionAPI {
    getAPI(context) {
      const { extension } = context;
      return {
        messageSource: {
          async read(messageId) {
            const hdr = extension.messageManager.get(messageId);
            if (!hdr) throw new ExtensionError(`Message not found: ${messageId}.`);
            if (!hdr.folder) return null;
            const chunks = await streamBytes(hdr.folder.getUriForMsg(hdr));
            // One buffer, joined natively; it reaches the add-on by structured clone (this
            // global has no File).
            const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
            let at = 0;
            for (const c of chunks) {
              bytes.set(new Uint8Array(c), at);
              at += c.byteLength;
            }
            return bytes.buffer;
          },
        },
      };
    }
  };
}
