// The benchmarks' test message.

/** A message with one random attachment of `bytes` bytes, base64 in 76-character lines. */
export function attachmentMessage(bytes: number): Uint8Array {
  const att = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(att.subarray(i, Math.min(bytes, i + 65536)));
  const b64 = Buffer.from(att).toString("base64").replace(/.{76}/g, "$&\r\n");
  const text =
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nReport attached.\r\n--b1\r\n' +
    'Content-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
    b64 +
    "\r\n--b1--\r\n";
  return new Uint8Array(Buffer.from(text, "latin1"));
}
