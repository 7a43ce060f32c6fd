// One-call set-up for a test file: loopback servers + fresh profile +
// running Thunderbird, and one-call teardown.
//
//   const s = await startSession({ addons: [{ id, xpi }] });
//   s.tb (Thunderbird), s.leak (leak server), s.smtp (SMTP sink), s.profile
//   s.timings = { marionetteReadyMs, windowReadyMs }
//   await s.stop();   // idempotent; kills Thunderbird, closes servers,
//                     // deletes the profile unless E2E_KEEP_PROFILE=1
//
// Thunderbird's output goes to test/e2e/artifacts/<name>.thunderbird.log.

import fs from "node:fs";
import path from "node:path";
import { createProfile } from "./profile.mjs";
import { launchThunderbird } from "./thunderbird.mjs";
import { startLeakServer } from "./leak-server.mjs";
import { startSmtpSink } from "./smtp-sink.mjs";
import { ARTIFACTS_DIR } from "./mail.mjs";

/**
 * @param {object} o
 * @param {string} [o.name]     used for the log file name
 * @param {{id:string, xpi:string}[]} [o.addons]
 * @param {object} [o.prefs]    extra user.js prefs
 * @param {"xvfb"|"headless"} [o.display]
 */
export async function startSession({ name = "session", addons = [], prefs = {}, display } = {}) {
  const cleanups = [];
  const stop = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()();
      } catch (e) {
        console.error(`  cleanup failed: ${e.message}`);
      }
    }
  };
  try {
    const leak = await startLeakServer();
    cleanups.push(() => leak.close());
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const profile = createProfile({ smtpPort: smtp.port, addons, prefs });
    cleanups.push(() => (process.env.E2E_KEEP_PROFILE ? console.log(`  profile kept: ${profile.dir}`) : profile.remove()));
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const tb = await launchThunderbird({
      profileDir: profile.dir,
      display,
      logFile: path.join(ARTIFACTS_DIR, `${name}.thunderbird.log`),
    });
    cleanups.push(() => tb.stop());
    return {
      tb,
      leak,
      smtp,
      profile,
      timings: { marionetteReadyMs: tb.marionetteReadyMs, windowReadyMs: tb.windowReadyMs },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
