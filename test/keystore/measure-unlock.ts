/**
 * Measures keystore unlock time with the default Argon2id parameters (not a test).
 *   npx esbuild test/keystore/measure-unlock.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/measure-unlock.mjs && node /tmp/measure-unlock.mjs
 */
import { availableParallelism, cpus } from "node:os";
import { Keystore } from "../../src/core/keystore/keystore.js";
import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { DEFAULT_KDF } from "../../src/core/keystore/kdf.js";

const b = new MemoryBackend();
(await Keystore.create(b, "measure me")).lock();
const ks = await Keystore.open(b);
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  await ks.unlock("measure me");
  times.push(performance.now() - t);
  ks.lock();
}
times.sort((x, y) => x - y);
console.log(`Argon2id m=${DEFAULT_KDF.memoryKiB} KiB t=${DEFAULT_KDF.iterations} p=${DEFAULT_KDF.parallelism}`);
console.log(`${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}`);
console.log(`unlock: median ${times[2]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`);
