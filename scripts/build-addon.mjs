// Builds the add-on into dist/addon and packs dist/sealbird-<version>.xpi with web-ext.
// Test-only code (test/e2e) is never part of this tree.
import { build as viteBuild } from "vite";
import { build as esbuild } from "esbuild";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, existsSync, renameSync } from "node:fs";
import { execFileSync } from "node:child_process";

const out = "dist/addon";
execFileSync(process.execPath, ["scripts/build-wasm.mjs"], { stdio: "inherit" });
await viteBuild({ configFile: "vite.config.ts", logLevel: "warn" });
await esbuild({
  entryPoints: ["src/background/display/message-display-script.ts"],
  outfile: `${out}/message-display-script.js`,
  bundle: true,
  format: "iife",
  target: "firefox128",
  logLevel: "warning",
});
cpSync("manifest.json", `${out}/manifest.json`);
// AES-CFB in WebAssembly for openpgp.js (src/core/crypto/aes-cfb.ts), loaded by the background.
cpSync("dist/wasm/aes-cfb.wasm", `${out}/wasm/aes-cfb.wasm`);
cpSync("_locales", `${out}/_locales`, { recursive: true });
mkdirSync(`${out}/icons`, { recursive: true });
cpSync("ui/icons", `${out}/icons`, { recursive: true });
if (existsSync("src/experiments")) {
  // One experiment per folder (src/experiments/<name>/schema.json + implementation.js), or
  // a single one at the top level.
  const dirs = ["", ...readdirSync("src/experiments", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${d.name}/`)];
  for (const dir of dirs) {
    for (const f of ["schema.json", "implementation.js"]) {
      if (existsSync(`src/experiments/${dir}${f}`)) cpSync(`src/experiments/${dir}${f}`, `${out}/experiments/${dir}${f}`);
    }
  }
}

const { version } = JSON.parse(readFileSync("manifest.json", "utf8"));
const xpi = `dist/sealbird-${version}.xpi`;
rmSync(xpi, { force: true });
const webExt = "node_modules/.bin/web-ext";
execFileSync(webExt, ["build", "--source-dir", out, "--artifacts-dir", "dist/.web-ext", "--overwrite-dest", "--filename", "sealbird.zip"], { stdio: ["ignore", "ignore", "inherit"] });
renameSync("dist/.web-ext/sealbird.zip", xpi);
rmSync("dist/.web-ext", { recursive: true, force: true });
if (!process.argv.includes("--no-lint")) lint(out);

/**
 * web-ext lint knows Firefox, not Thunderbird: it flags Thunderbird's own permissions, asks
 * for Firefox's data-collection manifest key and calls experiment_apis privileged-only. Those
 * are the only findings we accept; any error or any other warning fails the build.
 */
function lint(dir) {
  const thunderbirdOnly = new Set(["messagesRead", "accountsRead", "compose", "messagesModify", "accountsIdentities", "addressBooks"]);
  let raw;
  try {
    raw = execFileSync(webExt, ["lint", "--source-dir", dir, "--self-hosted", "--output", "json"], { encoding: "utf8" });
  } catch (e) {
    raw = e.stdout; // web-ext exits non-zero on errors; the JSON is still on stdout
  }
  const report = JSON.parse(raw);
  const findings = [...report.errors, ...report.warnings, ...report.notices].filter((m) => {
    if (m.code === "MISSING_DATA_COLLECTION_PERMISSIONS") return false;
    // Thunderbird runs experiment APIs in release builds (src/experiments); Firefox does not.
    if (m.code === "MANIFEST_FIELD_PRIVILEGED" && m.instancePath === "/experiment_apis") return false;
    if (isDomPurifyFallback(dir, m)) return false;
    const perm = m.code === "MANIFEST_PERMISSIONS" && /Invalid permissions "([^"]+)"/.exec(m.message);
    return !(perm && thunderbirdOnly.has(perm[1]));
  });
  for (const m of findings) console.error(`web-ext lint: ${m._type} ${m.code} ${m.file ?? ""}: ${m.message}`);
  if (findings.length) process.exit(1);
  console.log("web-ext lint: clean (Thunderbird-only permissions accepted)");
}

/**
 * DOMPurify (the sanitiser the message display relies on, bundled into background.js) parses
 * with DOMParser and only falls back to `innerHTML` on a fresh inert document if that fails.
 * The linter flags that one line; exactly that line, nothing else, is accepted.
 */
function isDomPurifyFallback(dir, m) {
  if (m.code !== "UNSAFE_VAR_ASSIGNMENT" || m.file !== "background.js" || !m.line) return false;
  const line = readFileSync(`${dir}/${m.file}`, "utf8").split("\n")[m.line - 1] ?? "";
  return line.trim() === "doc.documentElement.innerHTML = IS_EMPTY_INPUT ? emptyHTML : dirtyPayload;";
}
console.log(`built ${xpi}`);
