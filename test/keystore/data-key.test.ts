import { afterEach, describe, expect, it, vi } from "vitest";
import { Keystore } from "../../src/core/keystore/keystore.js";
import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { DEFAULT_KDF } from "../../src/core/keystore/kdf.js";
import { createDataKey, unwrapDataKey } from "../../src/core/keystore/data-key.js";
import { expectCode, NEW, OLD, WEAK } from "./behaviour-suite.js";

afterEach(() => vi.restoreAllMocks());

describe("data key", () => {
  it("the unlocked data key is a non-extractable AES-GCM CryptoKey and its raw bytes are wiped", async () => {
    const { header } = await createDataKey(OLD, WEAK);
    const spy = vi.spyOn(crypto.subtle, "importKey");
    const key = await unwrapDataKey(header, OLD);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
    // Every raw key handed to importKey (Argon2 output, data key) is zero afterwards.
    expect(spy).toHaveBeenCalledTimes(2);
    for (const call of spy.mock.calls) {
      const raw = new Uint8Array(call[1] as ArrayBuffer);
      expect(raw.length).toBe(32);
      expect(raw.every((b) => b === 0)).toBe(true);
    }
  });

  it("Keystore.unlock holds only non-extractable keys", async () => {
    const b = new MemoryBackend();
    (await Keystore.create(b, OLD, { kdf: WEAK })).lock();
    const ks = await Keystore.open(b);
    const spy = vi.spyOn(crypto.subtle, "importKey");
    await ks.unlock(OLD);
    const keys = await Promise.all(spy.mock.results.map((r) => r.value as Promise<CryptoKey>));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.extractable).toBe(false);
  });

  it("uses the calibrated Argon2id defaults when none are given (full-cost create and unlock)", async () => {
    const b = new MemoryBackend();
    const ks = await Keystore.create(b, OLD);
    expect(ks.kdfParams).toEqual(DEFAULT_KDF);
    expect(DEFAULT_KDF).toMatchObject({ memoryKiB: 65536, iterations: 3, parallelism: 1 });
    const header = JSON.parse((await b.getHeader())!);
    expect(header.kdf).toMatchObject({ algorithm: "argon2id", version: 19, memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(atob(header.kdf.salt)).toHaveLength(16);
    const again = await Keystore.open(b);
    await expectCode(again.unlock(NEW), "keystore-wrong-passphrase");
    await again.unlock(OLD);
    expect(again.isUnlocked).toBe(true);
  });

  it("passphrases are compared after Unicode NFC normalisation", async () => {
    const b = new MemoryBackend();
    (await Keystore.create(b, "caf\u00e9 au lait", { kdf: WEAK })).lock();
    await (await Keystore.open(b)).unlock("cafe\u0301 au lait");
  });

  it("rejects out-of-range Argon2 parameters from the caller as usage errors", async () => {
    await expectCode(Keystore.create(new MemoryBackend(), OLD, { kdf: { memoryKiB: 4 } }), "usage");
    await expectCode(Keystore.create(new MemoryBackend(), OLD, { kdf: { iterations: 0 } }), "usage");
    await expectCode(Keystore.create(new MemoryBackend(), OLD, { kdf: { salt: new Uint8Array(8) } }), "usage");
  });
});
