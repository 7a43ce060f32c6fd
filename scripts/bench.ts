// `npm run bench`: the user's path on the command line — `sealbird protect` and `sealbird inspect`
// as whole processes, next to `openssl cms` and `gpg` doing the same work on the same input, in
// the same run. Runs are paired and interleaved (tool, sealbird, tool, sealbird, …) so load on a
// shared machine hits both alike; each cell is the median of --runs (default 3). The keystore
// unlock (Argon2id, deliberate) is measured on its own and reported apart; "net" subtracts it.
// Peak memory is the process's maximum RSS (GNU time), also shown net of a bare `sealbird
// --version` process. A benchmark, never a test: numbers are printed, nothing is asserted.
// `npm run bench:thunderbird` does the same inside Thunderbird (scripts/bench-thunderbird.mjs).
//
//   npm run bench [-- --quick] [-- --runs N] [-- --sizes 1k,1m,25m] [-- --cpu-prof DIR]
//                 [-- --baseline-cli OTHER/dist/cli/sealbird.mjs]
//   (--cpu-prof: one more run of every sealbird command under `node --cpu-prof`, profiles in
//   DIR/<operation>-<size>/; read them with scripts/cpuprof-top.mjs. --baseline-cli: another
//   build of the CLI, e.g. main's, measured in the same interleaved rounds, for before/after.)
// Peak memory is shown net of a bare process and net of the fixed cost (an unlocked `inspect`
// of a tiny message: Node, the modules and Argon2id's 64 MiB), which is what grows with the
// message.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { Keystore } from "../src/core/keystore/index.js";
import { KeystoreFileBackend } from "../src/node/keystore-file-backend.js";
import { attachmentMessage } from "./bench-lib.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const RUNS = Number(opt("runs", "3"));
const CPU_PROF = opt("cpu-prof", "");
const BASELINE = opt("baseline-cli", "") ? resolve(opt("baseline-cli", "")) : "";
const SIZES = opt("sizes", argv.includes("--quick") ? "1k,1m" : "1k,1m,25m")
  .split(",")
  .map((s) => ({ label: s.toUpperCase().replace(/K$/, " KB").replace(/M$/, " MB"), bytes: parseInt(s, 10) * (/m$/i.test(s) ? 1 << 20 : 1024) }));

const CLI = resolve("dist/cli/sealbird.mjs");
const PASS = "bench keystore passphrase";
const EMAIL = "bench@example.org";

interface Run {
  ms: number;
  maxRssMb: number;
}

