/**
 * The decrypted message as a standalone .eml: the outer transport headers, with the protected
 * copies (RFC 9788) taking precedence, then the unwrapped content entity. Used for `sealbird
 * inspect --out` and for saving a decrypted copy.
 */
import { concatBytes } from "../bytes.js";
import type { InspectResult } from "./inspect.js";
import { headerFieldsToBytes } from "./protected-headers.js";

export function decryptedMessage(result: InspectResult): Uint8Array {
  const view = result.view;
  if (!view) return new Uint8Array(0);
  if (view === result.top) return view.raw;
  const innerNames = new Set(view.headers.map((h) => h.name.toLowerCase()));
  const outer = result.top.headers.filter((h) => {
    const n = h.name.toLowerCase();
    return !n.startsWith("content-") && !innerNames.has(n);
  });
  return concatBytes([headerFieldsToBytes(outer), view.raw]);
}
