/**
 * The behaviour every keystore backend must show, written once and run against each backend
 * (file directory, IndexedDB, memory) by the *.test.ts files next to this one.
 */
import { describe, expect, it } from "vitest";
import { Keystore } from "../../src/core/keystore/keystore.js";
import type { KdfParams, KeystoreBackend } from "../../src/core/keystore/types.js";
import { utf8 } from "../../src/core/bytes.js";

/** Argon2's minimum cost: the suite is about behaviour, not KDF strength. */
export const WEAK: Partial<KdfParams> = { memoryKiB: 64, iterations: 1, parallelism: 1 };
export const OLD = "correct horse battery staple";
export const NEW = "tr0ub4dor & 3";

export interface BackendHarness {
  /** A new, empty backend. */
  fresh(): Promise<KeystoreBackend>;
  /** Another backend instance over the same storage, as after a restart. */
  reopen(b: KeystoreBackend): KeystoreBackend;
}

export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect((e as { code?: unknown }).code, String(e)).toBe(code);
    return;
  }
  expect.fail(`expected an error with code ${code}`);
}

/** A keystore with one identity (secret), one PGP key (secret) and one correspondent cert. */
export async function populated(backend: KeystoreBackend) {
  const ks = await Keystore.create(backend, OLD, { kdf: WEAK });
  const pkcs8 = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  const pgp = utf8("-----BEGIN PGP PRIVATE KEY BLOCK-----\n...\n");
  const idIdentity = await ks.addRecord({
    kind: "smime-identity",
    label: "Alice (work)",
    public: { chain: ["MIIB..."], emails: ["alice@example.org"], fingerprint: "ab12" },
    secret: pkcs8,
  });
  const idPgp = await ks.addRecord({ kind: "pgp-secret-key", public: { fingerprint: "CAFE", uids: ["Alice <alice@example.org>"] }, secret: pgp });
  const idCert = await ks.addRecord({ kind: "smime-certificate", public: { der: "MIIC...", emails: ["bob@example.org"] } });
  return { ks, ids: { idIdentity, idPgp, idCert }, secrets: { [idIdentity]: pkcs8, [idPgp]: pgp } as Record<string, Uint8Array> };
}

/** Unlocks a fresh Keystore over `backend` and checks every record and secret is as expected. */
export async function expectIntact(backend: KeystoreBackend, passphrase: string, secrets: Record<string, Uint8Array>, count: number) {
  const ks = await Keystore.open(backend);
  await ks.unlock(passphrase);
  const list = await ks.listRecords();
  expect(list).toHaveLength(count);
  for (const [id, bytes] of Object.entries(secrets)) expect(await ks.getSecret(id)).toEqual(bytes);
}

