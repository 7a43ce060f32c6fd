/**
 * PEM and DER input for certificates, CRLs and keys. Users paste PEM (often several
 * certificates in one file, with text before/between the blocks, as openssl writes them)
 * or hand us DER; both end up as a list of DER blobs.
 */
import { SealbirdError } from "../errors.js";
import { ascii } from "../bytes.js";
import { base64Encode, decodeBase64Text } from "../base64.js";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** Every PEM block in the text, in order. Text outside the blocks is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const body = m[2]!
      // RFC 1421 headers (Proc-Type, DEK-Info) are not base64; encrypted PEM is not for us.
      .split(/\r?\n/)
      .filter((l) => !l.includes(":"))
      .join("")
      .replace(/\s+/g, "");
    out.push({ label: m[1]!, der: base64Decode(body) });
  }
  return out;
}

/** PEM text or DER bytes → the DER blobs of the given PEM labels (DER input: itself). */
export function toDerList(input: Uint8Array | string, labels: readonly string[] = ["CERTIFICATE", "X509 CERTIFICATE"]): Uint8Array[] {
  const bytes = typeof input === "string" ? undefined : input;
  // DER starts with a SEQUENCE tag; PEM is text. A DER cert never contains "-----BEGIN".
  if (bytes && bytes.length > 0 && bytes[0] === 0x30) return [bytes];
  const text = typeof input === "string" ? input : ascii(input);
  const blocks = pemBlocks(text).filter((b) => labels.includes(b.label));
  if (blocks.length === 0) throw new SealbirdError("cert-malformed", "No certificate found (neither DER nor a PEM block).");
  return blocks.map((b) => b.der);
}

function base64Decode(s: string): Uint8Array {
  const der = decodeBase64Text(s);
  if (!der) throw new SealbirdError("cert-malformed", "PEM block is not valid base64.");
  return der;
}

export function derToPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
