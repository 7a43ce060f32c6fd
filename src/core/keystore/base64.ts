import { base64Encode, fromBinaryString } from "../bytes.js";

export { base64Encode };

/**
 * Strict base64 decoding for stored fields: anything that is not canonical base64 returns
 * null so the caller can report the store (or backup) as corrupt instead of decoding junk.
 */
export function base64Decode(s: unknown): Uint8Array | null {
  if (typeof s !== "string" || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  try {
    return fromBinaryString(atob(s));
  } catch {
    return null;
  }
}
