#!/usr/bin/env node
// `npm start`: Debian's Thunderbird, in a real window, on a demo profile where Sealbird can be
// seen at once (scripts/demo/): Alice's keystore, S/MIME and OpenPGP identities, Bob as a
// correspondent, and an inbox of sample messages made by openssl and gpg. An SMTP sink on
// 127.0.0.1 receives what is sent and prints it. The profile is made once under .demo/ and
// reused; `--fresh` makes it again. `--profile DIR` installs the add-on into an existing
// profile instead (no demo data) and starts the sink for it.
//
// The add-on is the built XPI (dist/sealbird-<version>.xpi), installed for real — side-loaded
// into the demo profile, a normal install in `--profile` — not web-ext's temporary install,
// whose storage (the keystore) Thunderbird deletes when it closes. Marionette is on (127.0.0.1)
// only in the headless set-up runs; the window a person uses has no remote control port.

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { launchThunderbird, stopAllThunderbirds } from "../test/e2e/lib/thunderbird.mjs";
import { startSmtpSink } from "../test/e2e/lib/smtp-sink.mjs";
import { buildDemoProfile, demoPaths, installIntoProfile, readDemo, refreshDemoProfile } from "./demo/profile.mjs";
import { describeReceived, stopBobAgent } from "./demo/received.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SINK_PORT = 2525;

const HELP = `npm start [-- options]   Thunderbird with Sealbird on a demo profile (.demo/, made once, reused)

  --fresh          make the demo profile again (new keys, keystore and inbox)
  --profile DIR    use an existing Thunderbird profile instead: install the add-on there,
                   start the SMTP sink, no demo data
  --demo-dir DIR   where the demo lives (default: .demo in the repository)
  --sink-port N    port of the SMTP sink on 127.0.0.1 (default ${SINK_PORT}; another free one if taken)
  --help

Needs a display (a desktop session, or xvfb-run) and a build (npm start runs npm run build:addon).`;

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

