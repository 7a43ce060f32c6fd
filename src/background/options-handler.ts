/**
 * Requests from the options page and the unlock prompt (keystore life cycle, keys,
 * correspondents, trust anchors, policy). The request and answer shapes are in
 * ./options/types.ts (OptionsRequestMap); the work is in ./options/*.
 */
import type { KeystoreService } from "./keystore-service.js";
import { SealbirdError } from "../core/errors.js";
import { attachKeystore, getAutoLockMinutes, setAutoLockMinutes } from "./options/autolock.js";
import { changePassphrase, createKeystore, exportBackup, importBackup } from "./options/lifecycle.js";
import { listEntries } from "./options/entries.js";
import { readSetup, writeSetup } from "./options/setup.js";
import { thunderbirdIdentities } from "./options/identities.js";
import {
  asBytes,
  exportPgpPublic,
  exportPgpSecret,
  exportPkcs12File,
  generatePgp,
  importCertificateFile,
  importPgpFile,
  importPkcs12File,
  rejectPendingKey,
  removeEntry,
  revokePgp,
  setPgpExpiry,
} from "./options/keys.js";
import { readPolicy, writePolicy, assertPolicyInput } from "./options/policy.js";
import { getListSubject, setListSubject } from "./options/list-subject.js";
import { importThunderbirdRoots, thunderbirdCertificates } from "./options/thunderbird-certs.js";
import { getChecks, ldapDirectoryViews, setChecks } from "./options/certificate-checks.js";
import { revocationPermitted } from "./online-checks.js";
import type { OptionsAnswer, OptionsCall, OptionsRequestType, OptionsState } from "./options/types.js";

export type { OptionsRequestMap, OptionsRequestType } from "./options/types.js";

export interface OptionsRequest {
  type: `options:${string}`;
  [k: string]: unknown;
}

export function isOptionsRequest(m: unknown): m is OptionsRequest {
  const t = (m as { type?: unknown } | null)?.type;
  return typeof t === "string" && t.startsWith("options:");
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

async function state(keystore: KeystoreService): Promise<OptionsState> {
  return { ...(await keystore.state()), autoLockMinutes: await getAutoLockMinutes() };
}

type Handlers = { [K in OptionsRequestType]: (req: OptionsCall<K>, keystore: KeystoreService) => Promise<OptionsAnswer<K>> };

const handlers: Handlers = {
  "options:state": (_r, ks) => state(ks),
  "options:create": async (r, ks) => {
    await createKeystore(ks, str(r.passphrase));
    // Made by the guided setup (the only page that creates): it goes on with the identities.
    await writeSetup({ step: "identities" });
    return state(ks);
  },
  "options:unlock": async (r, ks) => {
    await ks.unlock(str(r.passphrase));
    return state(ks);
  },
  "options:lock": async (_r, ks) => {
    await ks.lock();
    return state(ks);
  },
  "options:change-passphrase": async (r, ks) => {
    await changePassphrase(ks, str(r.oldPassphrase), str(r.newPassphrase));
    return null;
  },
  "options:set-auto-lock": async (r, ks) => {
    await setAutoLockMinutes(Number(r.minutes));
    return state(ks);
  },
  "options:setup-get": async (_r, ks) => readSetup((await ks.state()).exists),
  "options:setup-set": (r) => writeSetup({ step: r.step, identity: r.identity }),
  "options:backup-export": (r, ks) => exportBackup(ks, str(r.passphrase)),
  "options:backup-import": (r, ks) => importBackup(ks, asBytes(r.bytes), str(r.passphrase)),
  "options:list": async (_r, ks) => listEntries((await ks.keyring()).store),
  "options:identities": () => thunderbirdIdentities(),
  "options:import-pkcs12": async (r, ks) => importPkcs12File(await ks.keyring(), asBytes(r.bytes), str(r.password)),
  "options:export-pkcs12": (r, ks) => exportPkcs12File(ks, str(r.id), str(r.keystorePassphrase), str(r.password), r.legacy === true),
  "options:generate-pgp": async (r, ks) => generatePgp(await ks.keyring(), str(r.name), str(r.email), r.keyType === "rsa4096" ? "rsa4096" : "curve25519"),
  "options:import-pgp": async (r, ks) => importPgpFile(await ks.keyring(), asBytes(r.bytes), str(r.passphrase)),
  "options:export-pgp-public": async (r, ks) => exportPgpPublic((await ks.keyring()).store, str(r.id)),
  "options:export-pgp-secret": (r, ks) => exportPgpSecret(ks, str(r.id), str(r.keystorePassphrase), str(r.passphrase)),
  "options:import-certificates": async (r, ks) => importCertificateFile(await ks.keyring(), asBytes(r.bytes), r.as),
  "options:remove": async (r, ks) => {
    await removeEntry((await ks.keyring()).store, str(r.id));
    return null;
  },
  "options:accept-key": async (r, ks) => {
    await (await ks.keyring()).acceptPgpKey(str(r.id));
    return null;
  },
  "options:reject-key": async (r, ks) => {
    await rejectPendingKey((await ks.keyring()).store, str(r.id));
    return null;
  },
  "options:policy-get": async (_r, ks) => readPolicy((await ks.keyring()).store),
  "options:policy-set": async (r, ks) => {
    assertPolicyInput(r.policy);
    return writePolicy((await ks.keyring()).store, r.policy);
  },
  "options:list-subject-get": () => getListSubject(),
  "options:list-subject-set": (r) => setListSubject(r.on === true),
  "options:thunderbird-certs": async (_r, ks) => thunderbirdCertificates(await ks.keyring()),
  "options:thunderbird-import-roots": async (_r, ks) => importThunderbirdRoots(await ks.keyring()),
  "options:pgp-set-expiry": async (r, ks) => setPgpExpiry(await ks.keyring(), str(r.id), typeof r.expiresAt === "string" ? r.expiresAt : null),
  "options:pgp-revoke": (r, ks) => revokePgp(ks, str(r.id), str(r.keystorePassphrase), str(r.reason)),
  "options:checks-get": async () => {
    const checks = await getChecks();
    return { checks, directories: await ldapDirectoryViews(checks), permitted: await revocationPermitted() };
  },
  "options:checks-set": async (r) => {
    const checks = await setChecks(r.checks);
    return { checks, directories: await ldapDirectoryViews(checks), permitted: await revocationPermitted() };
  },
};

export async function handleOptionsRequest(req: OptionsRequest, keystore: KeystoreService): Promise<unknown> {
  attachKeystore(keystore);
  const handler = (handlers as unknown as Record<string, ((r: OptionsRequest, ks: KeystoreService) => Promise<unknown>) | undefined>)[req.type];
  if (!Object.hasOwn(handlers, req.type) || !handler) throw new SealbirdError("usage", `Unknown options request ${req.type}.`);
  return handler(req, keystore);
}
