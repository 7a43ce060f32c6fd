// `npm run bench:thunderbird`: Sealbird next to Thunderbird's own crypto (RNP + NSS) in the real
// Thunderbird, on the same messages, in the same run. A benchmark, never a test: it prints.
//
// Two Thunderbirds run side by side and are measured in turn (ABAB…, the order swapped every
// round, so load on the shared machine hits both alike):
//   sealbird  — the Sealbird XPI with the keys in its keystore; Thunderbird's stores have none
//               (the user's case: Thunderbird's own doomed attempt is part of what they wait for)
//   built-in  — no add-on; the same keys in Thunderbird's NSS (PKCS#12 + trusted root) and RNP
// once with Debian's prefs (javascript.options.baselinejit=false: every script interpreted) and
// once with the JIT on (as in Mozilla's own builds).
//
// Each row: display request → decrypted body in the pane (the token at its start found in the
// DOM, then two animation frames for layout and paint), median of --runs (default 3); peak
// growth of the process tree's PSS (sum over Thunderbird's processes) during the display.
// Every run shows a fresh copy of the message, so no result cache is measured.
//
//   node scripts/bench-thunderbird.mjs [--runs N] [--only pgp|smime-enc|smime-signed-enc]
//        [--sizes 100k,10m] [--jit off|on|both] [--profile DIR]   (Gecko profiles of one run)
//        [--send-only] [--no-send] [--baseline-xpi OLD.xpi]
//
// --baseline-xpi: a third Thunderbird with another Sealbird build (e.g. main before a change),
// measured in the same rounds, so before/after compare under the same load.
//
// Sending: a 10 MB attachment S/MIME signed+encrypted to bob, from "Send" until the SMTP sink
// has the message. Sealbird's share is the add-on's encapsulation call in the composer
// (background + experiment, TIME_ENCAPSULATION); the same send without encryption is printed
// beside it (the difference also holds Thunderbird's own work on a larger message).

import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { randomBytes } from "node:crypto";
import { startSession } from "../test/e2e/lib/session.mjs";
import * as mail from "../test/e2e/lib/mail.mjs";
import * as sb from "../test/e2e/lib/sealbird.mjs";
import { importSmimeIdentity, importPgpSecretKey, useBuiltinSmimeForSending } from "../test/e2e/lib/builtin-crypto.mjs";
import * as cmp from "../test/e2e/lib/compose.mjs";
import { TestKeys, textEntity } from "../test/e2e/fixtures/messages.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt("runs", "3"));
const SIZES = opt("sizes", "100k,10m")
  .split(",")
  .map((s) => ({ label: s.toUpperCase().replace("K", " KB").replace("M", " MB"), bytes: parseInt(s, 10) * (/m$/i.test(s) ? 1 << 20 : 1024) }));
const KINDS = (opt("only", "pgp,smime-enc,smime-signed-enc")).split(",");
const JIT = { off: [false], on: [true], both: [false, true] }[opt("jit", "both")];
const PROFILE_DIR = opt("profile", "");
const SEND = !argv.includes("--no-send");
const DISPLAY = !argv.includes("--send-only");
const BASELINE_XPI = opt("baseline-xpi", "");
const PASSPHRASE = "bench passphrase for sealbird";

/** A text/plain entity of about `bytes` bytes: a token first, then incompressible base64 lines. */
function body(token, bytes) {
  const lines = randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64").match(/.{1,76}/g) ?? [];
  return textEntity(`${token}\n${lines.join("\n")}`);
}

function message(keys, kind, token, bytes) {
  const subject = `bench ${kind} ${token}`;
  if (kind === "pgp") return keys.pgpEncrypted({ subject, sign: false, extraGpg: ["--compress-algo", "none"], inner: body(token, bytes) });
  if (kind === "smime-enc") return keys.smimeEncrypted({ subject, inner: body(token, bytes) });
  return keys.smimeEncrypted({ subject, inner: keys.smimeSignedEntity(body(token, bytes)) });
}

// ---- memory: PSS of every Thunderbird process (not Xvfb) in the launcher's process group

function treePids(tb) {
  const pgid = tb.child.pid;
  const pids = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      if (Number(fields[2]) === pgid && !/^(Xvfb|xvfb-run|sh|bash|xauth)$/.test(comm)) pids.push(Number(d));
    } catch {
      // the process is gone
    }
  }
  return pids;
}

function pssOf(pid) {
  try {
    const m = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // the process is gone
  }
}

function pssMiB(pids) {
  let mib = 0;
  for (const pid of pids) mib += pssOf(pid);
  return mib;
}