let opts;
try {
  opts = parseArgs({
    options: {
      fresh: { type: "boolean", default: false },
      profile: { type: "string" },
      "demo-dir": { type: "string" },
      "sink-port": { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
} catch (e) {
  fail(`${e.message}\n\n${HELP}`);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
if (opts.profile && opts.fresh) fail("--fresh makes the demo profile; it cannot be combined with --profile");

const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
const xpi = path.resolve(process.env.SEALBIRD_XPI || path.join(ROOT, "dist", `sealbird-${version}.xpi`));
if (!fs.existsSync(xpi)) fail(`${path.relative(process.cwd(), xpi)} is missing: run npm run build:addon (npm start does)`);
if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail("no display: run it in a desktop session, or under a virtual one: xvfb-run -a -s '-screen 0 1400x1000x24' npm start");
}
const demoDir = path.resolve(opts["demo-dir"] ?? path.join(ROOT, ".demo"));
const rel = (p) => {
  const r = path.relative(process.cwd(), p);
  return r.startsWith("..") ? p : r || ".";
};

// ---- the SMTP sink: prints what arrives; Bob's keys read it where the demo has them
let received = 0;
const keysDir = opts.profile ? undefined : demoPaths(demoDir).keys;
const receivedDir = opts.profile ? path.join(demoDir, "received-profile") : demoPaths(demoDir).received;
const onMessage = (m) => {
  received++;
  const lines = describeReceived(m, { dir: receivedDir, n: received, keysDir });
  console.log(`\n── message ${received} received by the SMTP sink ──\n${lines.map((l) => `  ${l}`).join("\n")}`);
};
const wanted = Number(opts["sink-port"] ?? SINK_PORT);
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) fail(`--sink-port ${opts["sink-port"]}: not a port number`);
let sink;
try {
  sink = await startSmtpSink({ port: wanted, onMessage });
} catch (e) {
  if (e.code !== "EADDRINUSE") throw e;
  sink = await startSmtpSink({ port: 0, onMessage });
}

let stopping = null;
function stop(reason, code = 0) {
  stopping ??= (async () => {
    if (reason) console.log(`\n${reason}: stopping Thunderbird and the SMTP sink…`);
    await Promise.race([stopAllThunderbirds(), new Promise((r) => setTimeout(r, 10_000))]);
    await Promise.race([sink.close(), new Promise((r) => setTimeout(r, 3000))]);
    if (keysDir) stopBobAgent(keysDir);
    console.log(`stopped${received ? ` (${received} message(s) received, saved in ${rel(receivedDir)})` : ""}.`);
    process.exit(code);
  })();
  return stopping;
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => stop(sig === "SIGINT" ? "Ctrl-C" : sig));

// ---- the profile
let profileDir;
let facts;
try {
  if (opts.profile) {
    profileDir = path.resolve(opts.profile);
    if (!fs.statSync(profileDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--profile ${opts.profile}: no such directory`);
    fs.mkdirSync(demoDir, { recursive: true });
    console.log(`installing Sealbird ${version} into ${profileDir} (headless run, Marionette on 127.0.0.1 for that run only)…`);
    const a = await installIntoProfile({ profileDir, xpi, logFile: path.join(demoDir, "install.thunderbird.log") });
    facts = [
      ["profile", profileDir],
      ["add-on", `${a.id} ${a.version}, installed like "Install Add-on From File" (its keystore stays)`],
      ["outgoing mail", `SMTP sink on 127.0.0.1:${sink.port} (no auth, no TLS): point an identity's outgoing server there to see what Sealbird sends`],
    ];
  } else {
    let demo = opts.fresh ? null : readDemo(demoDir);
    if (!demo) {
      console.log(opts.fresh ? "making the demo profile again (--fresh)…" : `making the demo profile in ${rel(demoDir)} (once, then it is reused; under a minute)…`);
      demo = await buildDemoProfile({ demoDir, xpi, smtpPort: sink.port, log: (s) => console.log(`  ${s}`) });
    }
    refreshDemoProfile({ demoDir, xpi, smtpPort: sink.port });
    profileDir = demoPaths(demoDir).profile;
    facts = [
      ["profile", `${rel(profileDir)} (made ${demo.created.slice(0, 10)}; npm start -- --fresh makes it again)`],
      ["keystore passphrase", demo.passphrase],
      ["you are", `${demo.identity}: S/MIME certificate + OpenPGP key; Bob <bob@example.org> is a correspondent`],
      ["inbox", `${demo.messages.length} sample messages: select one and read Sealbird's button in the message header`],
      ["outgoing mail", `SMTP sink on 127.0.0.1:${sink.port}: reply to Bob and what arrives is printed here`],
    ];
  }
} catch (e) {
  console.error(`npm start: ${e.message}`);
  await stop(null, 1);
}

// ---- the window
const logFile = path.join(demoDir, "thunderbird.log");
const tb = await launchThunderbird({ profileDir, display: "native", marionette: false, logFile }).catch(async (e) => {
  console.error(`npm start: ${e.message}`);
  return stop(null, 1);
});
facts.push(["Thunderbird's output", rel(logFile)]);
const width = Math.max(...facts.map(([k]) => k.length));
console.log(`\nSealbird in Thunderbird (${process.env.THUNDERBIRD_BIN || "/usr/bin/thunderbird"})`);
for (const [k, v] of facts) console.log(`  ${k.padEnd(width)}  ${v}`);
console.log("Close Thunderbird or press Ctrl-C to stop.");
await tb.exitPromise;
if (!stopping && tb.exitCode) {
  // Not a person closing the window (that exits 0): say why, from Thunderbird's own output.
  console.error(`\nThunderbird exited with code ${tb.exitCode}; its last output (all of it in ${rel(logFile)}):\n${tb.outputTail(15)}`);
  await stop(null, 1);
}
await stop("Thunderbird closed");
