import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse, requireString } from "../args.js";
import { openKeyring, secretFrom } from "../keystore-access.js";
import { readInput, writeOutput } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { SealbirdError } from "../../core/errors.js";
import { protectMessage, type LayerWriter } from "../../core/message/protect.js";
import { smimeWriter } from "../../core/message/smime-adapter.js";
import { pgpWriter } from "../../core/message/pgp-adapter.js";
import type { Keyring } from "../../core/keyring/keyring.js";
import type { OnlineRevocation } from "../../core/cert/online-revocation.js";
import { keystoreDirOf, LDAP_HELP, LDAP_OPTIONS, ldapDirectories, ONLINE_HELP, ONLINE_OPTIONS, onlineRevocation, revocationMode } from "../online.js";
import type { LdapDirectory } from "../../core/ldap/certificate-lookup.js";

const OPTIONS = {
  ...KEYSTORE_OPTIONS,
  from: { type: "string" },
  to: { type: "string" },
  sign: { type: "boolean" },
  encrypt: { type: "boolean" },
  smime: { type: "boolean" },
  pgp: { type: "boolean" },
  "message-password-file": { type: "string" },
  "no-autocrypt": { type: "boolean" },
  out: { type: "string", short: "o" },
  ...ONLINE_OPTIONS,
  ...LDAP_OPTIONS,
} as const;

export const protectCommand: Command = {
  help: `  Encrypted messages are always encrypted to the sender too, so the Sent copy stays readable.
  The real Subject and addresses go inside (RFC 9788); the outer Subject becomes "[...]".
  --no-autocrypt                    no Autocrypt header with the sender's key, and no Autocrypt-Gossip
                                    (the other recipients' keys, inside the encryption) (--pgp)
  --pgp --message-password-file F   also encrypt with a password (for recipients without a key:
                                    any OpenPGP tool opens it, e.g. gpg --decrypt)
  --smime --encrypt: recipients' certificates are checked for revocation (OCSP, CRL) first; an
  expired or revoked certificate is never used.
${ONLINE_HELP}${LDAP_HELP}`,
  async run(args) {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, names: "IN.eml" });
    const from = requireString(values.from, "--from");
    const out = requireString(values.out, "-o");
    const sign = values.sign === true;
    const encrypt = values.encrypt === true;
    if (values.smime && values.pgp) throw new SealbirdError("usage", "choose one of --smime and --pgp");
    if (!values.smime && !values.pgp) throw new SealbirdError("usage", "choose --smime or --pgp");
    const password =
      typeof values["message-password-file"] === "string"
        ? secretFrom(values["message-password-file"], "message-password-file", "SEALBIRD_MESSAGE_PASSWORD")
        : undefined;
    if (password && !values.pgp) throw new SealbirdError("usage", "password-protected messages are OpenPGP only (--pgp)");
    if (password && !encrypt) throw new SealbirdError("usage", "--message-password-file needs --encrypt");
    const to = (values.to ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (encrypt && to.length === 0 && !password) throw new SealbirdError("usage", "--encrypt needs --to");
    const raw = readInput(positionals[0]!, "message");
    const ring = await openKeyring(values);
    const online = { revocation: onlineRevocation(revocationMode(values.revocation), keystoreDirOf(values)), directories: ldapDirectories(values.ldap) };
    if (values.ldap?.length && !values.smime) throw new SealbirdError("usage", "--ldap finds S/MIME certificates (--smime)");
    const writer = values.smime ? await smime(ring, from, to, sign, encrypt, online) : await pgp(ring, from, to, sign, encrypt, password);
    const outerHeaders = values.pgp && !values["no-autocrypt"] ? await autocrypt(ring, from) : [];
    // Gossip: with several recipients, each learns the others' keys, inside the encryption.
    const innerHeaders = values.pgp && encrypt && !values["no-autocrypt"] ? await ring.pgpGossip(to, from) : [];
    writeOutput(out, await protectMessage(raw, { writer, sign, encrypt, outerHeaders, innerHeaders }), "message");
    return EXIT.ok;
  },
};

async function smime(
  ring: Keyring,
  from: string,
  to: string[],
  sign: boolean,
  encrypt: boolean,
  online: { revocation: OnlineRevocation; directories: LdapDirectory[] },
): Promise<LayerWriter> {
  const signer = sign ? await ring.smimeSigner(from) : undefined;
  if (encrypt) await checkRecipients(ring, unique(to), online);
  const recipients = encrypt ? await ring.smimeRecipients(unique([...to, from])) : [];
  return smimeWriter(signer, recipients);
}

/**
 * Recipients without a certificate are looked up in the directories; every recipient's
 * certificate is then judged (revocation included). Refused certificates stop the send.
 */
async function checkRecipients(ring: Keyring, to: string[], online: { revocation: OnlineRevocation; directories: LdapDirectory[] }): Promise<void> {
  const { checkStoredRecipient, findInDirectories } = await import("../../core/keyring/recipient-certificates.js");
  const refused: string[] = [];
  for (const email of to) {
    let check = await checkStoredRecipient(ring, email, { revocation: online.revocation });
    if (!check && online.directories.length) {
      const found = await findInDirectories(ring, email, online.directories, { revocation: online.revocation });
      for (const e of found.errors) process.stderr.write(`sealbird: note: ${e.directory}: ${e.code}: ${e.message}\n`);
      if (found.stored.length) check = await checkStoredRecipient(ring, email, { revocation: online.revocation });
    }
    if (check && !check.judgement.usable) refused.push(`${email} (${check.judgement.problems.join(", ")})`);
    const r = check?.judgement.revocation;
    if (r && r.state === "not-checked") process.stderr.write(`sealbird: note: the revocation of ${email}'s certificate could not be checked\n`);
  }
  if (refused.length) throw new SealbirdError("recipient-no-key", `Certificates refused: ${refused.join("; ")}`, { missing: refused });
}

async function pgp(ring: Keyring, from: string, to: string[], sign: boolean, encrypt: boolean, password?: string): Promise<LayerWriter> {
  const { parsePrivateKeys } = await import("../../core/pgp/index.js");
  const signer = sign ? (await parsePrivateKeys(await ring.pgpSecretFor(from)))[0] : undefined;
  let recipients: string[] = [];
  if (encrypt && password) {
    // Recipients without a key get the password; the sender's own key keeps the Sent copy readable.
    recipients = await ring.pgpPublicFor([from]).catch(() => []);
  } else if (encrypt) {
    recipients = await ring.pgpPublicFor(unique([...to, from]));
  }
  return pgpWriter(signer, recipients, password ? [password] : []);
}

/** The sender's own key as an Autocrypt header, when they have one. */
async function autocrypt(ring: Keyring, from: string): Promise<{ name: string; value: string }[]> {
  const armored = await ring.pgpPublicFor([from]).catch(() => []);
  if (!armored[0]) return [];
  const { parseKeys, formatAutocryptHeader } = await import("../../core/pgp/index.js");
  const [key] = await parseKeys(armored[0]);
  return key ? [{ name: "Autocrypt", value: await formatAutocryptHeader(from, key.toPublic()) }] : [];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.map((x) => x.toLowerCase()))];
}
