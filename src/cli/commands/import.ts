import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { openKeyring, secretFrom } from "../keystore-access.js";
import { readInput } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { SealbirdError } from "../../core/errors.js";
import { importKeyFile } from "../../core/keyring/import-file.js";
import { formatEntry } from "./list.js";

const OPTIONS = {
  ...KEYSTORE_OPTIONS,
  password: { type: "string" },
  "password-file": { type: "string" },
  as: { type: "string" },
} as const;

export const importCommand: Command = {
  help: `  The kind of FILE is recognised from its content. PKCS#12 files and passphrase-protected
  OpenPGP secret keys take --password or --password-file (a PKCS#12 without one is tried with
  the empty password). Certificates are correspondents' unless --as anchor.
`,
  async run(args) {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, names: "FILE" });
    const file = positionals[0]!;
    const data = readInput(file, "file", 50 * 1024 * 1024);
    const password =
      typeof values.password === "string"
        ? values.password
        : typeof values["password-file"] === "string"
          ? secretFrom(values["password-file"], "password-file", "SEALBIRD_IMPORT_PASSWORD")
          : undefined;
    const as = values.as ?? "correspondent";
    if (as !== "correspondent" && as !== "anchor") throw new SealbirdError("usage", "--as takes correspondent or anchor");
    const ring = await openKeyring(values);
    const entries = await importKeyFile(ring, data, password, as);
    for (const e of entries) process.stdout.write(`imported ${formatEntry(e)}\n`);
    return EXIT.ok;
  },
};

export const trustCommand: Command = {
  async run(args) {
    const { values, positionals } = parse(args, KEYSTORE_OPTIONS, { min: 1, max: 1, names: "CA-CERT" });
    const ring = await openKeyring(values);
    for (const e of await ring.importCertificates(readInput(positionals[0]!, "certificate"), "trust-anchor")) {
      process.stdout.write(`trusted ${formatEntry(e)}\n`);
    }
    return EXIT.ok;
  },
};
