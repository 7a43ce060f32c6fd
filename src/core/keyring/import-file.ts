/** Imports any key or certificate file into the keyring, recognised by its content. */
import { detectKeyFile } from "./key-file.js";
import type { Keyring, KeyringEntry } from "./keyring.js";

export async function importKeyFile(ring: Keyring, bytes: Uint8Array, password?: string, as: "correspondent" | "anchor" = "correspondent"): Promise<KeyringEntry[]> {
  switch (detectKeyFile(bytes)) {
    case "openpgp":
      return ring.importPgp(bytes, password);
    case "certificate":
      return ring.importCertificates(bytes, as === "anchor" ? "trust-anchor" : "smime-certificate");
    case "pkcs12":
      return [await ring.importPkcs12(bytes, password ?? "")];
  }
}
