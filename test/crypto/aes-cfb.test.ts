/**
 * AES-CFB in WebAssembly (src/core/crypto/aes-cfb.ts, wasm/aes-cfb) against OpenSSL's CFB
 * (node:crypto), and inside openpgp.js's browser build exactly as the add-on bundles it
 * (scripts/openpgp-wasm-cfb.mjs): messages the real gpg encrypts decrypt to the same bytes, and
 * openpgp.js's MDC check still judges what the substituted function returns.
 */
import { createDecipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aesCfbDecrypt, useAesCfbWasm } from "../../src/core/crypto/aes-cfb.js";
import { OPENPGP_BROWSER, patchOpenpgp } from "../../scripts/openpgp-wasm-cfb.mjs";
import { Gpg, hasGpg } from "../pgp/gpg.js";

const WASM = readFileSync("dist/wasm/aes-cfb.wasm");

/** A valid module with the same exports whose decrypt does nothing (plaintext = ciphertext). */
const DO_NOTHING = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0b, 0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x03, 0x02, 0x00, 0x01,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x1d, 0x03,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x06, 0x62, 0x75, 0x66, 0x66, 0x65, 0x72, 0x00, 0x00,
  0x07, 0x64, 0x65, 0x63, 0x72, 0x79, 0x70, 0x74, 0x00, 0x01,
  0x0a, 0x0c, 0x02, 0x05, 0x00, 0x41, 0x80, 0x08, 0x0b, 0x04, 0x00, 0x41, 0x00, 0x0b,
]);

describe("aesCfbDecrypt (WebAssembly)", () => {
  it("is null before a module was given (the caller's own AES runs)", () => {
    expect(aesCfbDecrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(16))).toBeNull();
  });

  it("decrypts exactly like OpenSSL's AES-128/192/256-CFB, whole and partial blocks", async () => {
    useAesCfbWasm(WASM);
    for (const keyLength of [16, 24, 32]) {
      for (const length of [0, 1, 15, 16, 17, 127, 128, 129, 4095, 65536 + 7, 3 * 1048576 + 5]) {
        const key = randomBytes(keyLength);
        const iv = randomBytes(16);
        const ct = randomBytes(length);
        const expected = createDecipheriv(`aes-${keyLength * 8}-cfb`, key, iv).update(ct);
        const got = await aesCfbDecrypt(new Uint8Array(key), new Uint8Array(iv), new Uint8Array(ct));
        expect(got && Buffer.from(got).equals(expected), `AES-${keyLength * 8}, ${length} bytes`).toBe(true);
      }
    }
  });

  it("refuses other key and IV sizes instead of guessing", () => {
    useAesCfbWasm(WASM);
    expect(aesCfbDecrypt(new Uint8Array(20), new Uint8Array(16), new Uint8Array(16))).toBeNull();
    expect(aesCfbDecrypt(new Uint8Array(32), new Uint8Array(8), new Uint8Array(16))).toBeNull();
  });

  it("yields null when the module cannot be compiled", async () => {
    useAesCfbWasm(new Uint8Array([1, 2, 3]));
    expect(await aesCfbDecrypt(new Uint8Array(16), new Uint8Array(16), new Uint8Array(16))).toBeNull();
  });
});

interface PatchedBundle {
  openpgp: typeof import("openpgp");
  useAesCfbWasm: typeof useAesCfbWasm;
}

/** openpgp.js's browser build, patched as the add-on build patches it, with its own aes-cfb module. */
async function patchedOpenpgp(): Promise<PatchedBundle> {
  const r = await build({
    stdin: { contents: `export * as openpgp from ${JSON.stringify(OPENPGP_BROWSER)};\nexport { useAesCfbWasm } from ${JSON.stringify(new URL("../../src/core/crypto/aes-cfb.ts", import.meta.url).pathname)};`, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "patch",
        setup(b) {
          b.onLoad({ filter: /openpgp\/dist\/openpgp\.mjs$/ }, (args) => {
            const patched = patchOpenpgp(readFileSync(args.path, "utf8"));
            if (!patched) throw new Error("openpgp.js does not fit the patch");
            return { contents: patched, loader: "js" };
          });
        },
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "sealbird-openpgp-wasm-"));
  try {
    writeFileSync(join(dir, "openpgp-patched.mjs"), r.outputFiles[0]!.text);
    return (await import(join(dir, "openpgp-patched.mjs"))) as PatchedBundle;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasGpg)("openpgp.js with the WebAssembly AES (as bundled into the add-on)", () => {
  let gpg: Gpg;
  let bundle: PatchedBundle;
  const plain = new Uint8Array(randomBytes(300_000));

  beforeAll(async () => {
    gpg = new Gpg("message password");
    bundle = await patchedOpenpgp();
  }, 60_000);
  afterAll(() => gpg?.dispose());

  const seipdV1 = (cipher: string): Uint8Array =>
    gpg.run(["--symmetric", "--cipher-algo", cipher, "--compress-algo", "none", "--s2k-count", "65536", "--output", "-"], { input: plain, passphrase: "message password" }).stdout;

  async function decrypt(binary: Uint8Array): Promise<Uint8Array> {
    const { openpgp } = bundle;
    const message = await openpgp.readMessage({ binaryMessage: binary });
    const r = await openpgp.decrypt({ message, passwords: ["message password"], format: "binary", config: { allowUnauthenticatedStream: false } });
    return r.data as Uint8Array;
  }

  it("decrypts gpg's SEIPDv1 (AES-128, AES-192, AES-256) to the same bytes", async () => {
    bundle.useAesCfbWasm(WASM);
    for (const cipher of ["AES", "AES192", "AES256"]) {
      expect(Buffer.from(await decrypt(seipdV1(cipher))).equals(Buffer.from(plain)), cipher).toBe(true);
    }
  });

  it("still refuses a modified message (openpgp.js's MDC check over the substituted output)", async () => {
    bundle.useAesCfbWasm(WASM);
    const ct = seipdV1("AES256");
    ct[ct.length - 100]! ^= 0x01;
    await expect(decrypt(ct)).rejects.toThrow(/Modification detected|MDC/i);
  });

  it("uses what the substituted function returns: a module that decrypts nothing fails the MDC", async () => {
    bundle.useAesCfbWasm(DO_NOTHING);
    await expect(decrypt(seipdV1("AES256"))).rejects.toThrow(/Modification detected|MDC|packet|unsupported|parse/i);
    bundle.useAesCfbWasm(WASM);
    expect(Buffer.from(await decrypt(seipdV1("AES256"))).equals(Buffer.from(plain))).toBe(true);
  });
});