/** A process's role, as Firefox names it on its command line (-isForBrowser, "tab", "extension"…). */
function roleOf(pid) {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return args.includes("-contentproc") ? args.at(-1) : `${path.basename(args[0] ?? "?")} ${pid}`;
  } catch {
    return "gone";
  }
}

function sampleMemory(tb) {
  const pids = treePids(tb);
  const base = pssMiB(pids);
  const each = new Map(pids.map((pid) => [pid, { base: pssOf(pid), peak: 0 }]));
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, pssMiB(treePids(tb)));
    if (process.env.BENCH_TIMELINE) for (const [pid, e] of each) e.peak = Math.max(e.peak, pssOf(pid));
  };
  const timer = setInterval(sample, 100);
  return () => {
    clearInterval(timer);
    sample();
    // With BENCH_TIMELINE: each process's own peak growth (they need not peak at once).
    const perProcess = [...each].map(([pid, e]) => `${roleOf(pid)} ${Math.round(e.peak - e.base)}`).join(", ");
    return { base, growth: peak - base, perProcess };
  };
}

// ---- one display, timed inside Thunderbird (no Marionette round trips in the measurement)

const SHOW_AND_WAIT = `
  const [uri, token, ownView, timeoutMs] = arguments;
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { MailUtils } = ChromeUtils.importESModule("resource:///modules/MailUtils.sys.mjs");
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const tabmail = win.document.getElementById("tabmail");
  const old = tabmail.currentAboutMessage?.getMessagePaneBrowser()?.contentDocument;
  old?.documentElement?.setAttribute("data-bench-stale", "1");
  const hdr = MailServices.messageServiceFromURI(uri).messageURIToMsgHdr(uri);
  tabmail.switchToTab(0);
  const t0 = performance.now();
  MailUtils.displayMessageInFolderTab(hdr);
  // The token stands at the start of the decrypted body: look at the first text nodes only
  // (reading a 10 MB body's whole text on every poll would cost more than the check).
  const found = () => {
    const am = tabmail.currentAboutMessage;
    const doc = am?.getMessagePaneBrowser()?.contentDocument;
    if (!doc || !doc.body || doc.documentElement.hasAttribute("data-bench-stale")) return false;
    const root = ownView ? doc.getElementById("sealbird-view") : doc.body;
    if (!root) return false;
    const walk = doc.createTreeWalker(root, 4 /* SHOW_TEXT */);
    for (let i = 0, n; i < 40 && (n = walk.nextNode()); i++) if (n.data.includes(token)) return doc;
    return false;
  };
  let doc;
  let loadedAt;
  while (!(doc = found())) {
    const am = tabmail.currentAboutMessage;
    const d = am?.getMessagePaneBrowser()?.contentDocument;
    if (loadedAt === undefined && am?.msgLoaded && d && !d.documentElement?.hasAttribute("data-bench-stale") && d.readyState === "complete") loadedAt = performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error("timed out waiting for " + token);
    await new Promise((r) => win.setTimeout(r, 15));
  }
  // Two animation frames: layout and paint of what was found (the first runs before the next
  // layout, the second after it has been painted). Both sides are timed to that moment: a body
  // in the DOM that is still being laid out is not on screen yet. Only a document Thunderbird
  // replaces meanwhile (it never paints again) falls back to the time it was found.
  const foundAt = performance.now();
  const replaced = () => {
    const d = tabmail.currentAboutMessage?.getMessagePaneBrowser()?.contentDocument;
    return d !== doc || !doc.defaultView;
  };
  const paintedOk = await new Promise((r) => {
    try {
      doc.defaultView.requestAnimationFrame(() => doc.defaultView.requestAnimationFrame(() => r(true)));
    } catch {
      r(false);
    }
    const poll = () => (replaced() || performance.now() - t0 > timeoutMs ? r(false) : win.setTimeout(poll, 100));
    win.setTimeout(poll, 100);
  });
  const ms = Math.round(paintedOk ? performance.now() - t0 : foundAt - t0);
  return { ms, loadedMs: loadedAt === undefined ? null : Math.round(loadedAt), foundMs: Math.round(foundAt - t0), replaced: !paintedOk };`;

async function settle(tb) {
  // Collect garbage in every process and let Thunderbird go idle, so one run's leftovers do
  // not land in the next one's memory or time.
  await tb.marionette.run(`Services.obs.notifyObservers(null, "memory-pressure", "heap-minimize"); Cu.forceGC(); Cu.forceCC();`);
  await new Promise((r) => setTimeout(r, 1500));
}