/** One whole process, timed from spawn to exit, with its peak RSS from GNU time. */
function run(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; input?: Uint8Array }): Run {
  const rssFile = join(o.cwd, ".rss");
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, cmd, ...args], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    input: o.input,
    stdio: ["pipe", "ignore", "pipe"],
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(" ")} failed (${r.status}): ${String(r.stderr).slice(0, 500)}`);
  const kb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
  return { ms, maxRssMb: kb / 1024 };
}

/** Several processes one after the other (openssl's sign then encrypt): times add, peak is the max. */
function chain(...runs: Array<() => Run>): Run {
  let ms = 0;
  let maxRssMb = 0;
  for (const r of runs) {
    const x = r();
    ms += x.ms;
    maxRssMb = Math.max(maxRssMb, x.maxRssMb);
  }
  return { ms, maxRssMb };
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};

function plainMessage(bytes: number): Uint8Array {
  const head = `From: Bench <${EMAIL}>\r\nTo: Bench <${EMAIL}>\r\nSubject: bench\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <bench-${Date.now()}@example.org>\r\nMIME-Version: 1.0\r\n`;
  const body = attachmentMessage(bytes);
  const out = new Uint8Array(head.length + body.length);
  out.set(new TextEncoder().encode(head));
  out.set(body, head.length);
  return out;
}

function pgpMime(armored: string): string {
  return (
    `From: Bench <${EMAIL}>\r\nTo: Bench <${EMAIL}>\r\nSubject: bench\r\nMIME-Version: 1.0\r\n` +
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n' +
    "--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\n" +
    'Content-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n' +
    armored.replace(/\r?\n/g, "\r\n") +
    "\r\n--b--\r\n"
  );
}

interface Row {
  size: string;
  operation: string;
  tool: string;
  sealbirdMs: number;
  netMs: number;
  toolMs: number;
  sealbirdRssMb: number;
  toolRssMb: number;
  baselineNetMs?: number;
  baselineRssMb?: number;
  /** The size of the .eml the command reads (the protected message for inspect). */
  inputMb: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sealbird-bench-"));
  const gnupg = join(dir, "gnupg");
  const env = { ...process.env, SEALBIRD_KEYSTORE: join(dir, "keystore"), SEALBIRD_PASSPHRASE: PASS, GNUPGHOME: gnupg };
  const sh = (cmd: string, args: string[], input?: Uint8Array): Buffer => {
    const r = spawnSync(cmd, args, { cwd: dir, env, input, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`bench setup: ${cmd} ${args.join(" ")}: ${String(r.stderr)}`);
    return r.stdout;
  };
  const gpgArgs = ["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", "--trust-model", "always"];
  let profileTo = "";
  let cli = CLI;
  const sealbird = (args: string[]): Run =>
    run(process.execPath, [...(profileTo ? ["--cpu-prof", "--cpu-prof-dir", profileTo] : []), cli, ...args], { cwd: dir, env });
  /** The same command on the baseline build (when given). */
  const baseline = <T>(f: () => T): T => {
    cli = BASELINE;
    try {
      return f();
    } finally {
      cli = CLI;
    }
  };
  try {
    // Keys: one S/MIME identity (RSA 2048, self-signed, also the trust anchor) and one OpenPGP
    // key (gpg's default, Ed25519/Cv25519), the same ones on both sides.
    sh("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", `/CN=Bench/emailAddress=${EMAIL}`, "-days", "2",
      "-addext", `subjectAltName=email:${EMAIL}`, "-addext", "keyUsage=digitalSignature,keyEncipherment", "-addext", "extendedKeyUsage=emailProtection"]);
    sh("openssl", ["pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-passout", "pass:p12", "-out", "id.p12"]);
    writeFileSync(join(dir, "p12pass"), "p12\n");
    spawnSync("mkdir", ["-m", "700", gnupg]);
    chmodSync(gnupg, 0o700);
    sh("gpg", [...gpgArgs, "--quick-gen-key", `Bench <${EMAIL}>`, "future-default", "default", "never"]);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(String(sh("gpg", ["--with-colons", "--fingerprint", EMAIL])))![1]!;
    writeFileSync(join(dir, "pgp-secret.asc"), sh("gpg", [...gpgArgs, "--armor", "--export-secret-keys", EMAIL]));
    sh(process.execPath, [CLI, "keystore", "init"]);
    sh(process.execPath, [CLI, "import", "id.p12", "--password-file", "p12pass"]);
    sh(process.execPath, [CLI, "trust", "c.pem"]);
    sh(process.execPath, [CLI, "import", "pgp-secret.asc"]);

    // The deliberate part: Argon2id (64 MiB, t=3) unlocking the data key. Measured as the CLI
    // pays it: `inspect` of a tiny plain message with the passphrase minus the same without
    // (then the keystore stays locked), paired runs; in-process for reference.
    writeFileSync(join(dir, "tiny.eml"), plainMessage(16));
    const { SEALBIRD_PASSPHRASE: _p, ...lockedEnv } = env;
    const unlockSamples = (): number[] => {
      const unlocks: number[] = [];
      for (let i = 0; i < Math.max(RUNS, 5); i++) {
        const locked = run(process.execPath, [cli, "inspect", "tiny.eml"], { cwd: dir, env: lockedEnv }).ms;
        unlocks.push(sealbird(["inspect", "tiny.eml"]).ms - locked);
      }
      return unlocks;
    };
    // Both builds run the same unlock code: their samples are pooled (a steadier median on a
    // loaded machine), so "net" subtracts the same amount from both.
    const samples = [...unlockSamples(), ...(BASELINE ? baseline(unlockSamples) : [])];
    const unlockMs = Math.max(0, median(samples));
    const baselineUnlockMs = unlockMs;
    const inProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ks = await Keystore.open(new KeystoreFileBackend(env.SEALBIRD_KEYSTORE));
      const t = performance.now();
      await ks.unlock(PASS);
      inProcess.push(performance.now() - t);
    }
    const bare = median(Array.from({ length: RUNS }, () => sealbird(["--version"]).maxRssMb));
    const fixed = median(Array.from({ length: RUNS }, () => sealbird(["inspect", "tiny.eml"]).maxRssMb));
    const baselineFixed = BASELINE ? baseline(() => median(Array.from({ length: RUNS }, () => sealbird(["inspect", "tiny.eml"]).maxRssMb))) : 0;

    const rows: Row[] = [];
    const ops: Array<{ operation: string; tool: string; input: string; unlocks: boolean; prepare?: () => void; ours: () => Run; theirs: () => Run }> = [
      {
        operation: "S/MIME sign+encrypt",
        tool: "openssl",
        input: "msg.eml",
        unlocks: true,
        ours: () => sealbird(["protect", "msg.eml", "--from", EMAIL, "--to", EMAIL, "--sign", "--encrypt", "--smime", "-o", "ours-smime.eml"]),
        theirs: () =>
          chain(
            () => run("openssl", ["cms", "-sign", "-binary", "-in", "msg.eml", "-signer", "c.pem", "-inkey", "k.pem", "-out", "o-signed.eml"], { cwd: dir }),
            () => run("openssl", ["cms", "-encrypt", "-aes256", "-binary", "-in", "o-signed.eml", "-out", "o-smime.eml", "c.pem"], { cwd: dir }),
          ),
      },
      {
        // Both open the message openssl wrote (mail neither side wrote itself would be the same).
        operation: "S/MIME decrypt+verify",
        tool: "openssl",
        input: "o-smime.eml",
        unlocks: true,
        ours: () => sealbird(["inspect", "o-smime.eml", "--out", "ours-dec.eml"]),
        theirs: () =>
          chain(
            () => run("openssl", ["cms", "-decrypt", "-in", "o-smime.eml", "-recip", "c.pem", "-inkey", "k.pem", "-out", "o-dec.eml"], { cwd: dir }),
            () => run("openssl", ["cms", "-verify", "-in", "o-dec.eml", "-CAfile", "c.pem", "-out", "o-verified.eml"], { cwd: dir }),
          ),
      },
      {
        operation: "OpenPGP sign+encrypt",
        tool: "gpg",
        input: "msg.eml",
        unlocks: true,
        ours: () => sealbird(["protect", "msg.eml", "--from", EMAIL, "--to", EMAIL, "--sign", "--encrypt", "--pgp", "--no-autocrypt", "-o", "ours-pgp.eml"]),
        theirs: () => run("gpg", [...gpgArgs, "--armor", "--local-user", fpr, "--recipient", fpr, "--sign", "--encrypt", "--output", "g.asc", "msg.eml"], { cwd: dir, env }),
      },
      {
        // gpg's own output, as PGP/MIME for us and as the armored block for gpg.
        operation: "OpenPGP decrypt+verify",
        tool: "gpg",
        input: "g.eml",
        unlocks: true,
        prepare: () => writeFileSync(join(dir, "g.eml"), pgpMime(readFileSync(join(dir, "g.asc"), "latin1")), "latin1"),
        ours: () => sealbird(["inspect", "g.eml", "--out", "ours-gdec.eml"]),
        theirs: () => run("gpg", [...gpgArgs, "--output", "g-dec.eml", "--decrypt", "g.asc"], { cwd: dir, env }),
      },
    ];
    for (const size of SIZES) {
      writeFileSync(join(dir, "msg.eml"), plainMessage(size.bytes));
      for (const op of ops) {
        op.theirs(); // warm: page cache, gpg-agent
        op.prepare?.();
        const ours: Run[] = [];
        const theirs: Run[] = [];
        const base: Run[] = [];
        for (let i = 0; i < RUNS; i++) {
          // Interleaved, the order turned every round: load on a shared machine hits all alike.
          const round = [() => theirs.push(op.theirs()), () => ours.push(op.ours()), ...(BASELINE ? [() => base.push(baseline(op.ours))] : [])];
          for (const step of i % 2 ? round.reverse() : round) step();
        }
        const sealbirdMs = median(ours.map((r) => r.ms));
        const row: Row = {
          size: size.label,
          operation: op.operation,
          tool: op.tool,
          sealbirdMs,
          netMs: op.unlocks ? sealbirdMs - unlockMs : sealbirdMs,
          toolMs: median(theirs.map((r) => r.ms)),
          sealbirdRssMb: median(ours.map((r) => r.maxRssMb)),
          toolRssMb: median(theirs.map((r) => r.maxRssMb)),
          inputMb: statSync(join(dir, op.input)).size / 1048576,
          ...(BASELINE ? { baselineNetMs: median(base.map((r) => r.ms)) - (op.unlocks ? baselineUnlockMs : 0), baselineRssMb: median(base.map((r) => r.maxRssMb)) } : {}),
        };
        rows.push(row);
        if (CPU_PROF) {
          profileTo = resolve(CPU_PROF, `${op.operation.replace(/\W+/g, "-")}-${size.label.replace(" ", "")}`);
          op.ours();
          profileTo = "";
        }
      }
    }

    const head = `Sealbird CLI vs openssl cms / gpg — node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}, median of ${RUNS} paired runs`;
    console.log(head);
    console.log(`keystore unlock (Argon2id 64 MiB, t=3): ${unlockMs.toFixed(0)} ms per process (${median(inProcess).toFixed(0)} ms in-process), in every command below; "net" = without it`);
    console.log(`bare sealbird process (--version): ${bare.toFixed(0)} MB max RSS; fixed cost (unlocked inspect of a tiny message): ${fixed.toFixed(0)} MB`);
    if (BASELINE) console.log(`baseline: ${BASELINE} (fixed cost ${baselineFixed.toFixed(0)} MB), measured in the same rounds; the unlock above is the median of both builds' samples`);
    console.log("");
    const cols = "size   operation               sealbird ms  net ms  tool ms  ratio  net ratio  peak RSS MB (net of bare, of fixed: ×input)";
    console.log(`${cols.padEnd(120)}${BASELINE ? "baseline net ms  net ratio  RSS MB (net of fixed: ×input)  " : ""}tool RSS MB`);
    for (const r of rows) {
      const times = (net: number): string => `${(net / r.inputMb).toFixed(1)}×`;
      const netRss = r.sealbirdRssMb - bare;
      const grown = r.sealbirdRssMb - fixed;
      const baseCols =
        BASELINE && r.baselineNetMs !== undefined && r.baselineRssMb !== undefined
          ? `${r.baselineNetMs.toFixed(0).padStart(15)} ${(r.baselineNetMs / r.toolMs).toFixed(2).padStart(10)}  ${r.baselineRssMb.toFixed(0).padStart(6)} (${(r.baselineRssMb - baselineFixed).toFixed(0)}: ${times(r.baselineRssMb - baselineFixed)})`.padEnd(47)
          : "";
      console.log(
        `${r.size.padEnd(6)} ${r.operation.padEnd(23)} ${r.sealbirdMs.toFixed(0).padStart(11)} ${r.netMs.toFixed(0).padStart(7)} ${r.toolMs.toFixed(0).padStart(8)} ${(r.sealbirdMs / r.toolMs).toFixed(2).padStart(6)} ${(r.netMs / r.toolMs).toFixed(2).padStart(10)}  ${r.sealbirdRssMb.toFixed(0).padStart(6)} (${netRss.toFixed(0)}, ${grown.toFixed(0)}: ${times(grown)})`.padEnd(120) +
          `${baseCols}${r.toolRssMb.toFixed(0).padStart(6)}  ${r.tool}`,
      );
    }
    console.log("\nTargets (issue 14): 25 MB net ratio ≤ 1.5 vs openssl and ≤ 2 vs gpg; peak memory ≤ 4× the message size (× input .eml: the peak net of the fixed cost over the size of the file the command reads).");
  } finally {
    spawnSync("gpgconf", ["--kill", "all"], { env });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
