// Tiny sequential test runner for the e2e suite.
//
// A test file (test/e2e/*.e2e.mjs) registers at import time:
//   import { test, before, after } from "./lib/runner.mjs";
//   before(async () => { ... });          // once, before the file's tests
//   test("does X", async () => { ... });  // throw (node:assert) to fail
//   after(async () => { ... });           // once, always, even on failure
// run.mjs imports each file and calls runFile(). Tests run strictly in
// order, so later tests may rely on state earlier ones made (a shared
// Thunderbird per file is the point); a failing `before` fails every test of
// the file with that error, loudly.

const registry = { tests: [], before: [], after: [] };

export function test(name, fn, { timeoutMs = 120_000 } = {}) {
  registry.tests.push({ name, fn, timeoutMs });
}
/**
 * A behaviour the product does not have yet, named with the reason: reported as skipped,
 * never counted as passed, so the gap stays visible in every run until the test replaces it.
 */
export function knownGap(name, reason) {
  registry.tests.push({ name, gap: reason });
}
export function before(fn, { timeoutMs = 120_000 } = {}) {
  registry.before.push({ fn, timeoutMs });
}
export function after(fn, { timeoutMs = 60_000 } = {}) {
  registry.after.push({ fn, timeoutMs });
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

function describeError(e) {
  const s = e && e.stack ? e.stack : String(e);
  // Keep the assertion message and the first frames; Marionette errors are long.
  return s.split("\n").slice(0, 14).join("\n");
}

/**
 * Imports `file` (registering its tests) and runs them.
 * @returns {Promise<{passed:number, failed:number, results:Array}>}
 */
export async function runFile(file, { log = console.log } = {}) {
  registry.tests = [];
  registry.before = [];
  registry.after = [];
  await import(file);
  const { tests, before: befores, after: afters } = registry;
  const results = [];
  let setupError = null;
  for (const h of befores) {
    try {
      await withTimeout(h.fn(), h.timeoutMs, "before()");
    } catch (e) {
      setupError = e;
      break;
    }
  }
  for (const t of tests) {
    const t0 = Date.now();
    if (t.gap) {
      results.push({ name: t.name, skipped: true, ms: 0 });
      log(`  GAP  ${t.name}\n       not yet: ${t.gap}`);
      continue;
    }
    if (setupError) {
      results.push({ name: t.name, ok: false, error: setupError, ms: 0 });
      log(`  FAIL ${t.name} (setup failed)`);
      continue;
    }
    try {
      await withTimeout(t.fn(), t.timeoutMs, `test "${t.name}"`);
      results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
      log(`  ok   ${t.name} (${fmtMs(Date.now() - t0)})`);
    } catch (e) {
      results.push({ name: t.name, ok: false, error: e, ms: Date.now() - t0 });
      log(`  FAIL ${t.name} (${fmtMs(Date.now() - t0)})\n${indent(describeError(e))}`);
    }
  }
  if (setupError) log(`  SETUP FAILED:\n${indent(describeError(setupError))}`);
  for (const h of afters) {
    try {
      await withTimeout(h.fn(), h.timeoutMs, "after()");
    } catch (e) {
      log(`  after() failed:\n${indent(describeError(e))}`);
    }
  }
  if (setupError && !tests.length) results.push({ name: "(setup)", ok: false, error: setupError, ms: 0 });
  const passed = results.filter((r) => r.ok).length;
  const skipped = results.filter((r) => r.skipped).length;
  return { passed, skipped, failed: results.length - passed - skipped, results, setupError };
}

function indent(s) {
  return s
    .split("\n")
    .map((l) => `       ${l}`)
    .join("\n");
}
