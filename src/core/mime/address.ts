/**
 * Mailbox lists in From/To/Cc (RFC 5322 3.4), enough to compare a signer's address with the
 * sender. Deliberately tolerant of what getHeader returns: after RFC 2047 decoding a display
 * name may contain an unquoted comma, so a piece with no address is glued to the next one.
 * Structure follows Thunderbird's parser (jsmime) where it decides which address a reader
 * sees: a "<" in a comment or quoted-string is text, the last angle-addr counts, and comments
 * belong to the shown name.
 */
import { decodeEncodedWords } from "./rfc2047.js";

export interface Mailbox {
  name?: string;
  address: string;
}

/** Splits on `sep` outside quoted-strings, comments and angle brackets. */
function splitTopLevel(s: string, seps: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote = false;
  let paren = 0;
  let angle = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      cur += c;
      if (c === "\\" && i + 1 < s.length) cur += s[++i]!;
      else if (c === '"') quote = false;
      continue;
    }
    if (paren > 0) {
      cur += c;
      if (c === "\\" && i + 1 < s.length) cur += s[++i]!;
      else if (c === "(") paren++;
      else if (c === ")") paren--;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === "(") paren++;
    else if (c === "<") angle = true;
    else if (c === ">") angle = false;
    if (!angle && seps.includes(c)) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function stripComments(s: string): string {
  let out = "";
  let quote = false;
  let paren = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      out += c;
      if (c === "\\" && i + 1 < s.length) out += s[++i]!;
      else if (c === '"') quote = false;
    } else if (paren > 0) {
      if (c === "\\") i++;
      else if (c === "(") paren++;
      else if (c === ")") paren--;
    } else if (c === "(") {
      paren++;
    } else {
      if (c === '"') quote = true;
      out += c;
    }
  }
  return out;
}

/**
 * A display name as a reader sees it (as Thunderbird's parser builds it): quoted-strings
 * unquoted in place, comments kept with their parentheses, runs of whitespace as one space.
 */
function phrase(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) out += s[i] === "\\" && i + 1 < s.length ? s[++i]! : s[i]!;
    } else if (c === "\\" && i + 1 < s.length) {
      out += s[++i]!;
    } else {
      out += c;
    }
  }
  return out.replace(/\s+/g, " ").trim();
}

/** RFC 5322 dot-atom: a local part that needs no quotes (8-bit allowed, RFC 6532). */
const DOT_ATOM = /^[^\s"(),.:;<>@[\\\]]+(?:\.[^\s"(),.:;<>@[\\\]]+)*$/u;

/**
 * A local part in one canonical form, so the same mailbox compares equal however it was
 * written: whitespace between words dropped, quoted-strings unquoted and quoted again only
 * when the result is not a dot-atom (`"alice"@x` is `alice@x`; `"al ice"@x` stays quoted).
 */
