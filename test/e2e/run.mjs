#!/usr/bin/env node
// Real-Thunderbird end-to-end suite runner (`npm run test:e2e`).
//
//   node test/e2e/run.mjs                 all test/e2e/*.e2e.mjs, in name order
//   node test/e2e/run.mjs smoke           only files whose name contains "smoke"
//   E2E_DISPLAY=headless node test/e2e/run.mjs   see README.md (default xvfb)
//   E2E_KEEP_PROFILE=1 ...                keep the profile dirs for inspection
//   E2E_START_TIMEOUT_MS=60000            Thunderbird start-up limit
//   THUNDERBIRD_BIN=/path/to/thunderbird  default /usr/bin/thunderbird
//
// Prints "N passed, N failed" and exits 1 on any failure, on a Thunderbird
// that cannot start (the error quotes Thunderbird's output), or when the
// whole run exceeds the watchdog (E2E_TIMEOUT_MS, default 30 minutes).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { runFile } from "./lib/runner.mjs";
import { stopAllThunderbirds, thunderbirdVersion, THUNDERBIRD_BIN } from "./lib/thunderbird.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const t0 = Date.now();
let passed = 0;
let skipped = 0;
let failed = 0;

function die(msg) {
  console.error(`\nE2E ABORTED: ${msg}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

// --- watchdog: the suite must never hang a CI job
const budget = Number(process.env.E2E_TIMEOUT_MS || 1_800_000);
const watchdog = setTimeout(async () => {
  console.error(`\nE2E WATCHDOG: suite exceeded ${budget} ms, killing Thunderbird`);
  await Promise.race([stopAllThunderbirds(), new Promise((r) => setTimeout(r, 5000))]);
  die("watchdog timeout");
}, budget);
watchdog.unref();

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, async () => {
    await Promise.race([stopAllThunderbirds(), new Promise((r) => setTimeout(r, 5000))]);
    die(`interrupted by ${sig}`);
  });
}

// --- preflight: fail loudly and early if the tools are missing
const display = process.env.E2E_DISPLAY || "xvfb";
let version;
try {
  version = thunderbirdVersion();
} catch (e) {
  die(`cannot run ${THUNDERBIRD_BIN} --version: ${e.message}`);
}
if (display === "xvfb") {
  try {
    execFileSync("sh", ["-c", "command -v xvfb-run"], { stdio: "ignore" });
  } catch {
    die("xvfb-run not found (install xvfb + xauth, or run with E2E_DISPLAY=headless)");
  }
}

const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".e2e.mjs"))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort();
if (!files.length) die(`no test files match ${filters.join(" ") || "*.e2e.mjs"}`);

console.log(`e2e: ${version}, display=${display}, ${files.length} file(s)`);
for (const f of files) {
  console.log(`\n${f}`);
  const r = await runFile(pathToFileURL(path.join(here, f)).href);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  if (r.setupError && /THUNDERBIRD DID NOT START/.test(r.setupError.message)) {
    // Every later file would wait for the same broken start: stop here.
    const rest = files.slice(files.indexOf(f) + 1);
    console.error(
      `\n*** THUNDERBIRD COULD NOT BE STARTED - aborting the e2e run` +
        (rest.length ? ` (not run: ${rest.join(", ")})` : "") +
        ` ***\n*** see the error above and test/e2e/artifacts/*.thunderbird.log ***`,
    );
    console.log(`\n${passed} passed, ${failed} failed`);
    process.exit(1);
  }
}
await stopAllThunderbirds(); // in case a file forgot its after()
clearTimeout(watchdog);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s; skipped = known gaps, listed above as GAP)`);
process.exit(failed ? 1 : 0);
