// Bundles the CLI (and the benchmark) for Node. Dependencies stay external: they are installed.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";

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
await build({ ...common, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli/sealbird.mjs", banner: { js: "#!/usr/bin/env node" } });
if (existsSync("scripts/bench.ts")) await build({ ...common, entryPoints: ["scripts/bench.ts"], outfile: "dist/bench/bench.mjs" });
