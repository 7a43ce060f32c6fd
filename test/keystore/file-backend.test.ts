import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CREATE_STEPS, DELETE_STEPS, KeystoreFileBackend, REPLACE_STEPS } from "../../src/node/keystore-file-backend.js";
import { Keystore } from "../../src/core/keystore/keystore.js";
import type { KeystoreBackend } from "../../src/core/keystore/types.js";
import { expectCode, expectIntact, keystoreBehaviourSuite, NEW, OLD, populated, WEAK } from "./behaviour-suite.js";

const root = await mkdtemp(join(tmpdir(), "sealbird-keystore-test-"));
afterAll(() => rm(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `ks-${n++}`);

class Crash extends Error {}
/** A backend whose fault hook throws (= "crashes") when it reaches `at`. */
function crashingAt(dir: string, at: string): KeystoreFileBackend {
  return new KeystoreFileBackend(dir, {
    faults: {
      before(step) {
        if (step === at) throw new Crash(`crash at ${step}`);
      },
    },
  });
}

keystoreBehaviourSuite("file directory", {
  fresh: async () => new KeystoreFileBackend(newDir()),
  reopen: (b) => new KeystoreFileBackend((b as KeystoreFileBackend).dir),
});

describe("KeystoreFileBackend: crash safety", () => {
  // Steps before the rename leave the old header; from the directory fsync on, the new one.
  for (const step of REPLACE_STEPS) {
    it(`changePassphrase interrupted at "${step}" leaves a store that opens with the old or the new passphrase`, async () => {
      const dir = newDir();
      const { secrets } = await populated(new KeystoreFileBackend(dir));
      const ks = await Keystore.open(crashingAt(dir, `header-replace:${step}`));
      await expect(ks.changePassphrase(OLD, NEW)).rejects.toBeInstanceOf(Crash);

      // "Restart": a fresh backend and keystore on the same directory.
      const fresh = new KeystoreFileBackend(dir);
      const reopened = await Keystore.open(fresh);
      let which: string | undefined;
      for (const p of [OLD, NEW]) {
        try {
          await reopened.unlock(p);
          which = p;
          break;
        } catch (e) {
          expect((e as { code?: string }).code).toBe("keystore-wrong-passphrase");
        }
      }
      expect(which, "unlocks with old or new").toBeDefined();
      const renamed = REPLACE_STEPS.indexOf(step) > REPLACE_STEPS.indexOf("rename");
      expect(which).toBe(renamed ? NEW : OLD);
      await expectIntact(fresh, which!, secrets, 3);
      // open() cleaned up whatever temp file the crash left.
      expect((await readdir(dir)).filter((f) => f.includes(".tmp-"))).toEqual([]);
      // And the store is usable again: the change can be redone.
      if (which === OLD) await reopened.changePassphrase(OLD, NEW);
      await expectIntact(new KeystoreFileBackend(dir), NEW, secrets, 3);
    });
  }

  for (const step of REPLACE_STEPS) {
    it(`a record write interrupted at "${step}" leaves the old record or the new one`, async () => {
      const dir = newDir();
      const { ks, ids, secrets } = await populated(new KeystoreFileBackend(dir));
      const crashy = await Keystore.open(crashingAt(dir, `record-put:${step}`));
      await crashy.unlock(OLD);
      await expect(crashy.updateRecord(ids.idIdentity, { label: "new label", secret: Uint8Array.of(9) })).rejects.toBeInstanceOf(Crash);
      await expect(crashy.addRecord({ kind: "setting", public: { a: 1 } })).rejects.toBeInstanceOf(Crash);
      const fresh = await Keystore.open(new KeystoreFileBackend(dir));
      await fresh.unlock(OLD);
      const r = await fresh.getRecord(ids.idIdentity);
      const done = REPLACE_STEPS.indexOf(step) > REPLACE_STEPS.indexOf("rename");
      expect(r.label).toBe(done ? "new label" : "Alice (work)");
      expect(await fresh.getSecret(ids.idIdentity)).toEqual(done ? Uint8Array.of(9) : secrets[ids.idIdentity]);
      expect(await fresh.listRecords()).toHaveLength(done ? 4 : 3);
      expect(await fresh.getSecret(ids.idPgp)).toEqual(secrets[ids.idPgp]);
      void ks;
    });
  }

  for (const step of CREATE_STEPS) {
    it(`create interrupted at "${step}" leaves no keystore or a complete one`, async () => {
      const dir = newDir();
      await expect(Keystore.create(crashingAt(dir, `header-create:${step}`), OLD, { kdf: WEAK })).rejects.toBeInstanceOf(Crash);
      const b = new KeystoreFileBackend(dir);
      const linked = CREATE_STEPS.indexOf(step) > CREATE_STEPS.indexOf("link");
      if (linked) {
        await (await Keystore.open(b)).unlock(OLD);
      } else {
        await expectCode(Keystore.open(b), "keystore-not-found");
        await Keystore.create(b, NEW, { kdf: WEAK }); // a retry works despite the leftovers
        await (await Keystore.open(new KeystoreFileBackend(dir))).unlock(NEW);
      }
    });
  }

  for (const step of DELETE_STEPS) {
    it(`removeRecord interrupted at "${step}" leaves the record or nothing, never a broken store`, async () => {
      const dir = newDir();
      const { ids, secrets } = await populated(new KeystoreFileBackend(dir));
      const crashy = await Keystore.open(crashingAt(dir, `record-delete:${step}`));
      await expect(crashy.removeRecord(ids.idPgp)).rejects.toBeInstanceOf(Crash);
      const gone = step !== "unlink";
      const { [ids.idPgp]: pgp, ...rest } = secrets;
      await expectIntact(new KeystoreFileBackend(dir), OLD, gone ? rest : { ...rest, [ids.idPgp]: pgp! }, gone ? 2 : 3);
    });
  }

  it("tolerates and removes leftover temp files from earlier crashes", async () => {
    const dir = newDir();
    const { secrets } = await populated(new KeystoreFileBackend(dir));
    await writeFile(join(dir, "keystore.json.tmp-0123abcd"), '{"format":"sealb');
    await writeFile(join(dir, "records", "00ff.json.tmp-99"), "");
    const b = new KeystoreFileBackend(dir);
    expect(await b.listRecords()).toHaveLength(3); // ignored even before recovery
    await expectIntact(b, OLD, secrets, 3); // Keystore.open runs recover()
    expect((await readdir(dir)).sort()).toEqual(["keystore.json", "records"]);
    expect((await readdir(join(dir, "records"))).every((f) => /^[0-9a-f]{32}\.json$/.test(f))).toBe(true);
  });

  it("swapping two records' secret blobs on disk → keystore-corrupt", async () => {
    const dir = newDir();
    const { ks, ids } = await populated(new KeystoreFileBackend(dir));
    const pa = join(dir, "records", `${ids.idIdentity}.json`);
    const pb = join(dir, "records", `${ids.idPgp}.json`);
    const a = JSON.parse(await readFile(pa, "utf8"));
    const b = JSON.parse(await readFile(pb, "utf8"));
    [a.secret, b.secret] = [b.secret, a.secret];
    await writeFile(pa, JSON.stringify(a));
    await writeFile(pb, JSON.stringify(b));
    await expectCode(ks.getSecret(ids.idIdentity), "keystore-corrupt");
    await expectCode(ks.getSecret(ids.idPgp), "keystore-corrupt");
  });

  it.skipIf(process.platform === "win32")("creates the directory and files private to the user", async () => {
    const dir = newDir();
    const { ids } = await populated(new KeystoreFileBackend(dir));
    expect((await stat(join(dir, "records"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "keystore.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "records", `${ids.idPgp}.json`))).mode & 0o777).toBe(0o600);
  });

  it("rejects path-like record ids at the file layer", async () => {
    const b: KeystoreBackend = new KeystoreFileBackend(newDir());
    await expectCode(b.putRecord("../keystore", "{}"), "usage");
    await expectCode(b.getRecord("a/b"), "usage");
  });
});