export function keystoreBehaviourSuite(name: string, h: BackendHarness): void {
  describe(`keystore behaviour: ${name}`, () => {
    it("creates unlocked, locks, reopens locked and unlocks", async () => {
      const b = await h.fresh();
      const ks = await Keystore.create(b, OLD, { kdf: WEAK });
      expect(ks.isUnlocked).toBe(true);
      expect(ks.kdfParams).toMatchObject({ algorithm: "argon2id", version: 19, memoryKiB: 64, iterations: 1, parallelism: 1 });
      ks.lock();
      expect(ks.isUnlocked).toBe(false);
      const again = await Keystore.open(h.reopen(b));
      expect(again.isUnlocked).toBe(false);
      await again.unlock(OLD);
      expect(again.isUnlocked).toBe(true);
    });

    it("refuses to create over an existing keystore; open reports not-found and corrupt", async () => {
      const b = await h.fresh();
      await expectCode(Keystore.open(b), "keystore-not-found");
      await Keystore.create(b, OLD, { kdf: WEAK });
      await expectCode(Keystore.create(h.reopen(b), NEW, { kdf: WEAK }), "keystore-exists");
      await b.replaceHeader("{not json");
      await expectCode(Keystore.open(h.reopen(b)), "keystore-corrupt");
      await b.replaceHeader(JSON.stringify({ format: "sealbird-keystore", version: 1 }));
      await expectCode(Keystore.open(h.reopen(b)), "keystore-corrupt");
    });

    it("rejects a hostile header asking for absurd Argon2 memory as corrupt, before any work", async () => {
      const b = await h.fresh();
      await Keystore.create(b, OLD, { kdf: WEAK });
      const header = JSON.parse((await b.getHeader())!);
      header.kdf.memoryKiB = 64 * 1024 * 1024; // 64 GiB
      await b.replaceHeader(JSON.stringify(header));
      await expectCode(Keystore.open(h.reopen(b)), "keystore-corrupt");
    });

    it("wrong passphrase → keystore-wrong-passphrase; the right one still unlocks", async () => {
      const b = await h.fresh();
      const { secrets } = await populated(b);
      const headerBefore = await b.getHeader();
      const ks = await Keystore.open(h.reopen(b));
      await expectCode(ks.unlock("wrong"), "keystore-wrong-passphrase");
      expect(ks.isUnlocked).toBe(false);
      expect(await b.getHeader()).toBe(headerBefore);
      await ks.unlock(OLD);
      // A failed unlock on an unlocked keystore leaves it unlocked.
      await expectCode(ks.unlock("wrong again"), "keystore-wrong-passphrase");
      expect(ks.isUnlocked).toBe(true);
      await expectIntact(h.reopen(b), OLD, secrets, 3);
    });

    it("round-trips records: public parts while locked, secret bytes once unlocked", async () => {
      const b = await h.fresh();
      const { ks, ids, secrets } = await populated(b);
      ks.lock();
      const locked = await Keystore.open(h.reopen(b));
      const all = await locked.listRecords();
      expect(all.map((r) => r.kind).sort()).toEqual(["pgp-secret-key", "smime-certificate", "smime-identity"]);
      const ident = (await locked.listRecords("smime-identity"))[0]!;
      expect(ident).toMatchObject({
        id: ids.idIdentity,
        label: "Alice (work)",
        hasSecret: true,
        public: { emails: ["alice@example.org"], fingerprint: "ab12" },
      });
      expect(ident).not.toHaveProperty("secret");
      expect(Date.parse(ident.created)).not.toBeNaN();
      expect((await locked.getRecord(ids.idCert)).hasSecret).toBe(false);
      await locked.unlock(OLD);
      expect(await locked.getSecret(ids.idIdentity)).toEqual(secrets[ids.idIdentity]);
      expect(await locked.getSecret(ids.idPgp)).toEqual(secrets[ids.idPgp]);
      await expectCode(locked.getSecret(ids.idCert), "keystore-record-not-found");
      await expectCode(locked.getSecret("0123456789abcdef"), "keystore-record-not-found");
      await expectCode(locked.getRecord("../../etc/passwd"), "keystore-record-not-found");
    });

    it("secrets are encrypted at rest", async () => {
      const b = await h.fresh();
      const { ks } = await populated(b);
      const marker = "VERY-SECRET-MARKER-1234567890";
      const id = await ks.addRecord({ kind: "pgp-secret-key", public: {}, secret: utf8(marker) });
      const stored = (await b.getRecord(id))!;
      expect(stored).not.toContain(marker);
      expect(stored).not.toContain(btoa(marker).slice(0, 20));
    });

    it("locked: getSecret and adding a secret → keystore-locked; public-only records still work", async () => {
      const b = await h.fresh();
      const { ks, ids } = await populated(b);
      ks.lock();
      await expectCode(ks.getSecret(ids.idIdentity), "keystore-locked");
      await expectCode(ks.addRecord({ kind: "pgp-secret-key", public: {}, secret: new Uint8Array(4) }), "keystore-locked");
      await expectCode(ks.updateRecord(ids.idPgp, { secret: new Uint8Array(4) }), "keystore-locked");
      await expectCode(ks.exportBackup("backup pass"), "keystore-locked");
      const id = await ks.addRecord({ kind: "pgp-public-key", public: { armored: "-----BEGIN PGP PUBLIC KEY BLOCK-----" } });
      expect((await ks.getRecord(id)).kind).toBe("pgp-public-key");
    });

    it("binds secrets to their record: swapping two stored secret blobs → keystore-corrupt", async () => {
      const b = await h.fresh();
      const { ks, ids } = await populated(b);
      const a = JSON.parse((await b.getRecord(ids.idIdentity))!);
      const c = JSON.parse((await b.getRecord(ids.idPgp))!);
      [a.secret, c.secret] = [c.secret, a.secret];
      await b.putRecord(ids.idIdentity, JSON.stringify(a));
      await b.putRecord(ids.idPgp, JSON.stringify(c));
      await expectCode(ks.getSecret(ids.idIdentity), "keystore-corrupt");
      await expectCode(ks.getSecret(ids.idPgp), "keystore-corrupt");
    });

    it("binds secrets to their id: swapping secrets between two records of the same kind → keystore-corrupt", async () => {
      const b = await h.fresh();
      const { ks } = await populated(b);
      const x = await ks.addRecord({ kind: "pgp-secret-key", public: {}, secret: Uint8Array.of(1) });
      const y = await ks.addRecord({ kind: "pgp-secret-key", public: {}, secret: Uint8Array.of(2) });
      const rx = JSON.parse((await b.getRecord(x))!);
      const ry = JSON.parse((await b.getRecord(y))!);
      [rx.secret, ry.secret] = [ry.secret, rx.secret];
      await b.putRecord(x, JSON.stringify(rx));
      await b.putRecord(y, JSON.stringify(ry));
      await expectCode(ks.getSecret(x), "keystore-corrupt");
      await expectCode(ks.getSecret(y), "keystore-corrupt");
    });

    it("binds secrets to their kind: relabelling a record's kind → keystore-corrupt", async () => {
      const b = await h.fresh();
      const { ks, ids } = await populated(b);
      const a = JSON.parse((await b.getRecord(ids.idIdentity))!);
      a.kind = "pgp-secret-key";
      await b.putRecord(ids.idIdentity, JSON.stringify(a));
      await expectCode(ks.getSecret(ids.idIdentity), "keystore-corrupt");
    });

    it("a damaged record is reported as keystore-corrupt, not a crash", async () => {
      const b = await h.fresh();
      const { ks, ids } = await populated(b);
      await b.putRecord(ids.idCert, "{truncated");
      await expectCode(ks.listRecords(), "keystore-corrupt");
      await expectCode(ks.getRecord(ids.idCert), "keystore-corrupt");
    });

    it("updates and removes records", async () => {
      const b = await h.fresh();
      const { ks, ids } = await populated(b);
      await ks.updateRecord(ids.idIdentity, { label: "Alice (home)", public: { emails: ["a@home.example"] } });
      expect(await ks.getRecord(ids.idIdentity)).toMatchObject({ label: "Alice (home)", public: { emails: ["a@home.example"] }, hasSecret: true });
      await ks.updateRecord(ids.idIdentity, { label: null, secret: Uint8Array.of(1, 2, 3) });
      const r = await ks.getRecord(ids.idIdentity);
      expect(r).not.toHaveProperty("label");
      expect(await ks.getSecret(ids.idIdentity)).toEqual(Uint8Array.of(1, 2, 3));
      ks.lock();
      await ks.updateRecord(ids.idIdentity, { secret: null }); // removing needs no key
      expect((await ks.getRecord(ids.idIdentity)).hasSecret).toBe(false);
      await ks.removeRecord(ids.idCert);
      await expectCode(ks.getRecord(ids.idCert), "keystore-record-not-found");
      await expectCode(ks.removeRecord(ids.idCert), "keystore-record-not-found");
      await expectCode(ks.updateRecord(ids.idCert, { label: "x" }), "keystore-record-not-found");
      expect(await ks.listRecords()).toHaveLength(2);
    });

    it("rejects non-JSON public parts (e.g. bytes put there by mistake) and bad kinds", async () => {
      const b = await h.fresh();
      const ks = await Keystore.create(b, OLD, { kdf: WEAK });
      await expectCode(ks.addRecord({ kind: "smime-identity", public: { key: new Uint8Array(3) } }), "usage");
      await expectCode(ks.addRecord({ kind: "Bad Kind", public: {} }), "usage");
      await expectCode(Keystore.create(await h.fresh(), "", { kdf: WEAK }), "usage");
      expect(await ks.listRecords()).toEqual([]);
    });

    it("changes the passphrase: new works, old does not, records intact; wrong old changes nothing", async () => {
      const b = await h.fresh();
      const { ks, secrets } = await populated(b);
      const before = await b.getHeader();
      await expectCode(ks.changePassphrase("not it", NEW), "keystore-wrong-passphrase");
      expect(await b.getHeader()).toBe(before);
      await ks.changePassphrase(OLD, NEW);
      expect(ks.isUnlocked).toBe(true);
      const fresh = await Keystore.open(h.reopen(b));
      await expectCode(fresh.unlock(OLD), "keystore-wrong-passphrase");
      await expectIntact(h.reopen(b), NEW, secrets, 3);
      // The salt is fresh, the parameters are kept.
      expect(JSON.parse((await b.getHeader())!).kdf.salt).not.toBe(JSON.parse(before!).kdf.salt);
      expect(fresh.kdfParams).toEqual(ks.kdfParams);
    });

    it("an open keystore honours a passphrase changed elsewhere", async () => {
      const b = await h.fresh();
      await populated(b);
      const other = await Keystore.open(h.reopen(b));
      const ks = await Keystore.open(h.reopen(b));
      await other.changePassphrase(OLD, NEW);
      await expectCode(ks.unlock(OLD), "keystore-wrong-passphrase");
      await ks.unlock(NEW);
    });

    describe("backup", () => {
      it("round-trips into a new keystore (same ids, public parts and secrets)", async () => {
        const b = await h.fresh();
        const { ks, secrets } = await populated(b);
        const backup = await ks.exportBackup("backup passphrase", { kdf: WEAK });
        expect(new TextDecoder().decode(backup.subarray(0, 24))).toBe("SEALBIRD-KEYSTORE-BACKUP");
        for (const s of Object.values(secrets)) expect(new TextDecoder("latin1").decode(backup)).not.toContain(btoa(String.fromCharCode(...s.subarray(0, 30))));
        const target = await h.fresh();
        const restored = await Keystore.importBackup(target, backup, "backup passphrase", { newPassphrase: NEW, kdf: WEAK });
        expect(restored.isUnlocked).toBe(true);
        const strip = (l: Awaited<ReturnType<Keystore["listRecords"]>>) => l.map((r) => ({ ...r }));
        expect(strip(await restored.listRecords())).toEqual(strip(await ks.listRecords()));
        await expectIntact(h.reopen(target), NEW, secrets, 3);
        // Without newPassphrase the backup passphrase becomes the keystore passphrase.
        const t2 = await h.fresh();
        await Keystore.importBackup(t2, backup, "backup passphrase", { kdf: WEAK });
        await expectIntact(h.reopen(t2), "backup passphrase", secrets, 3);
        // A restored keystore uses a new data key: the stored ciphertexts differ.
        const [id] = Object.keys(secrets);
        expect(JSON.parse((await target.getRecord(id!))!).secret).not.toEqual(JSON.parse((await b.getRecord(id!))!).secret);
      });

      it("wrong backup passphrase → keystore-wrong-passphrase, target untouched", async () => {
        const { ks } = await populated(await h.fresh());
        const backup = await ks.exportBackup("backup passphrase", { kdf: WEAK });
        const target = await h.fresh();
        await expectCode(Keystore.importBackup(target, backup, "nope", { kdf: WEAK }), "keystore-wrong-passphrase");
        expect(await target.getHeader()).toBeNull();
        expect(await target.listRecords()).toEqual([]);
        await expectCode(ks.importBackup(backup, "nope"), "keystore-wrong-passphrase");
      });

      it("garbage, truncated or damaged backups → keystore-backup-invalid, target untouched", async () => {
        const { ks } = await populated(await h.fresh());
        const backup = await ks.exportBackup("backup passphrase", { kdf: WEAK });
        const flipped = backup.slice();
        flipped[flipped.length - 40]! ^= 0x01; // inside the encrypted payload
        const cases: Uint8Array[] = [
          new Uint8Array(0),
          utf8("hello, this is not a backup at all"),
          Uint8Array.from({ length: 500 }, (_, i) => i & 0xff),
          backup.subarray(0, 20),
          backup.subarray(0, 40),
          backup.subarray(0, backup.length >> 1),
          backup.subarray(0, backup.length - 1),
          Uint8Array.from([...backup, 0]),
          flipped,
        ];
        const target = await h.fresh();
        for (const c of cases) {
          await expectCode(Keystore.importBackup(target, c, "backup passphrase", { kdf: WEAK }), "keystore-backup-invalid");
          expect(await target.getHeader()).toBeNull();
        }
        const before = await ks.listRecords();
        for (const c of cases) await expectCode(ks.importBackup(c, "backup passphrase"), "keystore-backup-invalid");
        expect(await ks.listRecords()).toEqual(before);
      });

      it("imports into an existing keystore: skips or replaces same ids, adds new ones", async () => {
        const b = await h.fresh();
        const { ks, ids, secrets } = await populated(b);
        const backup = await ks.exportBackup("bp", { kdf: WEAK });
        await ks.updateRecord(ids.idIdentity, { label: "changed" });
        await ks.removeRecord(ids.idPgp);
        expect(await ks.importBackup(backup, "bp")).toEqual({ added: 1, replaced: 0, skipped: 2 });
        expect((await ks.getRecord(ids.idIdentity)).label).toBe("changed");
        expect(await ks.getSecret(ids.idPgp)).toEqual(secrets[ids.idPgp]);
        expect(await ks.importBackup(backup, "bp", { onConflict: "replace" })).toEqual({ added: 0, replaced: 3, skipped: 0 });
        expect((await ks.getRecord(ids.idIdentity)).label).toBe("Alice (work)");
        ks.lock();
        await expectCode(ks.importBackup(backup, "bp"), "keystore-locked");
        // Static import needs an empty target.
        await expectCode(Keystore.importBackup(h.reopen(b), backup, "bp", { kdf: WEAK }), "keystore-exists");
      });
    });
  });
}
