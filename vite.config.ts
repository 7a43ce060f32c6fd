// Builds the add-on's pages (Svelte) and its background script into dist/addon.
// The message display script is bundled separately as an IIFE (content scripts can't be
// modules) by scripts/build-addon.mjs, which also copies the manifest and packs the XPI.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { resolve } from "node:path";
import { openpgpWasmCfb } from "./scripts/openpgp-wasm-cfb.mjs";
import { staticEngineImports } from "./scripts/static-engine-imports.mjs";

const here = import.meta.dirname;

export default defineConfig({
  plugins: [openpgpWasmCfb(), staticEngineImports(), svelte({ compilerOptions: { fragments: "tree" } })],
  base: "./",
  publicDir: false,
  build: {
    outDir: resolve(here, "dist/addon"),
    emptyOutDir: true,
    target: "firefox128",
    minify: false,
    sourcemap: false,
    modulePreload: false,
    rollupOptions: {
      input: {
        background: resolve(here, "src/background/main.ts"),
        "message-popup": resolve(here, "ui/message-popup.html"),
        "compose-popup": resolve(here, "ui/compose-popup.html"),
        options: resolve(here, "ui/options.html"),
        unlock: resolve(here, "ui/unlock.html"),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === "background" ? "background.js" : "assets/[name].js"),
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
});
