/** Recognises what a key or certificate file is from its bytes, so users need not say. */
import { ascii } from "../bytes.js";

export type KeyFileKind = "openpgp" | "certificate" | "pkcs12";

export function detectKeyFile(data: Uint8Array): KeyFileKind {
  const head = ascii(data.subarray(0, 4096));
  if (/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----/.test(head)) return "openpgp";
  if (/-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/.test(head)) return "certificate";
  const first = data[0] ?? 0;
  // A DER SEQUENCE is either a certificate or a PFX; a PFX starts with INTEGER 3 (its version)
  // right inside the outer SEQUENCE, a certificate with another SEQUENCE (tbsCertificate).
  if (first === 0x30) {
    const lenByte = data[1] ?? 0;
    const inner = lenByte & 0x80 ? 2 + (lenByte & 0x7f) : 2;
    return data[inner] === 0x02 ? "pkcs12" : "certificate";
  }
  // Binary OpenPGP packets have the high bit set in their tag byte.
  if (first & 0x80) return "openpgp";
  return "certificate"; // let the certificate parser say precisely what is wrong
}
