// sealbird: the command line on the Sealbird engine. One line on stderr per error, typed
// exit codes, never a stack trace for bad input.
import { SealbirdError, isSealbirdError } from "../core/errors.js";
import { EXIT, EXIT_HELP, exitCodeFor } from "./exit-codes.js";
import { COMMANDS } from "./commands/index.js";
import { installNativeBase64 } from "../node/native-base64.js";
import { installSyncDecompression } from "../node/sync-decompression.js";

// Node's native base64 for the engine's 25 MB bodies (Thunderbird has it built in), and
// one-shot inflating for openpgp.js instead of a thread-pool round trip per 64 KiB.
installNativeBase64();
installSyncDecompression();

const HELP = `sealbird — S/MIME and OpenPGP e-mail security on the command line

Usage: sealbird <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}\n      ${c.summary}`)
  .join("\n")}

Keystore and passphrase:
  --keystore DIR          keystore directory (or SEALBIRD_KEYSTORE)
  --passphrase-file FILE  keystore passphrase, first line of FILE (or SEALBIRD_PASSPHRASE)

${EXIT_HELP}
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new SealbirdError("usage", `unknown command "${name}" (see sealbird --help)`);
  const loaded = await command.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`Usage: sealbird ${command.usage}\n${command.summary}\n${loaded.help ?? ""}`);
    return EXIT.ok;
  }
  return loaded.run(rest);
}

declare const __SEALBIRD_VERSION__: string | undefined;
const VERSION = typeof __SEALBIRD_VERSION__ === "string" ? __SEALBIRD_VERSION__ : "dev";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (isSealbirdError(e)) {
      process.stderr.write(`sealbird: ${e.code}: ${e.message}\n`);
      process.exitCode = exitCodeFor(e.code);
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`sealbird: internal: ${msg.split("\n")[0]}\n`);
      if (process.env["SEALBIRD_DEBUG"]) console.error(e);
      process.exitCode = EXIT.internal;
    }
  },
);
