/**
 * Mailbox lists in From/To/Cc (RFC 5322 3.4), enough to compare a signer's address with the
 * sender. Deliberately tolerant of what getHeader returns: after RFC 2047 decoding a display
 * name may contain an unquoted comma, so a piece with no address is glued to the next one.
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

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, "$1");
  return t;
}

/** Lowercases the domain of an addr-spec; the local part is case-sensitive in principle. */
function normaliseAddress(a: string): string | undefined {
  const s = a.replace(/\s+/g, "");
  const at = s.lastIndexOf("@");
  if (at <= 0 || at === s.length - 1) return undefined;
  return s.slice(0, at) + "@" + s.slice(at + 1).toLowerCase();
}

function parseMailbox(piece: string): Mailbox | undefined {
  const lt = piece.indexOf("<");
  if (lt >= 0) {
    const gt = piece.indexOf(">", lt);
    let inner = piece.slice(lt + 1, gt < 0 ? undefined : gt);
    // Obsolete source route: <@a.example,@b.example:user@c.example>
    const colon = inner.lastIndexOf(":");
    if (inner.startsWith("@") && colon >= 0) inner = inner.slice(colon + 1);
    const address = normaliseAddress(stripComments(inner));
    if (!address) return undefined;
    const rawName = stripComments(piece.slice(0, lt)).trim();
    const name = rawName ? decodeEncodedWords(unquote(rawName)).trim() : undefined;
    return name ? { name, address } : { address };
  }
  // Bare addr-spec, possibly with a comment holding the name: a@b (Name)
  const comment = /\(([^()]*)\)/.exec(piece)?.[1]?.trim();
  const address = normaliseAddress(stripComments(piece));
  if (!address || /[<>",;]/.test(address)) return undefined;
  return comment ? { name: decodeEncodedWords(comment), address } : { address };
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

function findGroupColon(s: string): number {
  let quote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") i++;
    else if (c === '"') quote = !quote;
    else if (!quote && c === "<") return -1;
    else if (!quote && c === ":") return s.slice(0, i).includes("@") ? -1 : i;
  }
  return -1;
}

/** The address of the first mailbox in a From-like header, domain lowercased. */
export function findAddress(headerValue: string): string | undefined {
  return parseAddressList(headerValue)[0]?.address;
}
