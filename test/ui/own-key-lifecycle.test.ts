// @vitest-environment node
/**
 * Life cycle of the user's own keys through the options handlers over the real keystore:
 * an OpenPGP key's expiry moved (gpg reads the new date from the exported public key), the key
 * revoked (gpg sees the revocation; it no longer signs, still decrypts), and the settings of
 * the S/MIME online checks.
 */
import { local } from "./setup-background.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeystoreService } from "../../src/background/keystore-service.js";
import { handleOptionsRequest } from "../../src/background/options-handler.js";
import type { OptionsAnswer, OptionsRequestMap, OptionsRequestType } from "../../src/background/options/types.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { Gpg, hasGpg } from "../pgp/gpg.js";
import { expiresWithinNotice } from "../../src/background/options/entries.js";
import { keyLookup } from "../../src/background/compose/service.js";

const PASS = "correct horse battery staple";
let ks: KeystoreService;
let gpg: Gpg;

async function call<K extends OptionsRequestType>(type: K, payload: OptionsRequestMap[K]["req"]): Promise<OptionsAnswer<K>> {
  return (await handleOptionsRequest({ type, ...payload }, ks)) as OptionsAnswer<K>;
}
const code = (p: Promise<unknown>) => p.then(() => "no error", (e) => (isSealbirdError(e) ? e.code : String(e)));

/** gpg's view of an armored public key: validity letter and expiry (unix seconds, "" = never). */
function gpgShows(armored: Uint8Array): { validity: string; expires: string } {
  const out = new TextDecoder().decode(gpg.run(["--with-colons", "--show-keys"], { input: armored }).stdout);
  const pub = out.split("\n").find((l) => l.startsWith("pub:"))!.split(":");
  return { validity: pub[1]!, expires: pub[6]! };
}

beforeAll(async () => {
  ks = new KeystoreService();
  gpg = new Gpg();
  await call("options:create", { passphrase: PASS });
});
afterAll(() => gpg?.dispose());

describe.skipIf(!hasGpg)("own OpenPGP key: expiry and revocation from the options page", () => {
  it("moves the expiry; gpg reads the new date; the notice period is 30 days", async () => {
    const g = await call("options:generate-pgp", { name: "Alice", email: "alice@example.org", keyType: "curve25519" });
    expect(g.entry.notAfter).toBeUndefined();
    const soon = new Date(Date.now() + 10 * 86400_000).toISOString();
    const e = await call("options:pgp-set-expiry", { id: g.entry.id, expiresAt: soon });
    expect(e.fingerprint).toBe(g.entry.fingerprint);
    expect(e.expiresSoon).toBe(true);
    expect(Math.abs(new Date(e.notAfter!).getTime() - new Date(soon).getTime())).toBeLessThan(2000);
    const pub = await call("options:export-pgp-public", { id: g.entry.id });
    expect(Math.abs(Number(gpgShows(pub.bytes).expires) * 1000 - new Date(soon).getTime())).toBeLessThan(2000);
    const later = new Date(Date.now() + 2 * 365 * 86400_000).toISOString();
    const e2 = await call("options:pgp-set-expiry", { id: g.entry.id, expiresAt: later });
    expect(e2.expiresSoon).toBeUndefined();
    expect(expiresWithinNotice(e2.notAfter)).toBe(false);
    expect(await code(call("options:pgp-set-expiry", { id: g.entry.id, expiresAt: "2001-01-01T00:00:00Z" }))).toBe("usage");
    const never = await call("options:pgp-set-expiry", { id: g.entry.id, expiresAt: null });
    expect(never.notAfter).toBeUndefined();
    expect(gpgShows((await call("options:export-pgp-public", { id: g.entry.id })).bytes).expires).toBe("");
  });

  it("revokes only with the keystore passphrase; gpg sees the revocation; the key no longer signs", async () => {
    const [entry] = (await call("options:list", {})).own.filter((x) => x.kind === "pgp-secret-key");
    expect(await code(call("options:pgp-revoke", { id: entry!.id, keystorePassphrase: "wrong wrong wrong", reason: "superseded" }))).toBe("keystore-wrong-passphrase");
    const ring = await ks.keyring();
    expect(await keyLookup(ring).canSign("alice@example.org", "openpgp")).toBe(true);
    const r = await call("options:pgp-revoke", { id: entry!.id, keystorePassphrase: PASS, reason: "superseded" });
    expect(r.entry.validity).toBe("revoked");
    // Imported into gpg's keyring, the key is listed as revoked.
    gpg.run(["--import"], { input: r.publicKey.bytes });
    const listed = new TextDecoder().decode(gpg.run(["--with-colons", "--list-keys", entry!.fingerprint.toUpperCase()]).stdout);
    expect(listed.split("\n").find((l) => l.startsWith("pub:"))!.split(":")[1]).toBe("r");
    expect(await keyLookup(ring).canSign("alice@example.org", "openpgp")).toBe(false);
    await expect(ring.pgpSecretFor("alice@example.org")).rejects.toMatchObject({ code: "no-key" });
    // Still there to decrypt old mail.
    expect((await ring.pgpContext()).secretKeys.length).toBe(1);
  });
});

describe("S/MIME online check settings", () => {
  it("soft-fail and every LDAP address book by default; stored values are normalised", async () => {
    // Nothing is allowed until the user grants the optional host permission.
    expect(await call("options:checks-get", {})).toEqual({ checks: { revocation: "soft-fail", ldap: { enabled: true, off: [] } }, directories: [], permitted: false });
    const set = await call("options:checks-set", { checks: { revocation: "hard-fail", ldap: { enabled: false, off: ["ldap_2.servers.a", "ldap_2.servers.a"] } } });
    expect(set.checks).toEqual({ revocation: "hard-fail", ldap: { enabled: false, off: ["ldap_2.servers.a"] } });
    const bad = await call("options:checks-set", { checks: { revocation: "sometimes", ldap: "no" } as never });
    expect(bad.checks).toEqual({ revocation: "soft-fail", ldap: { enabled: true, off: [] } });
    expect(local.data.get("sealbird.certificateChecks")).toEqual(bad.checks);
  });
});
