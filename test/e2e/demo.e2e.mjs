// `npm start`'s demo profile (scripts/demo/): made the way `npm start` makes it (keys and
// messages by openssl and gpg, a headless set-up run that fills the keystore through the
// add-on's own pages), then opened again like a reused profile: the inbox holds the sample
// messages and Sealbird shows its verdicts; a reply to Bob goes out encrypted to the sink and
// Bob's own key opens it. Then scripts/start.mjs itself: it prints what a newcomer needs, and
// stops Thunderbird and the sink on Ctrl-C and when Thunderbird is closed.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, before, after } from "./lib/runner.mjs";
import { launchThunderbird } from "./lib/thunderbird.mjs";
import { startSmtpSink } from "./lib/smtp-sink.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import * as cmp from "./lib/compose.mjs";
import { buildDemoProfile, demoPaths, refreshDemoProfile } from "../../scripts/demo/profile.mjs";
import { DEMO_PASSPHRASE } from "../../scripts/demo/inbox.mjs";
import { describeReceived, stopBobAgent } from "../../scripts/demo/received.mjs";

const ID = sb.SEALBIRD_ID;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let demoDir;
let xpi;
let manifest;
let sink;
let tb;

const icon = (a) => (a?.icon ?? "").replace(/^.*\/icons\//, "");

/** The Inbox's messages as {subject, uri}, newest first. */
async function inbox() {
  return tb.marionette.run(
    `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
     const f = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
     return [...f.msgDatabase.enumerateMessages()]
       .sort((a, b) => b.date - a.date)
       .map((h) => ({ subject: h.mime2DecodedSubject, uri: f.getUriForMsg(h), author: h.mime2DecodedAuthor }));`,
  );
}

async function show(subjectStart) {
  const msg = (await inbox()).find((m) => m.subject.startsWith(subjectStart));
  assert.ok(msg, `a demo message "${subjectStart}…"`);
  await sb.displayMessageNoWait(tb, msg);
  return msg;
}

function waitForStatus(pred, what) {
  return mail.waitForMessageDisplayAction(tb, ID, (a) => !!a.title && a.title !== "e2e-stale" && !/checking/i.test(a.title) && pred(a), { timeoutMs: 30_000, what });
}

const REBUILT = `rebuilt-${Date.now()}`;

/** A copy of the XPI with one more file (rebuilt.txt = REBUILT): a "new build" of the add-on. */
function rebuiltXpi() {
  const dir = path.join(demoDir, "rebuilt");
  fs.mkdirSync(dir);
  const out = path.join(dir, "sealbird.xpi");
  fs.copyFileSync(xpi, out);
  fs.writeFileSync(path.join(dir, "rebuilt.txt"), REBUILT);
  execFileSync("zip", ["-q", out, "rebuilt.txt"], { cwd: dir });
  return out;
}

before(
  async () => {
    const t0 = Date.now();
    xpi = sb.buildSealbirdXpi();
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-demo-"));
    sink = await startSmtpSink();
    manifest = await buildDemoProfile({ demoDir, xpi, smtpPort: sink.port, log: (s) => console.log(`  ${s}`) });
    // What npm start does before every start of a kept profile, here with a rebuilt XPI (one more
    // file in it): Thunderbird must update the side-loaded add-on and keep its keystore.
    refreshDemoProfile({ demoDir, xpi: rebuiltXpi(), smtpPort: sink.port });
    tb = await launchThunderbird({ profileDir: demoPaths(demoDir).profile, logFile: path.join(mail.ARTIFACTS_DIR, "demo.thunderbird.log") });
    await mail.waitForAddon(tb, ID);
    console.log(`  demo profile made and reopened in ${Date.now() - t0} ms`);
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await tb?.stop();
  await sink?.close();
  if (demoDir) {
    stopBobAgent(demoPaths(demoDir).keys);
    fs.rmSync(demoDir, { recursive: true, force: true });
  }
});

test("the reopened demo profile: the Inbox holds every sample message, the welcome on top; the keystore is there, locked", async () => {
  const inXpi = await tb.marionette.run(
    `const ext = WebExtensionPolicy.getByID(arguments[0]).extension;
     return (await fetch(ext.rootURI.resolve("rebuilt.txt"))).text();`,
    [ID],
  );
  assert.equal(inXpi, REBUILT, "the rebuilt XPI is the one running");
  const msgs = await inbox();
  assert.deepEqual(msgs.map((m) => m.subject).sort(), [...manifest.messages].sort());
  for (const s of ["S/MIME signed:", "S/MIME encrypted:", "S/MIME signed and encrypted:", "OpenPGP signed:", "OpenPGP encrypted:", "OpenPGP signed and encrypted:", "Tampered:", "Unknown signer:", "Remote content:"]) {
    assert.ok(msgs.some((m) => m.subject.startsWith(s)), `a "${s}" message`);
  }
  assert.match(msgs[0].subject, /^Welcome to the Sealbird demo/);
  await mail.screenshot(tb, "demo-inbox");
  assert.deepEqual(await sb.extensionCallOk(tb, { type: "keystore:state" }), { exists: true, unlocked: false });
  const keys = await sb.extensionCallOk(tb, { type: "keyring:list" });
  const text = JSON.stringify(keys);
  assert.match(text, /alice@example\.org/);
  assert.match(text, /bob@example\.org/);
  await sb.closeExtensionTabs(tb);
});

test("signed demo messages, keystore still locked: valid (S/MIME and OpenPGP), tampered → invalid, a stranger → unknown signer", async () => {
  await show("S/MIME signed: ");
  let a = await waitForStatus((x) => x.badge === "✓", "S/MIME valid");
  assert.equal(icon(a), "hdr-none-valid.svg");
  await show("OpenPGP signed: ");
  a = await waitForStatus((x) => x.badge === "✓", "OpenPGP valid");
  assert.match(a.title, /Valid signature/);
  await show("Tampered: ");
  a = await waitForStatus((x) => x.badge === "✗", "tampered → invalid");
  assert.equal(icon(a), "hdr-none-bad.svg");
  await show("Unknown signer: ");
  a = await waitForStatus((x) => /unknown signer/i.test(x.title), "unknown signer");
  assert.notEqual(a.badge, "✓");
  await show("Nested: ");
  a = await waitForStatus((x) => /Not signed/.test(x.title), "nested signed part → not signed");
  assert.notEqual(a.badge, "✓");
});

test("encrypted demo messages: locked notice, unlock with the printed passphrase in the add-on's prompt, then decrypted (S/MIME, OpenPGP, remote content stripped)", async () => {
  await show("S/MIME encrypted: ");
  await sb.waitForSealbirdView(tb, "locked");
  assert.ok(await sb.clickInPane(tb, "button[data-action=locked]"));
  await sb.waitForUnlockWindow(tb);
  await sb.fillUnlockWindow(tb, DEMO_PASSPHRASE);
  assert.match(await sb.waitForSealbirdView(tb, "render"), /door code is 4711/);
  await waitForStatus((x) => icon(x) === "hdr-ok-none.svg", "S/MIME decrypted");

  await show("S/MIME signed and encrypted: ");
  assert.match(await sb.waitForSealbirdView(tb, "render"), /then encrypted to you/);
  await waitForStatus((x) => icon(x) === "hdr-ok-valid.svg" && x.badge === "✓", "S/MIME decrypted + valid");

  await show("OpenPGP signed and encrypted: ");
  assert.match(await sb.waitForSealbirdView(tb, "render"), /leave on Friday/);
  await waitForStatus((x) => icon(x) === "hdr-ok-valid.svg" && x.badge === "✓", "OpenPGP decrypted + valid");

  await show("Remote content: ");
  assert.match(await sb.waitForSealbirdView(tb, "render"), /never loads anything remote/);
  const remote = (await sb.queryPane(tb, "#sealbird-view *")).filter((e) => /tracker\.invalid/.test(JSON.stringify(e.attrs)));
  assert.deepEqual(remote, [], "no reference to the tracker is left in the rendered view");
  await mail.screenshot(tb, "demo-remote-content");
});

test("replying to Bob's encrypted message: encrypted by Sealbird, received by the sink, Bob opens it with openssl and his own key", async () => {
  const msg = (await inbox()).find((m) => m.subject.startsWith("S/MIME encrypted: "));
  await cmp.openReply(tb, msg);
  const tabId = await cmp.composeTabId(tb);
  const view = await cmp.waitForComposeView(tb, tabId, (v) => v.replyToEncrypted);
  assert.equal(view.encrypt, true, "a reply to an encrypted message starts with Encrypt on");
  assert.deepEqual(await cmp.trySend(tb), { sent: true });
  const [m] = await sink.waitForMessages(1);
  assert.deepEqual(m.to, ["bob@example.org"]);
  const lines = describeReceived(m, { dir: path.join(demoDir, "received"), n: 1, keysDir: demoPaths(demoDir).keys });
  const report = lines.join("\n");
  console.log(lines.map((l) => `    ${l}`).join("\n"));
  assert.match(report, /Bob decrypts it \((openssl cms|gpg) --?decrypt\): ok/);
  assert.match(report, /protected Subject: Re: S\/MIME encrypted: the door code/);
  assert.doesNotMatch(m.raw.toString("latin1"), /door code/, "the real subject is only inside");
  await sb.closeExtensionTabs(tb);
});

/** Runs scripts/start.mjs (on the demo profile, or `profile`) on a display of its own; resolves when it says Thunderbird is up. */
async function startScript({ args = [], profile = demoPaths(demoDir).profile } = {}) {
  const xvfb = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"], { stdio: ["ignore", "pipe", "ignore"] });
  const display = await new Promise((resolve, reject) => {
    xvfb.stdout.once("data", (d) => resolve(`:${String(d).trim()}`));
    xvfb.once("exit", () => reject(new Error("Xvfb exited")));
  });
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/start.mjs"), "--demo-dir", demoDir, "--sink-port", "0", ...args], {
    env: { ...process.env, DISPLAY: display, SEALBIRD_XPI: xpi },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const lock = path.join(profile, "lock");
  for (let i = 0; !(/Close Thunderbird or press Ctrl-C/.test(out) && fs.lstatSync(lock, { throwIfNoEntry: false })); i++) {
    if (i > 600) throw new Error(`start.mjs did not start Thunderbird:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(/SMTP sink on 127\.0\.0\.1:(\d+)/.exec(out)[1]);
  return { child, exited, output: () => out, port, stopDisplay: () => xvfb.kill("SIGTERM") };
}

/** The Thunderbird processes (of any process group) whose command line names the profile: [{pid, cmd}]. */
function demoThunderbirds(profile = demoPaths(demoDir).profile) {
  const pids = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = (() => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      } catch {
        return [];
      }
    })();
    if (/thunderbird/.test(cmd[0] ?? "") && cmd.includes(profile)) pids.push({ pid: Number(d), cmd });
  }
  return pids;
}

const portOpen = (port) =>
  new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

test("scripts/start.mjs: prints passphrase, identity and sink; Ctrl-C stops Thunderbird and the sink and exits 0", async () => {
  await tb.stop(); // the profile can only be open once
  tb = null;
  const r = await startScript();
  try {
    const out = r.output();
    assert.match(out, new RegExp(`keystore passphrase\\s+${DEMO_PASSPHRASE}`));
    assert.match(out, /Alice <alice@example\.org>/);
    assert.match(out, /11 sample messages/);
    assert.doesNotMatch(out, /making/, "the kept profile is reused, not made again");
    assert.equal(await portOpen(r.port), true, "the sink listens");
    const running = demoThunderbirds();
    assert.ok(running.length > 0, "Thunderbird runs on the demo profile");
    for (const p of running) assert.ok(!p.cmd.some((a) => /marionette|remote-allow/.test(a)), `no Marionette in the window a person uses: ${p.cmd.join(" ")}`);
    r.child.kill("SIGINT");
    const { code } = await r.exited;
    assert.equal(code, 0, r.output());
    assert.match(r.output(), /Ctrl-C: stopping Thunderbird and the SMTP sink/);
    assert.deepEqual(demoThunderbirds(), []);
    assert.equal(await portOpen(r.port), false, "the sink is closed");
  } finally {
    r.child.kill("SIGKILL");
    r.stopDisplay();
  }
}, { timeoutMs: 120_000 });

test("scripts/start.mjs: when Thunderbird is closed, it stops the sink and exits 0", async () => {
  const r = await startScript();
  try {
    // Thunderbird going away is all start.mjs sees of the user closing the window.
    for (const { pid } of demoThunderbirds()) process.kill(pid, "SIGTERM");
    const { code } = await r.exited;
    assert.equal(code, 0, r.output());
    assert.match(r.output(), /Thunderbird closed: stopping/);
    assert.equal(await portOpen(r.port), false, "the sink is closed");
  } finally {
    r.child.kill("SIGKILL");
    r.stopDisplay();
  }
}, { timeoutMs: 120_000 });

test("scripts/start.mjs --profile DIR: installs the add-on into that profile for good, starts the sink, no demo data", async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-e2e-own-profile-"));
  const r = await startScript({ args: ["--profile", profile], profile });
  try {
    assert.match(r.output(), /installed like "Install Add-on From File"/);
    assert.doesNotMatch(r.output(), /passphrase|sample messages/);
    assert.equal(await portOpen(r.port), true, "the sink listens");
    const { addons } = JSON.parse(fs.readFileSync(path.join(profile, "extensions.json"), "utf8"));
    const a = addons.find((x) => x.id === ID);
    assert.ok(a, "Sealbird is in the profile's extensions.json");
    assert.equal(a.active, true);
    assert.equal(a.location, "app-profile", "a normal install, not a temporary one");
    assert.ok(!fs.existsSync(path.join(profile, "Mail", "Local Folders", "Inbox")) || fs.statSync(path.join(profile, "Mail", "Local Folders", "Inbox")).size === 0, "no demo messages");
    r.child.kill("SIGINT");
    assert.equal((await r.exited).code, 0, r.output());
    assert.deepEqual(demoThunderbirds(profile), []);
  } finally {
    r.child.kill("SIGKILL");
    r.stopDisplay();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}, { timeoutMs: 120_000 });
