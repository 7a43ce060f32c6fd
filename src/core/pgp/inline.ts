/**
 * Inline PGP in a text body. Only a body that is EXACTLY one armored block (whitespace
 * around allowed) is opened; an HTML body counts by the text it shows (./transport-damage.ts).
 * An armored block that is only part of a body — after a quote, between attacker-written
 * text, next to HTML content — is never decrypted automatically: decrypting it
 * into the view is EFAIL's direct exfiltration, and showing "signed" next to unsigned text is
 * how signature badges get faked. Such blocks are reported so the UI can offer an inert
 * "decrypt this block on its own" action (`decryptArmoredOnRequest`).
 */
import { fromBinaryString } from "../bytes.js";
import { SealbirdError } from "../errors.js";

export type InlineShape =
  | { kind: "message"; armored: string }
  | { kind: "cleartext"; text: string }
  | { kind: "partial"; encrypted: boolean; signed: boolean }
  | null;

const BEGIN_LINE = /^-----BEGIN PGP ([A-Z ,/0-9]+)-----[ \t]*$/gm;

/** `text` is the decoded body as a byte-preserving binary string. */
export function inlineShape(text: string): InlineShape {
  const begins = [...text.matchAll(BEGIN_LINE)].map((m) => m[1]!);
  const interesting = begins.filter((b) => b === "MESSAGE" || b === "SIGNED MESSAGE");
  if (interesting.length === 0) return null;
  const t = text.trim();
  if (
    begins.length === 1 &&
    begins[0] === "MESSAGE" &&
    /^-----BEGIN PGP MESSAGE-----[ \t]*\r?\n/.test(t) &&
    /\r?\n-----END PGP MESSAGE-----$/.test(t) &&
    t.indexOf("-----END PGP MESSAGE-----") === t.length - 25
  ) {
    return { kind: "message", armored: t };
  }
  if (
    begins.length === 2 &&
    begins[0] === "SIGNED MESSAGE" &&
    begins[1] === "SIGNATURE" &&
    /^-----BEGIN PGP SIGNED MESSAGE-----[ \t]*\r?\n/.test(t) &&
    /\r?\n-----END PGP SIGNATURE-----$/.test(t) &&
    t.indexOf("-----END PGP SIGNATURE-----") === t.length - 27
  ) {
    return { kind: "cleartext", text: t };
  }
  return { kind: "partial", encrypted: interesting.includes("MESSAGE"), signed: interesting.includes("SIGNED MESSAGE") };
}

export interface ParsedCleartext {
  /** Armor "Hash:" values, upper-case (empty when absent: MD5 per RFC 4880, rejected later). */
  hashes: string[];
  /** The signed text: dash-unescaped, trailing whitespace removed, CRLF, no final line end. */
  signed: Uint8Array;
  signatureArmored: string;
}

/**
 * RFC 4880 7 / RFC 9580 7 cleartext signature framework, line-ending independent. Done here
 * over bytes (not with openpgp.js' string API) so a text in any charset verifies byte-exactly
 * like GnuPG does.
 */
export function parseCleartext(text: string): ParsedCleartext {
  const lines = text.split(/\r\n|\n|\r/);
  let i = 0;
  if (!/^-----BEGIN PGP SIGNED MESSAGE-----[ \t]*$/.test(lines[i] ?? "")) throw malformed("missing header line");
  i++;
  const hashes: string[] = [];
  for (; i < lines.length && lines[i] !== ""; i++) {
    const m = /^([A-Za-z]+): ?(.*)$/.exec(lines[i]!);
    // Only "Hash" is defined; anything else is an attempt to show unsigned text as signed.
    if (!m || m[1] !== "Hash") throw malformed(`unexpected armor header "${lines[i]}"`);
    hashes.push(...m[2]!.split(",").map((h) => h.trim().toUpperCase()).filter(Boolean));
  }
  if (i >= lines.length) throw malformed("no blank line after the armor headers");
  i++;
  const body: string[] = [];
  for (; i < lines.length && !/^-----BEGIN PGP SIGNATURE-----[ \t]*$/.test(lines[i]!); i++) {
    let l = lines[i]!;
    if (l.startsWith("- ")) l = l.slice(2);
    body.push(l.replace(/[ \t]+$/, ""));
  }
  if (i >= lines.length) throw malformed("no signature block");
  const signatureArmored = lines.slice(i).join("\n");
  return { hashes, signed: fromBinaryString(body.join("\r\n")), signatureArmored };
}

function malformed(why: string): SealbirdError {
  return new SealbirdError("signature-malformed", `The clear-signed text is malformed (${why}).`);
}
