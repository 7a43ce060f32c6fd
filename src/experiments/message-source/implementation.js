/* global ExtensionCommon, ChromeUtils, Cc, Ci, Components */
/**
 * message-source experiment: the stored bytes of a message, read natively.
 *
 * read(messageId) → ArrayBuffer | null
 *   The same bytes as messenger.messages.getRaw(id, { decrypt: false }): the same
 *   streamMessage call on the message's own URI, without conversion. getRaw reads each chunk
 *   as a binary string and copies the joined string into bytes one character at a time, in
 *   the parent process; with Debian's prefs (no JIT) that loop alone is 0.6-0.7 s for a 14 MB
 *   message, before the add-on sees a byte. Here nsIBinaryInputStream reads each chunk into
 *   an ArrayBuffer and it is copied natively into the message's buffer. Returns null for a message
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

  /**
   * The message's bytes in one ArrayBuffer of exactly their length. They are read into a
   * buffer sized by the index's message size (grown if the stream is longer), through one
   * small reused scratch buffer: a list of chunks joined at the end held the message twice.
   */
  function streamBytes(uri, sizeHint) {
    return new Promise((resolve, reject) => {
      let bytes = new Uint8Array(Math.max(sizeHint, 0) + 1024);
      let length = 0;
      let scratch = new ArrayBuffer(64 * 1024);
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
          if (scratch.byteLength < count) scratch = new ArrayBuffer(count);
          const read = binary.readArrayBuffer(count, scratch);
          if (length + read > bytes.length) {
            const grown = new Uint8Array(Math.max(2 * bytes.length, length + read));
            grown.set(bytes.subarray(0, length));
            bytes = grown;
          }
          bytes.set(new Uint8Array(scratch, 0, read), length);
          length += read;
        },
        onStopRequest(_request, status) {
          clearTimeout(timer);
          // transfer(length) gives the buffer its exact length without a second copy to hold.
          if (Components.isSuccessCode(status)) resolve(bytes.buffer.transfer(length));
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
            // It reaches the add-on by structured clone (this global has no File).
            return streamBytes(hdr.folder.getUriForMsg(hdr), hdr.messageSize);
          },
        },
      };
    }
  };
}