/** Sealbird's own share of a display: fetching the raw message, the engine, the render model. */
async function sealbirdShare(tb) {
  const tabId = await tb.marionette.run(`
    const { ExtensionParent } = ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs");
    const tabmail = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail");
    return ExtensionParent.apiManager.global.tabTracker.getId(tabmail.tabInfo[0]);`);
  const summary = await sb.extensionCallOk(tb, { type: "display:summary", tabId });
  return summary.ms ?? NaN;
}

async function showTimed(side, eml, token) {
  const { tb } = side.s;
  const msg = await mail.importEml(tb, eml);
  await settle(tb);
  const stop = sampleMemory(tb);
  const { ms, loadedMs, foundMs, replaced } = await tb.marionette.run(SHOW_AND_WAIT, [msg.uri, token, side.name !== "built-in", 300_000]);
  const mem = stop();
  if (process.env.BENCH_TIMELINE) console.log(`    ${side.name}: pane loaded ${loadedMs} ms, body found ${foundMs} ms, painted ${ms} ms${replaced ? " (document replaced: found time)" : ""}; PSS growth by process (MiB): ${mem.perProcess}`);
  const share = side.name !== "built-in" ? await sealbirdShare(tb) : undefined;
  return { ms, growth: mem.growth, base: mem.base, share };
}

async function geckoProfile(side, eml, token, file) {
  const { tb } = side.s;
  const msg = await mail.importEml(tb, eml);
  await settle(tb);
  await tb.marionette.run(`Services.profiler.StartProfiler(1 << 24, 1, ["js", "stackwalk", "cpu", "processcpu"], ["GeckoMain", "DOM Worker", "StyleThread"]);`);
  const { ms } = await tb.marionette.run(SHOW_AND_WAIT, [msg.uri, token, side.name !== "built-in", 300_000]);
  const profile = await tb.marionette.run(`const p = await Services.profiler.getProfileDataAsync(); Services.profiler.StopProfiler(); return JSON.stringify(p);`);
  fs.writeFileSync(file, profile);
  return ms;
}

/** One send of a 10 MB attachment to bob; Sealbird's toggles set when `sealbird` is given. */
async function sendTimed(side, attachment, sealbird) {
  const { tb, smtp } = side.s;
  smtp.reset();
  await mail.openCompose(tb, { to: "bob@example.org", subject: `bench send ${Date.now()}`, body: "Numbers attached." });
  if (sealbird) await sb.extensionCallOk(tb, { type: "compose:set", tabId: await cmp.composeTabId(tb), ...sealbird });
  await cmp.attachFile(tb, { name: "data.bin", bytes: attachment });
  await new Promise((r) => setTimeout(r, 1500));
  if (sealbird?.encrypt) await tb.marionette.run(TIME_ENCAPSULATION);
  const t0 = performance.now();
  const r = await cmp.trySend(tb, { timeoutMs: 300_000 });
  if (!r.sent) throw new Error(`send failed: ${JSON.stringify(r)}`);
  await smtp.waitForMessages(1, 300_000);
  const ms = Math.round(performance.now() - t0);
  if (!sealbird?.encrypt) return ms;
  const share = await tb.marionette.run(`return Services.wm.getMostRecentWindow("mail:3pane").sealbirdBenchEncapsulationMs ?? null;`);
  return { ms, share };
}

// Sealbird's own share of a send, measured where it happens: Thunderbird calls the add-on's
// nsIMsgComposeSecure.finishCryptoEncapsulation once, which hands the entity to the background,
// waits for the protected entity and writes it (background + experiment, nothing else). The
// bench wraps that call on the instance the experiment installs for this send (a bubbling
// listener runs after the experiment's capturing one).
const TIME_ENCAPSULATION = `
  const win = Services.wm.getMostRecentWindow("msgcompose");
  const main = Services.wm.getMostRecentWindow("mail:3pane");
  main.sealbirdBenchEncapsulationMs = null;
  win.addEventListener("compose-send-message", () => {
    const cs = win.gMsgCompose.compFields.composeSecure?.wrappedJSObject;
    if (!cs?.finishCryptoEncapsulation) return;
    const finish = cs.finishCryptoEncapsulation;
    cs.finishCryptoEncapsulation = function (...args) {
      const t = performance.now();
      try {
        return finish.apply(this, args);
      } finally {
        main.sealbirdBenchEncapsulationMs = Math.round(performance.now() - t);
      }
    };
  }, { once: true });`;

