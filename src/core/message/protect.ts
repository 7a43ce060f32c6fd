/**
 * protect: from a plain RFC 5322 message to the signed and/or encrypted message that goes on
 * the wire. The protocol engines only wrap one entity; this module decides what goes inside
 * (the content plus protected header copies, RFC 9788) and what stays outside (transport
 * headers, an obscured Subject).
 */
import { SealbirdError } from "../errors.js";
import { parseMime } from "../mime/index.js";
import type { Protocol } from "../status/message-status.js";
import { concatBytes } from "../bytes.js";
import { headerFieldsToBytes, outerHeaderFields, protectedEntityPieces } from "./protected-headers.js";

/**
 * An entity's bytes, whole or as consecutive pieces split at line ends (header section, body
 * view): an engine that can read pieces (OpenPGP's stream) saves a copy of the whole message.
 */
export type EntityBytes = Uint8Array | readonly Uint8Array[];

export function joinedBytes(b: EntityBytes): Uint8Array {
  return b instanceof Uint8Array ? b : concatBytes(b);
}

/** One protocol engine as protect sees it, with its keys already chosen by the caller. */
export interface LayerWriter {
  protocol: Protocol;
  /**
   * Returns a complete MIME entity (its own Content-Type header, blank line, body), after
   * `before` (the outer header section) when given: one buffer, so a 25 MB layer is not copied
   * once more only to put the headers in front.
   */
  sign(inner: EntityBytes, before?: Uint8Array): Promise<Uint8Array>;
  /** Encrypts `inner`; with `signed` the engine signs first (S/MIME) or in the same message (OpenPGP). */
  encrypt(inner: EntityBytes, opts: { signed: boolean; before?: Uint8Array }): Promise<Uint8Array>;
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
  const inner = protectedEntityPieces(message, opts.encrypt ? "cipher" : "clear", opts.encrypt ? (opts.innerHeaders ?? []) : []);
  const outer = headerFieldsToBytes([...outerHeaderFields(message, opts.encrypt), ...(opts.outerHeaders ?? [])]);
  return opts.encrypt ? opts.writer.encrypt(inner, { signed: opts.sign, before: outer }) : opts.writer.sign(inner, outer);
}
