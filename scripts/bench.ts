// `npm run bench`: speed and peak memory of the engine next to openssl cms and gpg on the same
// input in the same run. A benchmark, never a test: numbers are printed, nothing is asserted.
import { benchSmime, formatSmimeBench } from "./bench-smime.js";
import { benchPgp, formatPgpBench } from "./bench-pgp.js";

const sizes = process.argv.includes("--quick") ? [1 << 20] : [1 << 20, 25 << 20];
console.log(`Sealbird bench — node ${process.version}, sizes: ${sizes.map((s) => `${s >> 20} MB`).join(", ")}`);
console.log("Ratios are engine time / tool time (tool times include process start).\n");
console.log("S/MIME vs openssl cms (target: ratio ≤ 1.5, peak memory < 4× message size)");
console.log(formatSmimeBench(await benchSmime(sizes)));
console.log("\nOpenPGP vs gpg (target: ratio ≤ 2, peak memory < 4× message size)");
console.log(formatPgpBench(await benchPgp(sizes)));