async function benchSend(sides, jit) {
  const attachment = randomBytes(10 << 20);
  const [sealbird, builtin] = sides; // not the baseline build
  const got = { sealbird: [], plain: [], builtin: [] };
  const encapsulation = [];
  for (let r = 0; r < RUNS; r++) {
    got.builtin.push(await sendTimed(builtin, attachment));
    const protectedSend = await sendTimed(sealbird, attachment, { sign: true, encrypt: true, technology: "smime" });
    got.sealbird.push(protectedSend.ms);
    encapsulation.push(protectedSend.share);
    got.plain.push(await sendTimed(sealbird, attachment, { sign: false, encrypt: false }));
  }
  if (PROFILE_DIR) {
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    const file = path.join(PROFILE_DIR, `sealbird-send-smime-signed-enc-jit-${jit ? "on" : "off"}.json`);
    const { tb } = sealbird.s;
    await tb.marionette.run(`Services.profiler.StartProfiler(1 << 24, 1, ["js", "stackwalk", "cpu", "processcpu"], ["GeckoMain", "DOM Worker", "StyleThread"]);`);
    const { ms } = await sendTimed(sealbird, attachment, { sign: true, encrypt: true, technology: "smime" });
    fs.writeFileSync(file, await tb.marionette.run(`const p = await Services.profiler.getProfileDataAsync(); Services.profiler.StopProfiler(); return JSON.stringify(p);`));
    console.log(`  profile ${file} (${ms} ms)`);
  }
  const row = {
    jit: jit ? "on" : "off",
    kind: "send smime-signed-enc",
    size: "10 MB",
    sealbirdMs: median(got.sealbird),
    builtinMs: median(got.builtin),
    ratio: median(got.sealbird) / median(got.builtin),
    sealbirdShareMs: median(encapsulation),
    overUnencryptedMs: median(got.sealbird) - median(got.plain),
    sealbirdGrowthMiB: NaN,
    builtinGrowthMiB: NaN,
    sealbirdAll: got.sealbird,
    builtinAll: got.builtin,
    plainAll: got.plain,
  };
  console.log(`  JIT ${row.jit.padEnd(3)} send 10 MB S/MIME sign+encrypt: Sealbird ${row.sealbirdMs} ms [${got.sealbird.join(", ")}] (unencrypted ${median(got.plain)} ms [${got.plain.join(", ")}])  built-in ${row.builtinMs} ms [${got.builtin.join(", ")}]  ratio ${row.ratio.toFixed(2)}  Sealbird's share ${row.sealbirdShareMs} ms [${encapsulation.join(", ")}] (whole send over unencrypted: ${row.overUnencryptedMs} ms)`);
  return row;
}

async function startSide(name, keys, jit, xpi) {
  const prefs = jit ? { "javascript.options.baselinejit": true } : {};
  const addons = name === "built-in" ? [] : [{ id: sb.SEALBIRD_ID, xpi }];
  const s = await startSession({ name: `bench-${name}-${jit ? "jit" : "nojit"}`, addons, prefs });
  await s.tb.marionette.setTimeouts({ script: 400_000 });
  if (name !== "built-in") {
    await mail.waitForAddon(s.tb, sb.SEALBIRD_ID);
    const bob = { bytes: new Uint8Array(fs.readFileSync(keys.file("bob.pem"))), as: "correspondent" };
    await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files: [...keys.keyFiles(), bob] });
    await sb.closeExtensionTabs(s.tb);
  } else {
    await importSmimeIdentity(s.tb, { p12: keys.aliceP12, password: keys.p12Password, rootPem: keys.rootPem });
    await importPgpSecretKey(s.tb, { armored: keys.aliceSecret, publicKeys: [keys.bobPublic] });
    await useBuiltinSmimeForSending(s.tb, { email: "alice@example.org", recipientPems: [fs.readFileSync(keys.file("bob.pem"))] });
  }
  return { name, s };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

