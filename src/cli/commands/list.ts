import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { backend } from "../keystore-access.js";
import { EXIT } from "../exit-codes.js";
import { Keystore } from "../../core/keystore/index.js";
import { Keyring, type KeyringEntry } from "../../core/keyring/keyring.js";

const KIND_LABEL: Record<string, string> = {
  "smime-identity": "smime-identity",
  "smime-certificate": "smime-cert",
  "trust-anchor": "trust-anchor",
  "pgp-secret-key": "pgp-secret",
  "pgp-public-key": "pgp-public",
};

export function formatEntry(e: KeyringEntry): string {
  const parts = [KIND_LABEL[e.kind] ?? e.kind, e.fingerprint, e.emails.join(",") || "-"];
  if (e.notAfter) parts.push(`until ${e.notAfter.slice(0, 10)}`);
  if (e.pending) parts.push("PENDING");
  parts.push(e.label ?? e.subject ?? "");
  return parts.join("  ").trimEnd();
}

export const listCommand: Command = {
  async run(args) {
    const { values } = parse(args, { ...KEYSTORE_OPTIONS, json: { type: "boolean" } }, { min: 0, max: 0, names: "no arguments" });
    // Listing reads public parts only: no passphrase needed.
    const ring = new Keyring(await Keystore.open(backend(values)));
    const entries = await ring.list();
    if (values.json) process.stdout.write(JSON.stringify(entries, null, 2) + "\n");
    else for (const e of entries) process.stdout.write(formatEntry(e) + "\n");
    return EXIT.ok;
  },
};
