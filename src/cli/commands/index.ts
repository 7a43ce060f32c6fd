import type { CommandEntry } from "../command.js";

/** Every sealbird command, by name (the module of each is loaded when it runs). */
export const COMMANDS: Record<string, CommandEntry> = {
  keystore: {
    usage: "keystore init|passwd|export|import [FILE]",
    summary: "create the keystore, change its passphrase, export or import an encrypted backup",
    load: async () => (await import("./keystore.js")).keystoreCommand,
  },
  import: {
    usage: "import FILE [--password P|--password-file F] [--as correspondent|anchor]",
    summary: "import a PKCS#12 identity, certificates (PEM/DER) or OpenPGP keys",
    load: async () => (await import("./import.js")).importCommand,
  },
  trust: {
    usage: "trust CA-CERT",
    summary: "add a trust anchor (root certificate, PEM or DER)",
    load: async () => (await import("./import.js")).trustCommand,
  },
  list: {
    usage: "list [--json]",
    summary: "list keys and certificates, one line each",
    load: async () => (await import("./list.js")).listCommand,
  },
  inspect: {
    usage: "inspect MESSAGE.eml [--json] [--out DECRYPTED.eml] [--html VIEW.html]",
    summary: "show what a message's signature and encryption mean; decrypt it",
    load: async () => (await import("./inspect.js")).inspectCommand,
  },
  protect: {
    usage: "protect IN.eml --from A --to B[,C] [--sign] [--encrypt] [--smime|--pgp] -o OUT.eml",
    summary: "sign and/or encrypt a message (S/MIME or PGP/MIME)",
    load: async () => (await import("./protect.js")).protectCommand,
  },
  keygen: {
    usage: 'keygen --pgp --uid "Name <addr>" [--rsa] [--revocation-out FILE]',
    summary: "generate an OpenPGP key (curve25519; RSA-4096 with --rsa) into the keystore",
    load: async () => (await import("./keys.js")).keygenCommand,
  },
  export: {
    usage: "export FINGERPRINT|ADDRESS [--pgp|--smime] -o FILE [--secret|--pkcs12 [--legacy]]",
    summary: "export a public key or certificate; with --secret/--pkcs12 the private key, protected",
    load: async () => (await import("./keys.js")).exportCommand,
  },
  lookup: {
    usage: "lookup ADDRESS [--wkd] [--keyserver URL] [--ldap URL] [--json] [--no-store]",
    summary: "find a correspondent's OpenPGP key (Web Key Directory, keyserver) or S/MIME certificate (--ldap) and store it",
    load: async () => (await import("./discovery.js")).lookupCommand,
  },
  refresh: {
    usage: "refresh [--wkd] [--keyserver URL] [--json]",
    summary: "ask the key sources again for every correspondent's OpenPGP key (revocations, new subkeys, expiry)",
    load: async () => (await import("./discovery.js")).refreshCommand,
  },
};
