// @vitest-environment node
/**
 * The options background handlers over the real Keystore (IndexedDB via fake-indexeddb) and
 * real PKCS#12 files written by openssl at test time.
 */
import { identities, local } from "./setup-background.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { KeystoreService } from "../../src/background/keystore-service.js";
import { handleOptionsRequest } from "../../src/background/options-handler.js";
import type { OptionsAnswer, OptionsRequestMap, OptionsRequestType } from "../../src/background/options/types.js";
import { getPolicy, domainRuleFor, identityPolicy } from "../../src/background/options/policy.js";
import { ownCertificateWarnings } from "../../src/background/options/keys.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { createFixtures, type Fixtures } from "../pkcs12/fixtures.js";
import { SETUP_KEY } from "../../src/background/options/setup.js";

const PASS = "correct horse battery staple";
let fx: Fixtures;
let ks: KeystoreService;

async function call<K extends OptionsRequestType>(type: K, payload: OptionsRequestMap[K]["req"]): Promise<OptionsAnswer<K>> {
  return (await handleOptionsRequest({ type, ...payload }, ks)) as OptionsAnswer<K>;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isSealbirdError(e) ? e.code : `not a SealbirdError: ${String(e)}`;
  }
  return "no error";
}

beforeAll(() => {
  fx = createFixtures();
  ks = new KeystoreService();
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe("options handlers", () => {
  it("has no keystore at first; refuses a short passphrase; creates one unlocked", async () => {
    expect(await call("options:state", {})).toEqual({ exists: false, unlocked: false, autoLockMinutes: 15 });
    expect(await call("options:setup-get", {})).toEqual({ step: "passphrase" });
    expect(await code(call("options:create", { passphrase: "short" }))).toBe("usage");
    expect(await call("options:setup-get", {})).toEqual({ step: "passphrase" });
    expect(await call("options:create", { passphrase: PASS })).toEqual({ exists: true, unlocked: true, autoLockMinutes: 15 });
    // The guided setup goes on with the identities, also after the tab was closed.
    expect(await call("options:setup-get", {})).toEqual({ step: "identities" });
  });

  it("keeps the guided setup's step in storage.local; a keystore it did not make counts as set up", async () => {
    expect(await call("options:setup-set", { step: "identities", identity: "alice@example.org" })).toEqual({ step: "identities", identity: "alice@example.org" });
    expect(local.data.get(SETUP_KEY)).toEqual({ step: "identities", identity: "alice@example.org" });
    expect(await call("options:setup-get", {})).toEqual({ step: "identities", identity: "alice@example.org" });
    // Only the identities step carries an address; nonsense ends the setup rather than trapping the user in it.
    expect(await call("options:setup-set", { step: "backup", identity: "x@example.org" })).toEqual({ step: "backup" });
    expect(await call("options:setup-set", { step: "bogus" as "done" })).toEqual({ step: "finished" });
    expect(await call("options:setup-get", {})).toEqual({ step: "finished" });
    local.data.delete(SETUP_KEY);
    expect(await call("options:setup-get", {})).toEqual({ step: "finished" });
    await call("options:setup-set", { step: "done" });
  });

  it("imports a modern (AES/PBKDF2) PKCS#12 and lists public facts only", async () => {
    const out = await call("options:import-pkcs12", { bytes: fx.makeP12(fx.alice, "secret", ["-name", "Alice"]), password: "secret" });
    expect(out.warnings).toEqual([]);
    expect(out.entries).toHaveLength(1);
    const e = out.entries[0]!;
    expect(e).toMatchObject({ kind: "smime-identity", label: "Alice", emails: ["alice@example.org"], validity: "valid", hasSecret: true, pending: false });
    expect(e.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const lists = await call("options:list", {});
    expect(lists.own.map((x) => x.id)).toEqual([e.id]);
    expect(JSON.stringify(lists)).not.toMatch(/PRIVATE|secret"/);
  });

  it("imports a legacy (3DES/RC2, SHA-1 MAC) PKCS#12 and warns when no identity has its address", async () => {
    const out = await call("options:import-pkcs12", { bytes: fx.makeP12(fx.bob, "geheim", ["-legacy"]), password: "geheim" });
    expect(out.entries[0]).toMatchObject({ emails: ["bob@example.org"], validity: "valid" });
    expect(out.warnings).toEqual(["cert-no-identity"]);
    identities.push({ email: "Bob@Example.org", name: "Bob" });
    expect(await ownCertificateWarnings(out.entries[0]!)).toEqual([]);
  });

  it("reports a wrong password and a damaged file by code", async () => {
    const p12 = fx.makeP12(fx.carol, "secret");
    expect(await code(call("options:import-pkcs12", { bytes: p12, password: "wrong" }))).toBe("pkcs12-wrong-password");
    expect(await code(call("options:import-pkcs12", { bytes: p12.subarray(0, 200), password: "secret" }))).toBe("pkcs12-corrupt");
    expect((await call("options:list", {})).own).toHaveLength(2);
  });

  it("warns about an expired certificate", async () => {
    const w = await ownCertificateWarnings({
      id: "x", kind: "smime-identity", label: "x", emails: ["alice@example.org"], fingerprint: "00", validity: "expired", hasSecret: true, pending: false, replaces: [],
    });
    expect(w).toEqual(["cert-expired"]);
  });

  it("exports PKCS#12 (modern and legacy) only with the keystore passphrase; openssl reads them", async () => {
    const { own } = await call("options:list", {});
    const alice = own.find((e) => e.emails.includes("alice@example.org"))!;
    expect(await code(call("options:export-pkcs12", { id: alice.id, keystorePassphrase: "wrong passphrase", password: "x", legacy: false }))).toBe(
      "keystore-wrong-passphrase",
    );
    for (const legacy of [false, true]) {
      const d = await call("options:export-pkcs12", { id: alice.id, keystorePassphrase: PASS, password: "out-pass", legacy });
      expect(d.fileName).toMatch(/\.p12$/);
      const path = fx.write(`export-${legacy}.p12`, d.bytes);
      const args = ["pkcs12", "-in", path, "-passin", "pass:out-pass", "-nokeys", ...(legacy ? ["-legacy"] : [])];
      expect(fx.openssl(args).toString()).toContain("BEGIN CERTIFICATE");
    }
  });

  it("imports correspondents' certificates and trust anchors, and removes them", async () => {
    const pem = new TextEncoder().encode(readFileSync(fx.dave.certPath, "utf8"));
    const c = await call("options:import-certificates", { bytes: pem, as: "smime-certificate" });
    expect(c.entries[0]).toMatchObject({ kind: "smime-certificate", emails: ["dave@example.org"], hasSecret: false });
    const a = await call("options:import-certificates", { bytes: fx.root.certDer, as: "trust-anchor" });
    expect(a.entries[0]).toMatchObject({ kind: "trust-anchor", validity: "valid" });
    let lists = await call("options:list", {});
    expect(lists.correspondents).toHaveLength(1);
    expect(lists.anchors).toHaveLength(1);
    expect(await code(call("options:reject-key", { id: c.entries[0]!.id }))).toBe("usage");
    await call("options:remove", { id: a.entries[0]!.id });
    lists = await call("options:list", {});
    expect(lists.anchors).toHaveLength(0);
  });

  it("generates an OpenPGP key with a revocation certificate; exports public and (with the passphrase) secret", async () => {
    const g = await call("options:generate-pgp", { name: "Alice", email: "alice@example.org", keyType: "curve25519" });
    expect(g.entry).toMatchObject({ kind: "pgp-secret-key", emails: ["alice@example.org"], validity: "valid", hasSecret: true });
    expect(new TextDecoder().decode(g.revocation.bytes)).toContain("BEGIN PGP PUBLIC KEY BLOCK");
    const pub = await call("options:export-pgp-public", { id: g.entry.id });
    expect(new TextDecoder().decode(pub.bytes)).toContain("BEGIN PGP PUBLIC KEY BLOCK");
    expect(await code(call("options:export-pgp-secret", { id: g.entry.id, keystorePassphrase: "nope nope nope", passphrase: "p" }))).toBe("keystore-wrong-passphrase");
    const sec = await call("options:export-pgp-secret", { id: g.entry.id, keystorePassphrase: PASS, passphrase: "export pass" });
    expect(new TextDecoder().decode(sec.bytes)).toContain("BEGIN PGP PRIVATE KEY BLOCK");
    // Re-importing the exported secret key needs its passphrase.
    expect(await code(call("options:import-pgp", { bytes: sec.bytes, passphrase: "wrong" }))).toBe("pgp-key-passphrase-wrong");
    const again = await call("options:import-pgp", { bytes: sec.bytes, passphrase: "export pass" });
    expect(again.entries[0]!.fingerprint).toBe(g.entry.fingerprint);
  });

  it("stores the policy as a setting record that getPolicy() reads, locked or not", async () => {
    const saved = await call("options:policy-set", {
      policy: {
        defaults: { signByDefault: true, encryptWhenPossible: false, technology: "smime" },
        identities: { "Alice@Example.org": { signByDefault: false, encryptWhenPossible: true, technology: "openpgp" } },
        domains: [
          { domain: "@Kanzlei.de", rule: "never-unencrypted" },
          { domain: "not a domain", rule: "always-encrypt" },
        ],
      },
    });
    expect(saved.domains).toEqual([{ domain: "kanzlei.de", rule: "never-unencrypted" }]);
    await call("options:lock", {});
    const p = await getPolicy();
    expect(p).toEqual(saved);
    expect(identityPolicy(p, "alice@example.org").technology).toBe("openpgp");
    expect(identityPolicy(p, "other@example.org").encryptWhenPossible).toBe(false);
    expect(domainRuleFor(p, "x@mail.kanzlei.de")).toBe("never-unencrypted");
    expect(domainRuleFor(p, "x@example.de")).toBeUndefined();
    expect(await call("options:state", {})).toMatchObject({ exists: true, unlocked: false });
  });

  it("locked: importing a private key says keystore-locked; auto-lock time is kept in storage.local", async () => {
    expect(await code(call("options:import-pkcs12", { bytes: fx.makeP12(fx.carol, "s"), password: "s" }))).toBe("keystore-locked");
    expect((await call("options:set-auto-lock", { minutes: 60 })).autoLockMinutes).toBe(60);
    expect(local.data.get("sealbird.autoLockMinutes")).toBe(60);
    expect((await call("options:set-auto-lock", { minutes: 7 })).autoLockMinutes).toBe(15);
  });

  it("changes the passphrase, and backs up and restores the whole keystore", async () => {
    expect(await code(call("options:change-passphrase", { oldPassphrase: "wrong one!!", newPassphrase: "new passphrase 1" }))).toBe(
      "keystore-wrong-passphrase",
    );
    await call("options:change-passphrase", { oldPassphrase: PASS, newPassphrase: "new passphrase 1" });
    expect(await code(call("options:unlock", { passphrase: PASS }))).toBe("keystore-wrong-passphrase");
    expect(await code(call("options:backup-export", { passphrase: PASS }))).toBe("keystore-wrong-passphrase");
    const backup = await call("options:backup-export", { passphrase: "new passphrase 1" });
    const before = await call("options:list", {});

    // A fresh profile: no keystore; the backup becomes it.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase("sealbird-keystore");
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    ks = new KeystoreService();
    expect(await call("options:state", {})).toMatchObject({ exists: false });
    expect(await call("options:setup-get", {})).toEqual({ step: "passphrase" });
    expect(await code(call("options:backup-import", { bytes: backup.bytes, passphrase: "wrong" }))).toBe("keystore-wrong-passphrase");
    const res = await call("options:backup-import", { bytes: backup.bytes, passphrase: "new passphrase 1" });
    expect(res.added).toBeGreaterThan(0);
    expect(await call("options:state", {})).toMatchObject({ exists: true, unlocked: true });
    const after = await call("options:list", {});
    expect(after.own.map((e) => e.fingerprint).sort()).toEqual(before.own.map((e) => e.fingerprint).sort());
    // Importing the same backup again adds nothing.
    expect(await call("options:backup-import", { bytes: backup.bytes, passphrase: "new passphrase 1" })).toMatchObject({ added: 0 });
  });
});
