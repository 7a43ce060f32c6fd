import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { openKeyring } from "../keystore-access.js";
import { EXIT } from "../exit-codes.js";
import { SealbirdError } from "../../core/errors.js";
import { findInDirectories } from "../../core/keyring/recipient-certificates.js";
import { certificateInfo } from "../../core/cert/index.js";
import { keystoreDirOf, LDAP_OPTIONS, ldapDirectories, ONLINE_OPTIONS, onlineRevocation, revocationMode } from "../online.js";

/** `sealbird lookup ADDRESS --ldap URL`: the S/MIME half of the lookup command (./discovery.ts). */
export const LDAP_LOOKUP_HELP = `  --ldap URL         find the S/MIME certificate in this LDAP directory instead (repeatable);
                     kept only when it chains to one of your trust anchors, is valid now, binds
                     ADDRESS, may be used for encryption and is not revoked (--revocation MODE).
                     Exit code 1 when none is found.
`;

export const ldapLookup: Pick<Command, "run"> = {
  async run(args) {
    const { values, positionals } = parse(args, { ...KEYSTORE_OPTIONS, ...LDAP_OPTIONS, ...ONLINE_OPTIONS, json: { type: "boolean" } }, { min: 1, max: 1, names: "ADDRESS" });
    const email = positionals[0]!.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new SealbirdError("usage", `not an e-mail address: ${positionals[0]}`);
    const directories = ldapDirectories(values.ldap);
    if (!directories.length) throw new SealbirdError("usage", "name a directory with --ldap URL");
    const ring = await openKeyring(values);
    const r = await findInDirectories(ring, email, directories, { revocation: onlineRevocation(revocationMode(values.revocation), keystoreDirOf(values)) });
    if (values.json) {
      const brief = (f: (typeof r.found)[number]) => ({ fingerprint: f.fingerprint, subject: certificateInfo(f.certificate).subject, directory: f.directory, dn: f.dn, problems: f.judgement.problems });
      process.stdout.write(JSON.stringify({ found: r.found.map(brief), rejected: r.rejected.map(brief), errors: r.errors }, null, 2) + "\n");
    } else {
      for (const f of r.found) process.stdout.write(`found  ${f.fingerprint}  ${certificateInfo(f.certificate).subject}  in ${f.directory} (${f.dn})\n`);
      for (const f of r.rejected) process.stdout.write(`refused  ${f.fingerprint}  ${certificateInfo(f.certificate).subject}  in ${f.directory}: ${f.judgement.problems.join(", ")}\n`);
      for (const e of r.errors) process.stdout.write(`error  ${e.directory}: ${e.code}: ${e.message}\n`);
    }
    return r.found.length ? EXIT.ok : EXIT.failed;
  },
};
