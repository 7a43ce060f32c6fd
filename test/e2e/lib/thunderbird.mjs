// Launches a real Thunderbird on a throw-away profile and connects Marionette.
//
//   const tb = await launchThunderbird({ profileDir });
//   ... tb.marionette (chrome context, session open) ...
//   await tb.stop();              // always; kills the whole process group
//
// Display modes (`display` option):
//   "xvfb"     (default) `xvfb-run -a -s "-screen 0 WxHx24" thunderbird ...`:
//              a real windowed Thunderbird on a virtual X server, so
//              screenshots show what a user would see (menus, header pane,
//              the add-on's toolbar button, the rendered message).
//   "headless" `thunderbird --headless ...`: no X server; message display,
//              add-ons and chrome-context screenshots work too (Gecko's
//              headless widget renders off-screen), slightly faster start.
//   "native"   the caller's own $DISPLAY (a person's desktop; `npm start`).
// `marionette: false` starts Thunderbird without Marionette (no remote control
// port at all) and returns once it is spawned: for a window a person uses.
// Both were tried; see README.md for what each one gave.
//
// Thunderbird's stdout+stderr go to `logFile` (if given) and to an in-memory
// tail that is quoted in every start-up failure, so a broken start is loud.

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Marionette } from "./marionette.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every Thunderbird started by this process, until stopped. If Node exits
// without teardown (crash, Ctrl-C, watchdog), the 'exit' hook SIGKILLs their
// process groups synchronously so no Thunderbird/Xvfb is left behind.
const live = new Set();
process.on("exit", () => {
  for (const tb of live) {
    try {
      process.kill(-tb.child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

/** Stops every Thunderbird this process started (for signal handlers). */
export async function stopAllThunderbirds() {
  await Promise.all([...live].map((tb) => tb.stop()));
}

export const THUNDERBIRD_BIN = process.env.THUNDERBIRD_BIN || "/usr/bin/thunderbird";

/** Thunderbird's version string, e.g. "Mozilla Thunderbird 153.7.0esr". */
export function thunderbirdVersion() {
  return execFileSync(THUNDERBIRD_BIN, ["--version"], { encoding: "utf8" }).trim();
}

/**
 * @param {object} o
 * @param {string} o.profileDir
 * @param {"xvfb"|"headless"} [o.display]
 * @param {[number, number]} [o.screen]   Xvfb screen size (xvfb mode)
 * @param {number} [o.startTimeoutMs]     default 60 s (env E2E_START_TIMEOUT_MS)
 * @param {string} [o.logFile]            Thunderbird stdout+stderr
 * @param {number} [o.marionettePort]     fixed port if the profile set one;
 *                                        default: read MarionetteActivePort
 * @param {boolean} [o.marionette]        false: no Marionette, return once spawned
 * @returns {Promise<Thunderbird>}
 */
export async function launchThunderbird({
  profileDir,
  display = process.env.E2E_DISPLAY || "xvfb",
  screen = [1400, 1000],
  startTimeoutMs = Number(process.env.E2E_START_TIMEOUT_MS) || 60_000,
  logFile,
  marionettePort,
  marionette = true,
} = {}) {
  const tbArgs = ["--profile", profileDir, "--no-remote", ...(marionette ? ["--marionette", "--remote-allow-system-access"] : [])];
  let cmd, args;
  if (display === "native") {
    cmd = THUNDERBIRD_BIN;
    args = tbArgs;
  } else if (display === "headless") {
    cmd = THUNDERBIRD_BIN;
    args = ["--headless", ...tbArgs];
  } else if (display === "xvfb") {
    cmd = "xvfb-run";
    // -a: pick a free display number; 24-bit depth (xvfb-run's default is 8).
    args = ["-a", "-s", `-screen 0 ${screen[0]}x${screen[1]}x24 -nolisten tcp`, THUNDERBIRD_BIN, ...tbArgs];
  } else {
    throw new Error(`unknown display mode ${display}`);
  }

  const env = {
    ...process.env,
    MOZ_CRASHREPORTER_DISABLE: "1",
    MOZ_DISABLE_AUTO_SAFE_MODE: "1", // never show the safe-mode dialog
    MOZ_NO_REMOTE: "1",
    MOZ_DBUS_REMOTE: "0",
    NO_AT_BRIDGE: "1", // no accessibility bus lookups
  };
  if (display === "native") delete env.NO_AT_BRIDGE; // a person's screen reader needs the bridge
  if (display === "headless") env.MOZ_HEADLESS = "1";
  else delete env.MOZ_HEADLESS;

  const t0 = Date.now();
  // detached: own process group, so stop() can kill xvfb-run, Xvfb,
  // the thunderbird wrapper and all content processes in one go.
  const child = spawn(cmd, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const tb = new Thunderbird(child, { profileDir, logFile, display, t0 });
  live.add(tb);

  let spawnError = null;
  child.once("error", (e) => (spawnError = e));
  if (!marionette) {
    // Nothing to connect to: a spawn error surfaces here, an early exit via exitPromise.
    await sleep(200);
    if (spawnError) {
      await tb.stop();
      throw new Error(`THUNDERBIRD DID NOT START: cannot spawn ${cmd}: ${spawnError.message}`);
    }
    return tb;
  }
  try {
    const portFile = path.join(profileDir, "MarionetteActivePort");
    const portFn = marionettePort
      ? () => marionettePort
      : () => {
          try {
            return Number(fs.readFileSync(portFile, "utf8").trim()) || null;
          } catch {
            return null;
          }
        };
    tb.marionette = await Marionette.connect(portFn, {
      timeoutMs: startTimeoutMs,
      abort: () =>
        spawnError
          ? `cannot spawn ${cmd}: ${spawnError.message}`
          : tb.exited
            ? `Thunderbird exited early (code ${tb.exitCode}, signal ${tb.exitSignal})`
            : null,
    });
    tb.marionetteReadyMs = Date.now() - t0;
    await tb.marionette.newSession();
    await tb.marionette.setContext("chrome");
    await tb.marionette.setTimeouts({ script: 60_000 });
    // Marionette is up before the main window is. Wait for a mail:3pane
    // window whose 3-pane tab has finished loading.
    await tb.waitFor(
      `const w = Services.wm.getMostRecentWindow("mail:3pane");
       if (!w || w.document.readyState != "complete") return false;
       const tabmail = w.document.getElementById("tabmail");
       const about3Pane = tabmail?.currentAbout3Pane;
       return !!(about3Pane && about3Pane.document.readyState == "complete" &&
                 about3Pane.messageBrowser?.contentWindow?.document.readyState == "complete");`,
      { timeoutMs: Math.max(5000, startTimeoutMs - (Date.now() - t0)), what: "3-pane window" },
    );
    tb.windowReadyMs = Date.now() - t0;
    return tb;
  } catch (e) {
    await tb.stop();
    const tail = tb.outputTail();
    throw new Error(
      `THUNDERBIRD DID NOT START (${cmd} ${args.join(" ")}): ${e.message}\n` +
        `--- last Thunderbird output ---\n${tail || "(none)"}\n--- end ---`,
      { cause: e },
    );
  }
}

export class Thunderbird {
  constructor(child, { profileDir, logFile, display, t0 }) {
    this.child = child;
    this.profileDir = profileDir;
    this.display = display;
    this.t0 = t0;
    this.exited = false;
    this.exitCode = null;
    this.exitSignal = null;
    this.marionette = null;
    this.tail = [];
    this.log = logFile ? fs.createWriteStream(logFile) : null;
    const onData = (chunk) => {
      this.log?.write(chunk);
      for (const line of chunk.toString("utf8").split("\n")) if (line) this.tail.push(line);
      if (this.tail.length > 400) this.tail.splice(0, this.tail.length - 400);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    this.exitPromise = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      }),
    );
  }

  /** Last `n` lines of Thunderbird's output. */
  outputTail(n = 40) {
    return this.tail.slice(-n).join("\n");
  }

  /** Lines of output that match `re` (whole captured tail). */
  outputMatching(re) {
    return this.tail.filter((l) => re.test(l));
  }

  /**
   * Polls a chrome-context script (function body, may `await`) until it
   * returns a truthy value; returns that value. Throws with `what` on timeout.
   */
  async waitFor(body, { args = [], timeoutMs = 20_000, intervalMs = 100, what = "condition" } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    for (;;) {
      if (this.exited) throw new Error(`Thunderbird exited while waiting for ${what}`);
      try {
        const v = await this.marionette.run(body, args);
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
      }
      await sleep(intervalMs);
    }
  }

  /** Quits Thunderbird and kills its whole process group; idempotent. */
  async stop() {
    if (this.stopped) return this.exitPromise;
    this.stopped = true;
    const pid = this.child.pid;
    if (this.marionette && !this.exited) {
      // A clean quit first (flushes prefs/DB); bounded by a short timeout.
      await Promise.race([this.marionette.quit(), sleep(3000)]);
    }
    this.marionette?.close();
    const killGroup = (sig) => {
      try {
        process.kill(-pid, sig);
      } catch {
        /* already gone */
      }
    };
    if (pid) {
      // xvfb-run and Xvfb may outlive thunderbird itself: always signal the
      // group, even if the direct child has exited.
      if (this.marionette) await Promise.race([this.exitPromise, sleep(3000)]);
      killGroup("SIGTERM");
      await Promise.race([this.exitPromise, sleep(2000)]);
      killGroup("SIGKILL");
      await Promise.race([this.exitPromise, sleep(2000)]);
    }
    this.log?.end();
    live.delete(this);
  }
}