const rows = [];
const keys = new TestKeys();
const xpi = sb.buildSealbirdXpi();
console.log(`Sealbird vs Thunderbird built-in — ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${RUNS} runs per cell`);
try {
  for (const jit of JIT) {
    const sides = [await startSide("sealbird", keys, jit, xpi), await startSide("built-in", keys, jit, xpi)];
    if (BASELINE_XPI) sides.push(await startSide("baseline", keys, jit, BASELINE_XPI));
    try {
      // Warm both (first display after start-up loads modules, the add-on compiles its code).
      for (const side of sides) await showTimed(side, message(keys, "smime-enc", "BENCH-WARM-S", 4096), "BENCH-WARM-S");
      for (const side of sides) await showTimed(side, message(keys, "pgp", "BENCH-WARM-P", 4096), "BENCH-WARM-P");
      if (SEND) {
        try {
          rows.push(await benchSend(sides, jit));
        } catch (e) {
          console.log(`  JIT ${jit ? "on" : "off"} send: not measured (${e.message.split("\n")[0]})`);
          for (const side of sides) await mail.closeComposeWindows(side.s.tb).catch(() => undefined);
        }
      }
      for (const kind of DISPLAY ? KINDS : []) {
        for (const size of SIZES) {
          const got = { sealbird: [], "built-in": [], baseline: [] };
          for (let r = 0; r < RUNS; r++) {
            const order = r % 2 ? [...sides].reverse() : sides;
            for (const side of order) {
              const token = `BENCH-${kind}-${size.bytes}-${side.name}-${r}-${Date.now()}`;
              got[side.name].push(await showTimed(side, message(keys, kind, token, size.bytes), token));
            }
          }
          const sbMs = median(got.sealbird.map((x) => x.ms));
          const tbMs = median(got["built-in"].map((x) => x.ms));
          const row = {
            jit: jit ? "on" : "off",
            kind,
            size: size.label,
            sealbirdMs: sbMs,
            builtinMs: tbMs,
            ratio: sbMs / tbMs,
            sealbirdGrowthMiB: median(got.sealbird.map((x) => x.growth)),
            builtinGrowthMiB: median(got["built-in"].map((x) => x.growth)),
            sealbirdAll: got.sealbird.map((x) => x.ms),
            sealbirdShareMs: median(got.sealbird.map((x) => x.share)),
            builtinAll: got["built-in"].map((x) => x.ms),
            ...(BASELINE_XPI ? { baselineMs: median(got.baseline.map((x) => x.ms)), baselineAll: got.baseline.map((x) => x.ms), baselineGrowthMiB: median(got.baseline.map((x) => x.growth)), baselineShareMs: median(got.baseline.map((x) => x.share)) } : {}),
          };
          rows.push(row);
          console.log(
            `  JIT ${row.jit.padEnd(3)} ${kind.padEnd(17)} ${size.label.padEnd(7)} Sealbird ${String(sbMs).padStart(6)} ms [${row.sealbirdAll.join(", ")}]  built-in ${String(tbMs).padStart(6)} ms [${row.builtinAll.join(", ")}]  ratio ${row.ratio.toFixed(2)}  (Sealbird's background ${row.sealbirdShareMs} ms)  PSS growth ${row.sealbirdGrowthMiB.toFixed(0)} / ${row.builtinGrowthMiB.toFixed(0)} MiB` +
              (BASELINE_XPI ? `  | baseline ${row.baselineMs} ms [${row.baselineAll.join(", ")}] ratio ${(row.baselineMs / tbMs).toFixed(2)} background ${row.baselineShareMs} ms PSS ${row.baselineGrowthMiB.toFixed(0)} MiB` : ""),
          );
        }
      }
      if (PROFILE_DIR && DISPLAY) {
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        for (const kind of KINDS) {
          const size = SIZES[SIZES.length - 1];
          for (const side of sides.slice(0, 2)) {
            const token = `BENCH-PROFILE-${kind}-${side.name}-${Date.now()}`;
            const file = path.join(PROFILE_DIR, `${side.name}-${kind}-${size.bytes}-jit-${jit ? "on" : "off"}.json`);
            const ms = await geckoProfile(side, message(keys, kind, token, size.bytes), token, file);
            console.log(`  profile ${file} (${ms} ms)`);
          }
        }
      }
    } finally {
      for (const side of sides) await side.s.stop();
    }
  }
} finally {
  keys.dispose();
}

console.log("\nJIT  message            size     Sealbird ms  built-in ms  ratio  background ms  PSS growth MiB (Sealbird / built-in)");
for (const r of rows) {
  console.log(
    `${r.jit.padEnd(4)} ${r.kind.padEnd(18)} ${r.size.padEnd(7)} ${String(r.sealbirdMs).padStart(11)} ${String(r.builtinMs).padStart(12)} ${r.ratio.toFixed(2).padStart(6)}  ${String(r.sealbirdShareMs).padStart(13)}  ${Number.isNaN(r.sealbirdGrowthMiB) ? "     -" : `${r.sealbirdGrowthMiB.toFixed(0).padStart(6)} / ${r.builtinGrowthMiB.toFixed(0)}`}`,
  );
}
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
