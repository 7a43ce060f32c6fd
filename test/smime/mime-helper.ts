// The S/MIME tests build MimeEntity values from openssl/gpgsm output with the real parser.
import { canonicalizeLineEndings, parseMime } from "../../src/core/mime/index.js";
import type { MimeEntity } from "../../src/core/mime/entity.js";

export const toCrlf = (b: Uint8Array): Uint8Array => canonicalizeLineEndings(b);

export function entity(raw: Uint8Array): MimeEntity {
  return parseMime(raw);
}
