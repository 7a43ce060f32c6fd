// Small helpers the options components share: translated errors, file reading, downloads,
// formatting, passphrase strength. No user-visible text is made here without t().
import { t } from "../lib/i18n";
import { BackgroundError } from "../lib/background";
import type { Download, IdentityView, Validity } from "../../src/background/options/types";

/** The translated explanation for a failed request (error_<code>), never an English engine text. */
export function errorText(e: unknown): string {
  return codeText(e instanceof BackgroundError ? e.code : "internal");
}

/** The translated explanation of an error code that came as data (not as a failed request). */
export function codeText(code = "internal"): string {
  const key = `error_${code.replace(/-/g, "_")}`;
  const s = t(key);
  return s === key ? t("error_internal") : s;
}

export async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** Saves bytes the background made, through a Blob URL and an <a download>. */
export function saveDownload(d: Download): void {
  const url = URL.createObjectURL(new Blob([d.bytes as BlobPart], { type: d.mimeType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = d.fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return t("validityNever");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // Thunderbird's UI language, not the system's: a German Thunderbird shows 31.03.2027.
  const locale = t("@@ui_locale").replace("_", "-");
  try {
    return d.toLocaleDateString(locale, { year: "numeric", month: "2-digit", day: "2-digit" });
  } catch {
    return d.toLocaleDateString(undefined, { year: "numeric", month: "2-digit", day: "2-digit" });
  }
}

/** "Alice <alice@example.org>", or the address alone when the identity has no name. */
export function identityName(i: IdentityView): string {
  return i.name ? `${i.name} <${i.email}>` : i.email;
}

/** "ab12cd34…" → "AB12 CD34 …" (groups of four, for reading aloud over the phone). */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(.{4})(?=.)/g, "$1 ");
}

export const VALIDITY_KEYS: Record<Validity, string> = {
  valid: "validityValid",
  expired: "validityExpired",
  "not-yet-valid": "validityNotYetValid",
  revoked: "validityRevoked",
};

export const MIN_PASSPHRASE_LENGTH = 10;

/**
 * A rough strength score 0–4 from an entropy estimate (character pool × length, minus
 * repetition and very common words). It guides; the minimum length is what is enforced.
 */
export function passphraseStrength(p: string): 0 | 1 | 2 | 3 | 4 {
  const chars = [...p];
  if (chars.length === 0) return 0;
  let pool = 0;
  if (/[a-zäöüß]/.test(p)) pool += 30;
  if (/[A-ZÄÖÜ]/.test(p)) pool += 29;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[^A-Za-z0-9äöüßÄÖÜ]/.test(p)) pool += 33;
  const distinct = new Set(chars).size;
  const effective = Math.min(chars.length, distinct * 2);
  let bits = effective * Math.log2(Math.max(pool, 2));
  if (/^(passwor[dt]|passphrase|geheim|sealbird|qwert|asdf|12345|abc)/i.test(p)) bits /= 2;
  if (chars.length < MIN_PASSPHRASE_LENGTH) return bits < 28 ? 0 : 1;
  if (bits < 50) return 1;
  if (bits < 70) return 2;
  if (bits < 90) return 3;
  return 4;
}

export const STRENGTH_KEYS = ["strengthVeryWeak", "strengthWeak", "strengthFair", "strengthGood", "strengthStrong"] as const;
