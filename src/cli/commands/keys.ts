import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse, requireString } from "../args.js";
import { openKeyring, openUnlocked, secretFrom } from "../keystore-access.js";
import { writeOutput } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { SealbirdError } from "../../core/errors.js";
import { Keyring } from "../../core/keyring/keyring.js";
import { formatEntry } from "./list.js";
import { parseAddressList } from "../../core/mime/index.js";
import { exportPublicKey, exportSecretKey } from "../../core/pgp/index.js";
import { parseKeys, parsePrivateKeys } from "../../core/pgp/context.js";
import { exportPkcs12 } from "../../core/pkcs12/index.js";
import { unb64 } from "../../core/keyring/record-codec.js";

export const keygenCommand: Command = {
  async run(args) {
    const { values } = parse(
      args,
      { ...KEYSTORE_OPTIONS, pgp: { type: "boolean" }, uid: { type: "string" }, rsa: { type: "boolean" }, "revocation-out": { type: "string" } },
      { min: 0, max: 0, names: "no positional arguments" },
    );
    if (!values.pgp) throw new SealbirdError("usage", "only OpenPGP keys are generated here (--pgp); S/MIME certificates come from a CA (import a PKCS#12)");
    const uid = parseAddressList(requireString(values.uid, "--uid"))[0];
    if (!uid) throw new SealbirdError("usage", '--uid needs "Name <address>"');
    const ring = await openKeyring(values);
    const { entry, revocationCertificate } = await ring.generatePgp({ name: uid.name, email: uid.address }, values.rsa ? "rsa4096" : "curve25519");
    if (values["revocation-out"]) writeOutput(values["revocation-out"], revocationCertificate, "revocation certificate");
    process.stdout.write(`generated ${formatEntry(entry)}\n`);
    if (!values["revocation-out"]) process.stderr.write("sealbird: note: keep a revocation certificate: run again with --revocation-out FILE next time\n");
    return EXIT.ok;
  },
};

const EXPORT_OPTIONS = {
  ...KEYSTORE_OPTIONS,
  out: { type: "string", short: "o" },
  secret: { type: "boolean" },
  pkcs12: { type: "boolean" },
  legacy: { type: "boolean" },
  "export-passphrase-file": { type: "string" },
  pgp: { type: "boolean" },
  smime: { type: "boolean" },
} as const;

export const exportCommand: Command = {
  help: `  OpenPGP: armored public key; --secret writes the secret key encrypted with the passphrase
  from --export-passphrase-file (or SEALBIRD_EXPORT_PASSPHRASE).
  S/MIME: the certificate (PEM); --pkcs12 writes a PKCS#12 (AES-256, or 3DES with --legacy for
  old Windows/iOS) protected by that passphrase.
`,
  async run(args) {
    const { values, positionals } = parse(args, EXPORT_OPTIONS, { min: 1, max: 1, names: "FINGERPRINT|ADDRESS" });
    const out = requireString(values.out, "-o");
    const wanted = positionals[0]!.toLowerCase().replace(/\s+/g, "");
    const needsSecret = values.secret || values.pkcs12;
    const store = await openUnlocked(values);
    const ring = new Keyring(store);
    // An address can have both an S/MIME certificate and an OpenPGP key: --pgp/--smime choose.
    const kindOk = (kind: string) => (values.pgp ? kind.startsWith("pgp-") : values.smime ? !kind.startsWith("pgp-") : true);
    const entry = (await ring.list()).find(
      (e) => kindOk(e.kind) && ((e.fingerprint && e.fingerprint.endsWith(wanted) && wanted.length >= 16) || e.emails.includes(wanted)),
    );
    if (!entry) throw new SealbirdError("keystore-record-not-found", `nothing in the keystore matches ${positionals[0]}`);
    const record = await store.getRecord(entry.id);
    const exportPass = () => secretFrom(values["export-passphrase-file"], "export-passphrase-file", "SEALBIRD_EXPORT_PASSPHRASE");
    if (entry.kind.startsWith("pgp-")) {
      if (values.pkcs12) throw new SealbirdError("usage", "--pkcs12 is for S/MIME identities");
      if (!needsSecret) {
        const [key] = await parseKeys(String(record.public["publicKey"]));
        writeOutput(out, exportPublicKey(key!), "public key");
      } else {
        const [key] = await parsePrivateKeys(await store.getSecret(entry.id));
        writeOutput(out, await exportSecretKey(key!, exportPass()), "secret key");
      }
    } else {
      const certificate = unb64(record.public["certificate"]);
      if (!needsSecret) {
        const { derToPem } = await import("../../core/cert/index.js");
        writeOutput(out, derToPem(certificate, "CERTIFICATE"), "certificate");
      } else {
        if (entry.kind !== "smime-identity") throw new SealbirdError("usage", "only your own identities have a private key to export");
        const chain = ((record.public["chain"] as string[]) ?? []).map(unb64);
        const p12 = await exportPkcs12({ privateKeyPkcs8: await store.getSecret(entry.id), certificate, chain, friendlyName: record.label }, exportPass(), { legacy: values.legacy === true });
        writeOutput(out, p12, "PKCS#12");
      }
    }
    process.stdout.write(`exported ${formatEntry(entry)} to ${out}\n`);
    return EXIT.ok;
  },
};
