/**
 * AES-CFB decryption (the whole block as feedback, as OpenPGP's SEIPDv1 uses it) in
 * WebAssembly: RustCrypto's `aes` crate with a CFB loop (wasm/aes-cfb), compiled at build time.
 *
 * Why: openpgp.js decrypts CFB with its pure-JavaScript AES in a browser. Debian's Thunderbird
 * runs every script in the interpreter (javascript.options.baselinejit=false), where that AES
 * does about 1 MB/s; asm.js is switched off there too (javascript.options.asmjs=false), but
 * WebAssembly is compiled. WebCrypto has no CFB, and CFB decryption cannot be built from its
 * modes. Node's openpgp.js uses OpenSSL's CFB and never comes here.
 *
 * The add-on's build substitutes openpgp.js's AES-CFB decryption with `aesCfbDecrypt` (see
 * scripts/openpgp-wasm-cfb.mjs); everything around it — session keys, the MDC check, packet
 * parsing — stays openpgp.js's. The host hands over the module's bytes once (`useAesCfbWasm`);
 * without them, or if the module fails, openpgp.js's own AES runs as before.
 */

interface Exports {
  memory: WebAssembly.Memory;
  buffer(): number;
  decrypt(keyLength: number, length: number): number;
}

let compiled: Promise<WebAssembly.Module | null> | null = null;

/** Gives the engine the compiled-at-build-time module (its bytes, or a promise of them). */
export function useAesCfbWasm(bytes: Uint8Array | ArrayBuffer | Promise<Uint8Array | ArrayBuffer>): void {
  compiled = Promise.resolve(bytes)
    .then((b) => WebAssembly.compile(b instanceof Uint8Array ? b.slice().buffer : b))
    .catch(() => null);
}

const PAGE = 65536;

/**
 * The plaintext, or null when no module is available (the caller uses its own AES then).
 * Each call gets a fresh instance, whose memory (key and plaintext included) is wiped after
 * use and freed with the instance: a WebAssembly memory cannot shrink, so a kept instance
 * would hold the largest message's size for the session.
 */
export function aesCfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | null> | null {
  if (!compiled || (key.length !== 16 && key.length !== 24 && key.length !== 32) || iv.length !== 16) return null;
  return compiled.then(async (module) => {
    if (!module) return null;
    const { exports } = await WebAssembly.instantiate(module, {});
    const x = exports as unknown as Exports;
    const base = x.buffer();
    const end = base + 48 + data.length;
    const have = x.memory.buffer.byteLength;
    if (end > have) x.memory.grow(Math.ceil((end - have) / PAGE));
    const mem = new Uint8Array(x.memory.buffer);
    mem.set(key, base);
    mem.set(iv, base + 32);
    mem.set(data, base + 48);
    try {
      if (x.decrypt(key.length, data.length) !== 0) return null;
      return mem.slice(base + 48, end);
    } finally {
      mem.fill(0, base, end);
    }
  });
}
