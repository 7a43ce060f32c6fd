// Vite plugin for the add-on build: the engine loads its protocol engines with dynamic
// import() (src/core/keyring, src/core/message/*-adapter.ts, src/core/keystore/kdf.ts) so
// that each CLI process loads only what its command uses. The add-on's background is one
// long-lived page that uses both engines, and keeps one bundle as before: each such import()
// of a literal path becomes a static import whose namespace the same expression resolves to.
import { resolve, sep } from "node:path";

const CORE = resolve(import.meta.dirname, "../src/core") + sep;
const DYNAMIC = /\bimport\(\s*("[^"]+")\s*\)/g;

export function staticEngineImports() {
  return {
    name: "sealbird-static-engine-imports",
    enforce: "pre",
    transform(code, id) {
      if (!id.startsWith(CORE) || !DYNAMIC.test(code)) return null;
      const specs = [];
      const body = code.replace(DYNAMIC, (_, spec) => {
        let i = specs.indexOf(spec);
        if (i < 0) i = specs.push(spec) - 1;
        return `Promise.resolve(__sealbirdEngine${i})`;
      });
      const head = specs.map((spec, i) => `import * as __sealbirdEngine${i} from ${spec};`).join("\n");
      return { code: `${head}\n${body}`, map: null };
    },
  };
}
