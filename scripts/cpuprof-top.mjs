// Top entries of a V8 .cpuprofile (node --cpu-prof): self time per function and per package/file.
//   node scripts/cpuprof-top.mjs FILE.cpuprofile [--top 20]
import fs from "node:fs";

const [file, ...rest] = process.argv.slice(2);
const TOP = Number(rest[rest.indexOf("--top") + 1] || 20) || 20;
const p = JSON.parse(fs.readFileSync(file, "utf8"));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const dt = (p.endTime - p.startTime) / 1000 / p.samples.length; // ms per sample
const selfFn = new Map();
const selfFile = new Map();
for (const [id, c] of counts) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(dist|src)\//, "$1/");
  const fn = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  selfFn.set(fn, (selfFn.get(fn) ?? 0) + c);
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url ? where.split(":")[0] : functionName);
  selfFile.set(pkg, (selfFile.get(pkg) ?? 0) + c);
}
const total = p.samples.length * dt;
console.log(`${file}: ${p.samples.length} samples, ${total.toFixed(0)} ms`);
const show = (title, m) => {
  console.log(title);
  for (const [k, c] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${(c * dt).toFixed(0).padStart(7)} ms  ${k}`);
};
show("self time by package/file:", selfFile);
show("self time by function:", selfFn);
