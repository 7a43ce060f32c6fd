import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { keystoreBehaviourSuite } from "./behaviour-suite.js";

keystoreBehaviourSuite("memory", {
  fresh: async () => new MemoryBackend(),
  reopen: (b) => b, // one process, one map: "reopening" is using it again
});

describe("session key hand-off (MV3 background suspension)", () => {
  it("a second Keystore on the same store resumes with the first one's non-extractable key", async () => {
    const { Keystore, MemoryBackend } = await import("../../src/core/keystore/index.js");
    const backend = new MemoryBackend();
    const weak = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
    const a = await Keystore.create(backend, "pass one", weak);
    const id = await a.addRecord({ kind: "smime-identity", public: {}, secret: new Uint8Array([1, 2, 3]) });
    const key = a.sessionKey!;
    expect(key.extractable).toBe(false);
    const b = await Keystore.open(backend);
    await b.resume(key);
    expect(Array.from(await b.getSecret(id))).toEqual([1, 2, 3]);
  });

  it("a key of another store is refused", async () => {
    const { Keystore, MemoryBackend } = await import("../../src/core/keystore/index.js");
    const weak = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
    const one = await Keystore.create(new MemoryBackend(), "x1", weak);
    const twoBackend = new MemoryBackend();
    const two = await Keystore.create(twoBackend, "x2", weak);
    await two.addRecord({ kind: "smime-identity", public: {}, secret: new Uint8Array([9]) });
    const reopened = await Keystore.open(twoBackend);
    await expect(reopened.resume(one.sessionKey!)).rejects.toMatchObject({ code: "keystore-wrong-passphrase" });
    expect(reopened.isUnlocked).toBe(false);
  });
});
