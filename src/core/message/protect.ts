/**
 * protect: from a plain RFC 5322 message to the signed and/or encrypted message that goes on
 * the wire. The protocol engines only wrap one entity; this module decides what goes inside
 * (the content plus protected header copies, RFC 9788) and what stays outside (transport
 * headers, an obscured Subject).
 */
import { concatBytes } from "../bytes.js";
import { SealbirdError } from "../errors.js";
import { parseMime } from "../mime/index.js";
import type { Protocol } from "../status/message-status.js";
import { buildProtectedEntity, headerFieldsToBytes, outerHeaderFields } from "./protected-headers.js";

/** One protocol engine as protect sees it, with its keys already chosen by the caller. */
export interface LayerWriter {
  protocol: Protocol;
  /** Returns a complete MIME entity (its own Content-Type header, blank line, body). */
  sign(inner: Uint8Array): Promise<Uint8Array>;
  /** Encrypts `inner`; with `signed` the engine signs first (S/MIME) or in the same message (OpenPGP). */
  encrypt(inner: Uint8Array, opts: { signed: boolean }): Promise<Uint8Array>;
}

export interface ProtectOptions {
  writer: LayerWriter;
  sign: boolean;
  encrypt: boolean;
  /** Extra outer header fields (e.g. Autocrypt), already formatted values. */
  outerHeaders?: { name: string; value: string }[];
  /** Header fields for inside the encryption only (Autocrypt-Gossip); ignored when not encrypting. */
  innerHeaders?: { name: string; value: string }[];
}

export async function protectMessage(raw: Uint8Array, opts: ProtectOptions): Promise<Uint8Array> {
  if (!opts.sign && !opts.encrypt) throw new SealbirdError("usage", "Nothing to do: choose sign, encrypt or both.");
  const message = parseMime(raw);
  const inner = buildProtectedEntity(message, opts.encrypt ? "cipher" : "clear", opts.encrypt ? (opts.innerHeaders ?? []) : []);
  const layer = opts.encrypt ? await opts.writer.encrypt(inner, { signed: opts.sign }) : await opts.writer.sign(inner);
  const outer = headerFieldsToBytes([...outerHeaderFields(message, opts.encrypt), ...(opts.outerHeaders ?? [])]);
  return concatBytes([outer, layer]);
}
