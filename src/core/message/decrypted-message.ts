/**
 * The decrypted message as a standalone .eml: the outer transport headers, with the protected
 * copies (RFC 9788) taking precedence, then the unwrapped content entity. Used for `sealbird
 * inspect --out` and for saving a decrypted copy.
 */
import { concatBytes, toBinaryString } from "../bytes.js";
import { encodeHeaderValue, type HeaderField } from "../mime/index.js";
import type { MessageStatus } from "../status/message-status.js";
import type { InspectResult } from "./inspect.js";
import { headerFieldsToBytes } from "./protected-headers.js";

/** As consecutive pieces (header section, the entity's bytes as a view): a file is written from them without a joined copy. */
export function decryptedMessagePieces(result: InspectResult): Uint8Array[] {
  const view = result.view;
  if (!view) return [];
  if (view === result.top) return [view.raw];
  const innerNames = new Set(view.headers.map((h) => h.name.toLowerCase()));
  const outer = result.top.headers.filter((h) => {
    const n = h.name.toLowerCase();
    return !n.startsWith("content-") && !innerNames.has(n);
  });
  return [headerFieldsToBytes(outer), view.raw];
}

/**
 * What a saved decrypted copy is made of, kept small: the outer header fields, the protected
 * header values, and the decrypted entity exactly as it came out of the innermost encryption
 * layer (a signature inside the encryption stays intact, so the copy still verifies).
 */
export interface CopySource {
  outer: HeaderField[];
  protectedHeaders: NonNullable<MessageStatus["protectedHeaders"]>;
  entity: Uint8Array;
}

export function copySource(result: InspectResult): CopySource | null {
  const decrypted = result.layers.filter((l) => l.kind === "encrypted" && l.inner).pop();
  if (!decrypted?.inner || result.status.encryption.state !== "decrypted") return null;
  return { outer: result.top.headers, protectedHeaders: result.status.protectedHeaders ?? {}, entity: decrypted.inner };
}

/**
 * The .eml: the outer transport fields without Content-*, with the protected values (RFC 9788)
 * in place of their outer stand-ins ("[...]"), fields the entity carries itself left to it;
 * then the decrypted entity, byte for byte.
 */
export function decryptedCopy(src: CopySource): Uint8Array {
  const own = entityFieldNames(src.entity);
  const protectedValues = src.protectedHeaders as Record<string, string | undefined>;
  const fields = src.outer
    .filter((h) => {
      const n = h.name.toLowerCase();
      return !n.startsWith("content-") && !own.has(n);
    })
    .map((h) => {
      const v = protectedValues[h.name.toLowerCase()];
      return v === undefined ? h : { name: h.name, value: encodeHeaderValue(v) };
    });
  return concatBytes([headerFieldsToBytes(fields), src.entity]);
}

/** Lower-cased field names of an entity's header section (scanned, not parsed: it can be large). */
function entityFieldNames(entity: Uint8Array): Set<string> {
  const head = toBinaryString(entity.subarray(0, 65536));
  const end = head.search(/\r?\n\r?\n/);
  const names = new Set<string>();
  for (const line of (end < 0 ? head : head.slice(0, end)).split(/\r?\n/)) {
    const m = /^([!-9;-~]+):/.exec(line);
    if (m) names.add(m[1]!.toLowerCase());
  }
  return names;
}

/** A Subject as the .eml's file name: no path separators or characters file systems refuse. */
export function copyFilename(subject: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const s = subject.replace(/[\\/:*?"<>|\x00-\x1f]+/g, "_").trim().slice(0, 100);
  return `${s || "message"}.eml`;
}
