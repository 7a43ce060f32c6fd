// Top entries of a Gecko profile (as `npm run bench:thunderbird -- --profile DIR` writes them):
// for every process's main thread with samples, the functions with the most self time and the
// most running time (self + callees), in sample counts → milliseconds at the sampling interval.
//
//   node scripts/profile-top.mjs FILE.json [--top 15] [--match WebExtensions|GeckoMain]

import fs from "node:fs";

const [file, ...rest] = process.argv.slice(2);
const TOP = Number(rest[rest.indexOf("--top") + 1] || 15) || 15;
const MATCH = rest.includes("--match") ? new RegExp(rest[rest.indexOf("--match") + 1]) : null;

const profile = JSON.parse(fs.readFileSync(file, "utf8"));

function* allThreads(p, processName = "parent") {
  for (const t of p.threads ?? []) yield { t, interval: p.meta?.interval ?? 1, processName: t.processName ?? processName };
  for (const sub of p.processes ?? []) yield* allThreads(sub, sub.threads?.[0]?.processName ?? sub.meta?.processType ?? "child");
}

const col = (schema, name) => schema[name];

function summarize(t) {
  const strings = t.stringTable;
  const frames = t.frameTable;
  const stacks = t.stackTable;
  const samples = t.samples;
  const fLoc = col(frames.schema, "location");
  const sPrefix = col(stacks.schema, "prefix");
  const sFrame = col(stacks.schema, "frame");
  const sampStack = col(samples.schema, "stack");
  const name = (frameIndex) => {
    const s = strings[frames.data[frameIndex][fLoc]] ?? "?";
    return s.length > 140 ? `${s.slice(0, 137)}...` : s;
  };
  const self = new Map();
  const running = new Map();
  let n = 0;
  for (const row of samples.data) {
    let s = row[sampStack];
    if (s === null || s === undefined) continue;
    n++;
    const leaf = name(stacks.data[s][sFrame]);
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    const seen = new Set();
    while (s !== null && s !== undefined) {
      const fn = name(stacks.data[s][sFrame]);
      if (!seen.has(fn)) {
        seen.add(fn);
        running.set(fn, (running.get(fn) ?? 0) + 1);
      }
      s = stacks.data[s][sPrefix];
    }
  }
  return { n, self, running };
}

for (const { t, interval, processName } of allThreads(profile)) {
  const label = `${processName} / ${t.name} (pid ${t.pid ?? "?"})`;
  if (MATCH && !MATCH.test(label)) continue;
  if (!t.samples?.data?.length) continue;
  const { n, self, running } = summarize(t);
  if (n < 20) continue;
  const ms = (c) => `${Math.round(c * interval)} ms`.padStart(9);
  console.log(`\n== ${label}: ${n} samples ≈ ${Math.round(n * interval)} ms`);
  console.log("  self:");
  for (const [fn, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`   ${ms(c)}  ${fn}`);
  console.log("  running (self + callees), JS only:");
  const js = [...running].filter(([fn]) => /\.(m?js|ts)|moz-extension|chrome:|resource:/.test(fn));
  for (const [fn, c] of js.sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`   ${ms(c)}  ${fn}`);
}
