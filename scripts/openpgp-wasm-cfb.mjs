// Vite plugin for the add-on build: openpgp.js's browser build decrypts AES-CFB (SEIPDv1) with
// its pure-JS AES; this substitutes that one function with src/core/crypto/aes-cfb.ts (AES in
// WebAssembly), which falls back to openpgp.js's own code when it has no module. Only the
// block-cipher work moves: the MDC check, prefix handling and packet parsing around it stay
// openpgp.js's. The text replaced is matched exactly; a different openpgp.js fails the build
// (check the new version's aesDecrypt, then update ORIGINAL).
import { resolve } from "node:path";

const here = import.meta.dirname;
export const OPENPGP_BROWSER = resolve(here, "../node_modules/openpgp/dist/openpgp.mjs");
const AES_CFB = resolve(here, "../src/core/crypto/aes-cfb.ts");

const ORIGINAL = `function aesDecrypt(algo, key, ct, iv) {
    if (util.isStream(ct)) {
        const cfb = new NobleStreamProcessor(false, algo, key, iv);
        return transformAsync(ct, value => cfb.processChunk(value), () => cfb.finish());
    }
    return cfb(key, iv).decrypt(ct);
}`;

const REPLACEMENT = `function aesDecrypt(algo, key, ct, iv) {
    if (util.isStream(ct)) {
        const cfb = new NobleStreamProcessor(false, algo, key, iv);
        return transformAsync(ct, value => cfb.processChunk(value), () => cfb.finish());
    }
    // Sealbird: AES in WebAssembly (scripts/openpgp-wasm-cfb.mjs); decrypt$1 awaits the result.
    const viaWasm = __sealbirdAesCfbDecrypt(key, iv, ct);
    if (viaWasm) return viaWasm.then((pt) => pt || cfb(key, iv).decrypt(ct));
    return cfb(key, iv).decrypt(ct);
}`;

/** openpgp.js's browser build with its AES-CFB decryption substituted; null if it does not fit. */
export function patchOpenpgp(code) {
  const at = code.indexOf(ORIGINAL);
  if (at < 0 || code.indexOf(ORIGINAL, at + 1) >= 0) return null;
  return `import { aesCfbDecrypt as __sealbirdAesCfbDecrypt } from ${JSON.stringify(AES_CFB)};\n${code.replace(ORIGINAL, REPLACEMENT)}`;
}

export function openpgpWasmCfb() {
  return {
    name: "sealbird-openpgp-wasm-cfb",
    enforce: "pre",
    resolveId(source) {
      // The readable browser build (the package's "browser" export is the minified one).
      return source === "openpgp" ? OPENPGP_BROWSER : null;
    },
    transform(code, id) {
      if (id !== OPENPGP_BROWSER) return null;
      const patched = patchOpenpgp(code);
      if (!patched) this.error("openpgp.js's aesDecrypt is not the one scripts/openpgp-wasm-cfb.mjs replaces: check the new version");
      return { code: patched, map: null };
    },
  };
}
