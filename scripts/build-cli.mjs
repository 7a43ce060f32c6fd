// Bundles the CLI (and the benchmark) for Node. Dependencies stay external: they are installed.
import { build } from "esbuild";
import { existsSync, readFileSync, rmSync } from "node:fs";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));
const common = {
  define: { __SEALBIRD_VERSION__: JSON.stringify(version) },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
};
// Split: each command and each protocol engine is its own chunk, loaded by dynamic import()
// when used (src/cli/commands/index.ts, src/core/message/*-adapter.ts, src/core/keyring), so
// `inspect` of an S/MIME message never loads openpgp.js and an OpenPGP one never pkijs.
rmSync("dist/cli", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { sealbird: "src/cli/main.ts" },
  outdir: "dist/cli",
  splitting: true,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: "#!/usr/bin/env node" },
  metafile: true,
});
if (existsSync("scripts/bench.ts")) await build({ ...common, entryPoints: ["scripts/bench.ts"], outfile: "dist/bench/bench.mjs" });
