import type { ErrorCode } from "../core/errors.js";

/** Documented in `sealbird --help`; scripts depend on them, so never renumber. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  keystore: 3,
  input: 4,
  internal: 70,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  if (code === "usage") return EXIT.usage;
  if (code === "internal") return EXIT.internal;
  if (code.startsWith("keystore-")) return EXIT.keystore;
  if (
    code === "io-error" ||
    code === "input-too-large" ||
    code === "asn1-malformed" ||
    code.startsWith("mime-") ||
    code === "pkcs12-corrupt" ||
    code === "cert-malformed" ||
    code === "pgp-malformed"
  ) {
    return EXIT.input;
  }
  return EXIT.failed;
}

export const EXIT_HELP = `Exit codes:
  0   success (for inspect: the message was analysed; read the status for the verdict)
  1   the operation failed (wrong PKCS#12 password, no key to decrypt, unsupported algorithm, ...)
  2   usage error (unknown command or option, missing argument)
  3   keystore problem (none at --keystore, wrong passphrase, locked)
  4   bad input (unreadable file, malformed message, certificate, PKCS#12 or key)
  70  internal error (a bug: please report it)
Errors are printed as one line on stderr: "sealbird: <code>: <message>".`;