function canonicalLocalPart(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) out += s[i] === "\\" && i + 1 < s.length ? s[++i]! : s[i]!;
      if (i >= s.length) return undefined; // an unterminated quoted-string
    } else if (/\s/.test(c)) {
      continue;
    } else if ('<>,;:@()[]\\'.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  if (!out) return undefined;
  return DOT_ATOM.test(out) ? out : `"${out.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * An addr-spec (comments already removed) in canonical form: the local part as
 * canonicalLocalPart gives it (case kept: it is case-sensitive in principle), the domain
 * lowercased. Undefined when it is not one.
 */
function normaliseAddress(a: string): string | undefined {
  let at = -1;
  let quote = false;
  for (let i = 0; i < a.length; i++) {
    const c = a[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === "@") at = i;
  }
  if (quote || at <= 0) return undefined;
  const local = canonicalLocalPart(a.slice(0, at));
  const domain = a.slice(at + 1).replace(/\s+/g, "").toLowerCase();
  if (!local || !domain || /[<>,;:"()@\\]/.test(domain)) return undefined;
  return `${local}@${domain}`;
}

/**
 * Where the angle-addr of a mailbox is: the LAST "<" outside quoted-strings, comments and
 * domain literals, and its ">" (-1 when missing). Thunderbird's parser (jsmime) takes the
 * last of several bracketed addresses and shows the earlier ones as part of the name, and a
 * "<" inside a comment or quoted-string is text: finding it with indexOf would bind a
 * signature to an address the reader never sees as the sender's.
 */
function angleAddr(piece: string): { lt: number; gt: number } | undefined {
  let found: { lt: number; gt: number } | undefined;
  let quote = false;
  let paren = 0;
  let literal = false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece[i]!;
    if (c === "\\") i++;
    else if (quote) quote = c !== '"';
    else if (paren > 0) paren += c === "(" ? 1 : c === ")" ? -1 : 0;
    else if (literal) literal = c !== "]";
    else if (c === '"') quote = true;
    else if (c === "(") paren = 1;
    else if (c === "[") literal = true;
    else if (c === "<") found = { lt: i, gt: -1 };
    else if (c === ">" && found && found.gt < 0) found.gt = i;
  }
  return found;
}

/** The text of every comment in `s` (outside quoted-strings), in order. */
function comments(s: string): string[] {
  const out: string[] = [];
  let quote = false;
  let depth = 0;
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (depth > 0) {
      if (c === "\\" && i + 1 < s.length) cur += s[++i]!;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) {
        out.push(cur.trim());
        cur = "";
        continue;
      }
      if (depth > 0) cur += c;
    } else if (c === '"') quote = true;
    else if (c === "(") depth = 1;
  }
  return out.filter(Boolean);
}

function parseMailbox(piece: string): Mailbox | undefined {
  const angle = angleAddr(piece);
  if (angle) {
    const { lt, gt } = angle;
    let inner = piece.slice(lt + 1, gt < 0 ? undefined : gt);
    // Obsolete source route: <@a.example,@b.example:user@c.example>
    const colon = inner.lastIndexOf(":");
    if (inner.startsWith("@") && colon >= 0) inner = inner.slice(colon + 1);
    const address = normaliseAddress(stripComments(inner));
    if (!address) return undefined;
    // After the angle-addr only comments may follow (Thunderbird shows them with the name).
    const after = gt < 0 ? "" : piece.slice(gt + 1);
    if (stripComments(after).trim()) return undefined;
    const shown = [decodeEncodedWords(phrase(piece.slice(0, lt))).trim(), ...comments(after).map((c) => `(${decodeEncodedWords(c)})`)].filter(Boolean);
    return shown.length ? { name: shown.join(" "), address } : { address };
  }
  // Bare addr-spec, possibly with comments holding the name: a@b (Name)
  const address = normaliseAddress(stripComments(piece));
  if (!address) return undefined;
  const name = comments(piece).map(decodeEncodedWords).join(" ");
  return name ? { name, address } : { address };
}

/** What an address list holds, beyond its mailboxes: enough to tell "exactly one author". */
export interface AddressListAnalysis {
  mailboxes: Mailbox[];
  /** Group constructs ("Team: a@x, b@y;", "undisclosed-recipients:;"). */
  groups: number;
  /** Non-empty pieces that yield no mailbox (a bare name, garbage, "<>"). */
  stray: number;
}

/**
 * Every mailbox in an address list, groups flattened ("Team: a@x, b@y;"). Pieces without an
 * address are dropped, or glued onto the next piece when they look like part of a name.
 */
export function parseAddressList(value: string): Mailbox[] {
  return analyseAddressList(value).mailboxes;
}

/** parseAddressList, also counting groups and pieces that are not mailboxes. */
export function analyseAddressList(value: string): AddressListAnalysis {
  const out: AddressListAnalysis = { mailboxes: [], groups: 0, stray: 0 };
  let carry = "";
  for (let piece of splitTopLevel(value.replace(/\r\n/g, ""), ",;")) {
    piece = carry ? carry + "," + piece : piece;
    carry = "";
    // Group prefix "Team:" before the first member (only outside quotes/angles).
    const groupColon = findGroupColon(piece);
    if (groupColon >= 0) {
      out.groups++;
      piece = piece.slice(groupColon + 1);
    }
    if (!stripComments(piece).trim()) continue;
    const mb = parseMailbox(piece);
    if (mb) out.mailboxes.push(mb);
    else if (!piece.includes("@") && !piece.includes("<")) carry = piece;
    else out.stray++;
  }
  if (carry) out.stray++;
  return out;
}

/** The colon that ends a group's display name, outside quoted-strings and comments (-1: none). */
function findGroupColon(s: string): number {
  let quote = false;
  let paren = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") i++;
    else if (quote) quote = c !== '"';
    else if (paren > 0) paren += c === "(" ? 1 : c === ")" ? -1 : 0;
    else if (c === '"') quote = true;
    else if (c === "(") paren = 1;
    else if (c === "<") return -1;
    else if (c === ":") return s.slice(0, i).includes("@") ? -1 : i;
  }
  return -1;
}

/** The address of the first mailbox in a From-like header, domain lowercased. */
export function findAddress(headerValue: string): string | undefined {
  return parseAddressList(headerValue)[0]?.address;
}
