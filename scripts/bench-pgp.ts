/**
 * OpenPGP engine benchmark: encrypt+sign and decrypt+verify of a 1 MB and a 25 MB message (one
 * base64 attachment) by the engine, next to `gpg` on the same input in the same run (same
 * Curve25519 key, no compression on either side). Never part of the test suite; the lead wires
 * `benchPgp()` into `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMime } from "../src/core/mime/index.js";
import { generatePgpKey, exportSecretKey, pgpEncrypt, openPgp, type PgpContext } from "../src/core/pgp/index.js";
import { attachmentMessage, formatBench, gc, MemoryPeak, type BenchRow } from "./bench-lib.js";

export type PgpBenchRow = BenchRow;



export async function benchPgp(sizes: number[] = [1 << 20, 25 << 20]): Promise<PgpBenchRow[]> {
  const home = mkdtempSync(join(tmpdir(), "sealbird-bench-gpg-"));
  chmodSync(home, 0o700);
  writeFileSync(join(home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
  const gpg = (args: string[], input?: Uint8Array | string): void => {
    const r = spawnSync("gpg", ["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "bench", "--trust-model", "always", ...args], {
      cwd: home,
      env: { ...process.env, GNUPGHOME: home },
      input,
      stdio: ["pipe", "ignore", "pipe"],
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`bench: gpg ${args[0]} failed: ${String(r.stderr)}`);
  };
  try {
    const key = (await generatePgpKey({ name: "Bench", email: "bench@example.org" })).privateKey;
    gpg(["--import"], await exportSecretKey(key, "bench"));
    const fpr = key.getFingerprint();
    const ctx: PgpContext = { secretKeys: [{ key }], publicKeys: [] };
    const rows: PgpBenchRow[] = [];
    for (const size of sizes) {
      const label = `${Math.round(size / 1048576)} MB`;
      const msg = attachmentMessage(size);
      writeFileSync(join(home, "msg.eml"), msg);
      gc?.();

      let mem = new MemoryPeak();
      let t = performance.now();
      const ours = await pgpEncrypt(msg, { recipients: [key.toPublic()], signWith: key });
      const engineEnc = performance.now() - t;
      const m1 = mem.stop();
      writeFileSync(join(home, "ours.eml"), ours);

      t = performance.now();
      gpg(["--armor", "--compress-algo", "none", "--local-user", fpr, "--recipient", fpr, "--sign", "--encrypt", "--output", "g.asc", "msg.eml"]);
      const gpgEnc = performance.now() - t;
      rows.push({ size: label, operation: "encrypt+sign", engineMs: engineEnc, toolMs: gpgEnc, ratio: engineEnc / gpgEnc, peakRssMb: m1.rss, peakArrayBuffersMb: m1.ab });
      gc?.();

      mem = new MemoryPeak();
      t = performance.now();
      const r = await openPgp(parseMime(ours), ctx, { from: "bench@example.org" });
      const engineDec = performance.now() - t;
      const m2 = mem.stop();
      if (r.encryption?.state !== "decrypted" || r.signature?.state !== "valid" || r.inner?.length !== msg.length) {
        throw new Error(`bench: round trip failed (${r.encryption?.state}, ${r.signature?.state})`);
      }

      // gpg opens the armored message we wrote (the second part), as a reader would.
      const entity = parseMime(ours);
      writeFileSync(join(home, "ours.asc"), entity.children[1]!.body);
      t = performance.now();
      gpg(["--output", "g-dec.eml", "--decrypt", "ours.asc"]);
      const gpgDec = performance.now() - t;
      rows.push({ size: label, operation: "decrypt+verify", engineMs: engineDec, toolMs: gpgDec, ratio: engineDec / gpgDec, peakRssMb: m2.rss, peakArrayBuffersMb: m2.ab });
      gc?.();
    }
    return rows;
  } finally {
    spawnSync("gpgconf", ["--kill", "all"], { env: { ...process.env, GNUPGHOME: home } });
    rmSync(home, { recursive: true, force: true });
  }
}

export function formatPgpBench(rows: PgpBenchRow[]): string {
  return formatBench(rows, "gpg");
}
