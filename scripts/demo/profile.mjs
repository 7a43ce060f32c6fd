// The demo profile of `npm start`, made once under <demo dir>/ and reused after:
//
//   <demo dir>/profile/   a Thunderbird profile: Local Folders + identity Alice (the e2e
//                         profile's user.js), SMTP to the sink on 127.0.0.1, the Sealbird XPI
//                         side-loaded as <profile>/extensions/sealbird@sealbird.org.xpi
//   <demo dir>/keys/      the PKI and GnuPG homes the messages were made with (Bob's secret
//                         keys decrypt what the sink receives)
//   <demo dir>/demo.json  written last: a profile without it is incomplete and made again
//
// The set-up run is a headless Thunderbird with Marionette (on 127.0.0.1; that run only): the
// keystore is filled through the add-on's own options page and runtime messages, exactly as
// the e2e suite does (test/e2e/lib/sealbird.mjs), and the messages are imported into the
// Inbox. The window a person then uses is started without Marionette.

import fs from "node:fs";
import path from "node:path";
import { createProfile, sideloadAddons, basePrefs, accountPrefs, userJs } from "../../test/e2e/lib/profile.mjs";
import { launchThunderbird } from "../../test/e2e/lib/thunderbird.mjs";
import { importEml, waitForAddon } from "../../test/e2e/lib/mail.mjs";
import { SEALBIRD_ID, provisionKeystore, closeExtensionTabs } from "../../test/e2e/lib/sealbird.mjs";
import { TestKeys } from "../../test/e2e/fixtures/messages.mjs";
import { demoInbox, DEMO_PASSPHRASE } from "./inbox.mjs";

/** Prefs of the demo profile on top of the e2e profile's. */
const DEMO_PREFS = {
  "mail.smtpserver.smtp1.description": "Sealbird demo sink (127.0.0.1)",
  // Newest first, so the welcome message is the top row.
  "mailnews.default_sort_order": 2,
};

export function demoPaths(demoDir) {
  return {
    profile: path.join(demoDir, "profile"),
    keys: path.join(demoDir, "keys"),
    manifest: path.join(demoDir, "demo.json"),
    received: path.join(demoDir, "received"),
    setupLog: path.join(demoDir, "setup.thunderbird.log"),
    log: path.join(demoDir, "thunderbird.log"),
  };
}

/** Raised when what a demo profile holds changes, so that older ones are made again. */
const DEMO_FORMAT = 1;

/** The demo's manifest if its profile is complete and of this format, else null. */
export function readDemo(demoDir) {
  const p = demoPaths(demoDir);
  try {
    const manifest = JSON.parse(fs.readFileSync(p.manifest, "utf8"));
    return manifest.format === DEMO_FORMAT && fs.existsSync(path.join(p.profile, "user.js")) && fs.existsSync(p.keys) ? manifest : null;
  } catch {
    return null;
  }
}

function demoUserJs(smtpPort) {
  return userJs({ ...basePrefs(), ...accountPrefs({ smtpPort }), ...DEMO_PREFS });
}

/**
 * Makes the demo profile from nothing (removing an old one): keys and messages by openssl and
 * gpg, then a headless set-up run. Returns the manifest.
 * @param {{demoDir: string, xpi: string, smtpPort: number, log?: (s: string) => void}} o
 */
