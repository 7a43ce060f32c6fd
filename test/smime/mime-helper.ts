/**
 * Just enough MIME for the S/MIME tests to build MimeEntity values from openssl/gpgsm output
 * while the real parser (src/core/mime) is written in parallel. Canonicalises to CRLF like
 * the real parser; handles one level of multipart.
 */
import type { MimeEntity } from "../../src/core/mime/entity.js";

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

export function toCrlf(b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(latin1(b).replace(/\r?\n/g, "\r\n"), "latin1"));
}

export function entity(raw: Uint8Array, path = ""): MimeEntity {
  const s = latin1(raw);
  let split = s.indexOf("\r\n\r\n");
  let headerEnd = split + 4;
  if (s.startsWith("\r\n")) {
    split = 0;
    headerEnd = 2;
  }
  const headerText = s.slice(0, split).replace(/\r\n[ \t]/g, " ");
  const headers = headerText
    .split("\r\n")
    .filter(Boolean)
    .map((l) => ({ name: l.slice(0, l.indexOf(":")), value: l.slice(l.indexOf(":") + 1).trim() }));
  const ctRaw = headers.find((h) => h.name.toLowerCase() === "content-type")?.value ?? "text/plain";
  const [mt, ...paramParts] = ctRaw.split(";");
  const [type, subtype] = mt!.trim().toLowerCase().split("/");
  const params: Record<string, string> = {};
  for (const p of paramParts) {
    const eq = p.indexOf("=");
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
  }
  const cte = (headers.find((h) => h.name.toLowerCase() === "content-transfer-encoding")?.value ?? "7bit").toLowerCase();
  const body = raw.subarray(headerEnd);
  const e: MimeEntity = {
    path,
    raw,
    headerBytes: raw.subarray(0, headerEnd),
    body,
    headers,
    contentType: { type: type!, subtype: subtype!, params },
    transferEncoding: cte,
    children: [],
  };
  if (type === "multipart" && params["boundary"]) {
    const b = latin1(body);
    const delim = `--${params["boundary"]}`;
    let start = b.startsWith(delim) ? 0 : b.indexOf(`\r\n${delim}`) + 2;
    let n = 1;
    for (;;) {
      const lineEnd = b.indexOf("\r\n", start);
      if (b.startsWith(`${delim}--`, start) || lineEnd < 0) break;
      const partStart = lineEnd + 2;
      const next = b.indexOf(`\r\n${delim}`, partStart);
      if (next < 0) break;
      e.children.push(entity(body.subarray(partStart, next), path ? `${path}.${n}` : `${n}`));
      n++;
      start = next + 2;
    }
  }
  return e;
}
