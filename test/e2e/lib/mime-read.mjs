// Reading MIME that Thunderbird sent, after openssl/gpg took the protection off: shared by the
// compose and Thunderbird-UI suites.

import assert from "node:assert/strict";

/** The body of the MIME part whose Content-Disposition names `filename`, base64-decoded. */
export function attachmentBytes(mime, filename) {
  const at = mime.indexOf(`filename="${filename}"`);
  assert.ok(at > 0, `attachment ${filename} present`);
  const start = mime.indexOf("\r\n\r\n", at) + 4;
  const end = mime.indexOf("\r\n--", start);
  return Buffer.from(mime.slice(start, end).replace(/\s+/g, ""), "base64");
}

/** The entity text plus every base64 body in it decoded (Thunderbird base64-encodes text parts here). */
export function readable(mime) {
  const decoded = [...mime.matchAll(/\r\n\r\n((?:[A-Za-z0-9+/=]{4,}\r\n)+)/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8"));
  return [mime, ...decoded].join("\n");
}