export async function buildDemoProfile({ demoDir, xpi, smtpPort, log = console.log }) {
  const p = demoPaths(demoDir);
  for (const d of [p.manifest, p.profile, p.keys]) fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(demoDir, { recursive: true });

  const t0 = Date.now();
  log("making the demo keys and messages with openssl and gpg…");
  const keys = new TestKeys({ dir: p.keys });
  let inbox;
  try {
    inbox = demoInbox(keys);
    // Bob's own GnuPG home (his secret key, Alice's public key): what the sink report reads with.
    const bobHome = path.join(p.keys, "gnupg-bob");
    fs.mkdirSync(bobHome, { mode: 0o700 });
    keys.homes.push(bobHome);
    keys.gpg(["--import"], keys.gpg(["--export-secret-keys", "bob@example.org"]), bobHome);
    keys.gpg(["--import"], keys.gpg(["--export", "alice@example.org"]), bobHome);
  } finally {
    keys.stopAgents();
  }
  fs.writeFileSync(path.join(p.keys, "p12-password.txt"), keys.p12Password + "\n");

  createProfile({ dir: p.profile, smtpPort, addons: [{ id: SEALBIRD_ID, xpi }], prefs: DEMO_PREFS });
  log("filling the demo profile in a headless Thunderbird (Marionette on 127.0.0.1 for this set-up run only)…");
  const tb = await launchThunderbird({ profileDir: p.profile, display: "headless", logFile: p.setupLog });
  try {
    await waitForAddon(tb, SEALBIRD_ID);
    const files = [...keys.keyFiles(), { bytes: new Uint8Array(fs.readFileSync(keys.file("bob.pem"))), as: "correspondent" }];
    await provisionKeystore(tb, { passphrase: DEMO_PASSPHRASE, files });
    await closeExtensionTabs(tb);
    for (const m of inbox) await importEml(tb, m.eml);
    await openInbox(tb);
  } finally {
    await tb.stop();
  }
  fs.rmSync(path.join(p.profile, "e2e-import"), { recursive: true, force: true });

  const manifest = {
    format: DEMO_FORMAT,
    passphrase: DEMO_PASSPHRASE,
    identity: "Alice <alice@example.org>",
    created: new Date().toISOString(),
    messages: inbox.map((m) => m.subject),
  };
  fs.writeFileSync(p.manifest, JSON.stringify(manifest, null, 2) + "\n");
  log(`demo profile ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${p.profile}`);
  return manifest;
}

/**
 * Before each start of a kept demo profile: the SMTP server points at this run's sink, and the
 * freshly built XPI replaces the side-loaded one (Thunderbird updates the add-on at start-up;
 * its IndexedDB keystore stays, as for any add-on update).
 */
export function refreshDemoProfile({ demoDir, xpi, smtpPort }) {
  const p = demoPaths(demoDir);
  fs.writeFileSync(path.join(p.profile, "user.js"), demoUserJs(smtpPort));
  sideloadAddons(p.profile, [{ id: SEALBIRD_ID, xpi }]);
}

/** Selects the Inbox and its top message, so that the next start opens there (session restore). */
async function openInbox(tb) {
  await tb.marionette.run(
    `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
     const win = Services.wm.getMostRecentWindow("mail:3pane");
     const tabmail = win.document.getElementById("tabmail");
     const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
     tabmail.switchToTab(0);
     const about3Pane = tabmail.currentAbout3Pane;
     about3Pane.displayFolder(inbox.URI);
     await new Promise((r) => setTimeout(r, 500));
     about3Pane.threadTree.selectedIndex = 0;
     return true;`,
  );
}

/**
 * `--profile DIR`: installs the built XPI into an existing profile the way "Install Add-on From
 * File" does (a normal, permanent install: the keystore survives restarts and later updates),
 * in a headless run with Marionette on 127.0.0.1 that ends before the window opens.
 * @returns {Promise<{id: string, version: string}>}
 */
export async function installIntoProfile({ profileDir, xpi, logFile }) {
  const tb = await launchThunderbird({ profileDir, display: "headless", logFile });
  try {
    return await tb.marionette.run(
      `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
       const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
       file.initWithPath(arguments[0]);
       const install = await AddonManager.getInstallForFile(file);
       if (!install || install.error) throw new Error("cannot install " + arguments[0] + ": error " + install?.error);
       const addon = await install.install();
       return { id: addon.id, version: addon.version };`,
      [xpi],
    );
  } finally {
    await tb.stop();
  }
}
