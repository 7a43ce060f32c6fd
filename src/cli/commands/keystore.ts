import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { Keystore } from "../../core/keystore/index.js";
import { SealbirdError } from "../../core/errors.js";
import { backend, passphrase, openUnlocked, secretFrom, type KeystoreFlags } from "../keystore-access.js";
import { readInput, writeOutput } from "../io.js";
import { EXIT } from "../exit-codes.js";

const OPTIONS = {
  ...KEYSTORE_OPTIONS,
  "new-passphrase-file": { type: "string" },
  "backup-passphrase-file": { type: "string" },
  out: { type: "string", short: "o" },
  replace: { type: "boolean" },
} as const;

export const keystoreCommand: Command = {
  help: `  init                          create a keystore in --keystore DIR
  passwd --new-passphrase-file F change the passphrase (or SEALBIRD_NEW_PASSPHRASE)
  export -o FILE                write an encrypted backup (passphrase: --backup-passphrase-file
                                or SEALBIRD_BACKUP_PASSPHRASE, else the keystore passphrase)
  import FILE [--replace]       import a backup (into a new or an existing keystore)
`,
  async run(args) {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 2, names: "init|passwd|export|import [FILE]" });
    const flags: KeystoreFlags = values;
    const [sub, file] = positionals;
    // A backup has its own passphrase when one is given, else the keystore's.
    const backupPass = () =>
      typeof values["backup-passphrase-file"] === "string" || process.env["SEALBIRD_BACKUP_PASSPHRASE"]
        ? secretFrom(values["backup-passphrase-file"], "backup-passphrase-file", "SEALBIRD_BACKUP_PASSPHRASE")
        : passphrase(flags);
    switch (sub) {
      case "init": {
        await Keystore.create(backend(flags), passphrase(flags));
        process.stdout.write("keystore created\n");
        return EXIT.ok;
      }
      case "passwd": {
        const ks = await Keystore.open(backend(flags));
        const next = secretFrom(values["new-passphrase-file"], "new-passphrase-file", "SEALBIRD_NEW_PASSPHRASE");
        await ks.changePassphrase(passphrase(flags), next);
        process.stdout.write("passphrase changed\n");
        return EXIT.ok;
      }
      case "export": {
        if (typeof values.out !== "string") throw new SealbirdError("usage", "export needs -o FILE");
        const ks = await openUnlocked(flags);
        writeOutput(values.out, await ks.exportBackup(backupPass()), "backup");
        process.stdout.write(`backup written to ${values.out}\n`);
        return EXIT.ok;
      }
      case "import": {
        if (!file) throw new SealbirdError("usage", "import needs a backup FILE");
        const bytes = readInput(file, "backup");
        let existing: Keystore | null = null;
        try {
          existing = await Keystore.open(backend(flags));
        } catch (e) {
          if (!(e instanceof SealbirdError && e.code === "keystore-not-found")) throw e;
        }
        if (!existing) {
          await Keystore.importBackup(backend(flags), bytes, backupPass(), { newPassphrase: passphrase(flags) });
          process.stdout.write("keystore restored from backup\n");
        } else {
          await existing.unlock(passphrase(flags));
          const r = await existing.importBackup(bytes, backupPass(), { onConflict: values.replace ? "replace" : "skip" });
          process.stdout.write(`imported: ${r.added} added, ${r.replaced} replaced, ${r.skipped} skipped\n`);
        }
        return EXIT.ok;
      }
      default:
        throw new SealbirdError("usage", `unknown keystore subcommand "${sub}"`);
    }
  },
};
