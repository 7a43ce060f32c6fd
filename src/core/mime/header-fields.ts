/**
 * The header section of one entity: where it ends, and its fields unfolded. Works on byte
 * offsets into the canonical message so the parser can hand out exact subarrays.
 */
import { toBinaryString } from "../bytes.js";
import { SealbirdError } from "../errors.js";
import type { HeaderField } from "./entity.js";

const CR = 0x0d;
const LF = 0x0a;

export interface HeaderSection {
  fields: HeaderField[];
  /** Offset just past the header section (including its blank line, when present). */
  bodyStart: number;
}

/** A field-name (printable ASCII except ":"), optional whitespace, then ":" (RFC 5322 3.6.8). */
function looksLikeField(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (c === 0x3a) return i > start;
    if (c === 0x20 || c === 0x09) {
      while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
      return i < end && buf[i] === 0x3a && i > start;
    }
    if (c < 0x21 || c > 0x7e) return false;
    i++;
  }
  return false;
}

function lineEnd(buf: Uint8Array, start: number, end: number): number {
  const i = buf.indexOf(LF, start);
  return i < 0 || i >= end ? end : i + 1;
}

/**
 * Finds the end of the header section of the entity at [start, end). The section ends at the
 * first empty line. Without one, the entity is all header (a truncated message) when its
 * first line is a header field, and all body otherwise (a part that lost its blank line).
 */
export function parseHeaderSection(buf: Uint8Array, start: number, end: number, maxHeaderBytes: number): HeaderSection {
  let bodyStart = -1;
  let sectionEnd = -1;
  if (end - start >= 2 && buf[start] === CR && buf[start + 1] === LF) {
    return { fields: [], bodyStart: start + 2 };
  }
  const limit = Math.min(end, start + maxHeaderBytes + 4);
  for (let i = start; i < limit; ) {
    const j = lineEnd(buf, i, limit);
    if (j - i === 2 && buf[i] === CR) {
      sectionEnd = i;
      bodyStart = j;
      break;
    }
    if (j >= limit) break;
    i = j;
  }
  if (bodyStart < 0) {
    const firstLineEnd = lineEnd(buf, start, end);
    if (!looksLikeField(buf, start, firstLineEnd)) return { fields: [], bodyStart: start };
    if (end - start > maxHeaderBytes) {
      throw new SealbirdError("input-too-large", "A MIME header section is too large.", { limit: "maxHeaderBytes", max: maxHeaderBytes });
    }
    sectionEnd = end;
    bodyStart = end;
  } else if (sectionEnd - start > maxHeaderBytes) {
    throw new SealbirdError("input-too-large", "A MIME header section is too large.", { limit: "maxHeaderBytes", max: maxHeaderBytes });
  }
  return { fields: parseFields(buf, start, sectionEnd), bodyStart };
}

/**
 * Unfolds and splits header lines. Lines that are neither a field nor a continuation (an mbox
 * "From " line, garbage) are skipped: a stray line must not hide the fields after it.
 */
function parseFields(buf: Uint8Array, start: number, end: number): HeaderField[] {
  const text = toBinaryString(buf.subarray(start, end));
  const lines = text.split("\r\n");
  const fields: HeaderField[] = [];
  let current: { name: string; parts: string[] } | undefined;
  const push = () => {
    if (current) fields.push({ name: current.name, value: current.parts.join("").trim() });
    current = undefined;
  };
  for (const line of lines) {
    if (line === "") continue;
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      if (current) current.parts.push(line);
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
    push();
    if (!m) continue;
    current = { name: m[1]!, parts: [line.slice(m[0].length)] };
  }
  push();
  return fields;
}
