import { describe, expect, it, vi } from "vitest";
import { IDBFactory } from "fake-indexeddb";
import { IndexedDbBackend } from "../../src/core/keystore/indexeddb-backend.js";
import { Keystore } from "../../src/core/keystore/keystore.js";
import type { KeystoreBackend } from "../../src/core/keystore/types.js";
import { expectCode, keystoreBehaviourSuite, OLD, WEAK } from "./behaviour-suite.js";

// Each fresh backend gets its own IDBFactory (= its own empty browser profile); reopen opens a
// second connection to the same database, as a restarted background page would.
const factories = new WeakMap<KeystoreBackend, IDBFactory>();

keystoreBehaviourSuite("IndexedDB (fake-indexeddb)", {
  fresh: async () => {
    const factory = new IDBFactory();
    const b = new IndexedDbBackend({ factory, name: "sealbird-keystore" });
    factories.set(b, factory);
    return b;
  },
  reopen: (b) => {
    const again = new IndexedDbBackend({ factory: factories.get(b)!, name: "sealbird-keystore" });
    factories.set(again, factories.get(b)!);
    return again;
  },
});

describe("IndexedDbBackend specifics", () => {
  it("uses the global indexedDB by default and stores the serialized strings", async () => {
    // What fake-indexeddb/auto does, scoped to this test.
    vi.stubGlobal("indexedDB", new IDBFactory());
    const b = new IndexedDbBackend({ name: "sealbird-keystore" });
    vi.unstubAllGlobals();
    const ks = await Keystore.create(b, OLD, { kdf: WEAK });
    const id = await ks.addRecord({ kind: "setting", public: { theme: "dark" } });
    expect(JSON.parse((await b.getRecord(id))!)).toMatchObject({ format: "sealbird-record", version: 1, kind: "setting" });
    expect(JSON.parse((await b.getHeader())!)).toMatchObject({ format: "sealbird-keystore", version: 1 });
    await b.close();
    expect(await b.listRecords()).toHaveLength(1); // reconnects after close()
  });

  it("putHeader is exclusive even for two connections racing", async () => {
    const factory = new IDBFactory();
    const a = new IndexedDbBackend({ factory });
    const c = new IndexedDbBackend({ factory });
    const results = await Promise.allSettled([a.putHeader("one"), c.putHeader("two")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason.code).toBe("keystore-exists");
    await expectCode(a.putHeader("three"), "keystore-exists");
    await a.replaceHeader("four");
    expect(await c.getHeader()).toBe("four");
  });
});
