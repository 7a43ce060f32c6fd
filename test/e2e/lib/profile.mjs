// Creates a fresh, throw-away Thunderbird profile for one e2e run.
//
// Everything is configured through user.js; nothing has to be clicked:
//   - a Local Folders account (account1/server1) that also carries the
//     identity "Alice <alice@example.org>" (id1), so compose/send works,
//   - an SMTP server smtp1 -> 127.0.0.1:<smtpPort>, no auth, no TLS,
//   - every first-run / update / telemetry / "default client" UI disabled,
//   - unsigned side-loaded add-ons enabled (extensions.*Scopes),
//   - Marionette on port 0: Gecko picks a free port and writes it to
//     <profile>/MarionetteActivePort (read by thunderbird.mjs), which avoids
//     the pick-a-free-port-then-race problem.
// Pass `marionettePort` to use a fixed port instead, `dir` for a profile that is kept (the
// `npm start` demo profile) instead of a throw-away one.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Identity used by every test. */
export const ALICE = { email: "alice@example.org", name: "Alice" };

/** Name of the Local Folders mbox folder that tests import into. */
export const TEST_FOLDER = "Inbox";

/** Prefs that make a headless, quiet, deterministic Thunderbird. */
export function basePrefs({ marionettePort = 0 } = {}) {
  return {
    // --- Marionette
    "marionette.port": marionettePort,
    "marionette.log.level": "Warn",

    // --- side-loaded, unsigned add-ons from <profile>/extensions/
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "extensions.startupScanScopes": 15,
    "xpinstall.signatures.required": false,
    "extensions.update.enabled": false,
    "extensions.update.autoUpdateDefault": false,
    "extensions.getAddons.cache.enabled": false,
    "extensions.experiments.enabled": true,
    // MV3 event pages are suspended after 30 s idle by default; keep the
    // background alive for the whole run so tests don't race a restart.
    "extensions.background.idle.timeout": 3_600_000,
    // NOTE: don't touch extensions.blocklist.enabled - disabling it breaks
    // extension start-up in this build.

    // --- no wizards, start pages, nag bars
    "mail.provider.suppress_dialog_on_startup": true,
    "mailnews.start_page.enabled": false,
    "mailnews.start_page_override.mstone": "ignore",
    "mail.shell.checkDefaultClient": false,
    "mail.shell.checkDefaultMail": false,
    "browser.shell.checkDefaultBrowser": false,
    "mail.rights.override": true,
    "mail.inappnotifications.enabled": false,
    "mail.startup.enabledMailCheckOnce": true,
    "mail.spotlight.firstRunDone": true,
    "mail.winsearch.firstRunDone": true,
    "calendar.timezone.useSystemTimezone": true,
    "browser.sessionstore.resume_from_crash": false,
    "toolkit.startup.max_resumed_crashes": -1,

    // --- no update / telemetry / network chatter
    "app.update.disabledForTesting": true,
    "app.update.auto": false,
    "app.update.enabled": false,
    "app.update.checkInstallTime": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "datareporting.healthreport.uploadEnabled": false,
    "toolkit.telemetry.enabled": false,
    "toolkit.telemetry.reportingpolicy.firstRun": false,
    "toolkit.telemetry.server": "",
    "app.normandy.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "mail.server.default.check_new_mail": false,
    "mail.server.default.login_at_startup": false,
    // gloda (global search indexer) only costs CPU in a test run
    "mailnews.database.global.indexer.enabled": false,

    // --- show chrome/extension console output on stderr (helps debugging)
    "browser.dom.window.dump.enabled": true,
    "devtools.console.stdout.chrome": true,
    "devtools.console.stdout.content": true,
    "ui.prefersReducedMotion": 1,

    // Remote content stays blocked (the default; asserted by the leak test):
    // "mailnews.message_display.disable_remote_image": true,
  };
}

/** Account prefs: Local Folders + Alice identity + SMTP to 127.0.0.1. */
export function accountPrefs({ smtpPort = 2525 } = {}) {
  return {
    "mail.accountmanager.accounts": "account1",
    "mail.accountmanager.defaultaccount": "account1",
    "mail.accountmanager.localfoldersserver": "server1",
    "mail.account.account1.server": "server1",
    "mail.account.account1.identities": "id1",
    "mail.server.server1.type": "none",
    "mail.server.server1.hostname": "Local Folders",
    "mail.server.server1.name": "Local Folders",
    "mail.server.server1.userName": "nobody",
    "mail.server.server1.directory-rel": "[ProfD]Mail/Local Folders",

    "mail.identity.id1.fullName": ALICE.name,
    "mail.identity.id1.useremail": ALICE.email,
    "mail.identity.id1.smtpServer": "smtp1",
    "mail.identity.id1.valid": true,
    "mail.identity.id1.compose_html": false,
    "mail.identity.id1.reply_on_top": 1,

    "mail.smtpservers": "smtp1",
    "mail.smtp.defaultserver": "smtp1",
    "mail.smtpserver.smtp1.type": "smtp",
    "mail.smtpserver.smtp1.hostname": "127.0.0.1",
    "mail.smtpserver.smtp1.port": smtpPort,
    "mail.smtpserver.smtp1.authMethod": 1, // 1 = no authentication
    "mail.smtpserver.smtp1.try_ssl": 0, // 0 = plain, no STARTTLS
    "mail.smtpserver.smtp1.username": "",
    "mail.smtpserver.smtp1.description": "e2e sink",
  };
}

/** Serialises prefs as user.js lines. */
export function userJs(prefs) {
  return (
    Object.entries(prefs)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
      .join("\n") + "\n"
  );
}

/**
 * Creates a fresh profile directory.
 * @param {object} o
 * @param {number} [o.smtpPort]       port of the SMTP sink on 127.0.0.1
 * @param {number} [o.marionettePort] 0 (default) = let Gecko choose
 * @param {{id: string, xpi: string}[]} [o.addons]  XPIs to side-load
 * @param {object} [o.prefs]          extra/overriding prefs
 * @param {string} [o.baseDir]        where to create it (default os.tmpdir())
 * @param {string} [o.dir]            this directory instead of a new temporary one (made if missing)
 * @returns {{dir: string, localFolders: string, remove(): void}}
 */
export function createProfile({ smtpPort = 2525, marionettePort = 0, addons = [], prefs = {}, baseDir, dir: fixedDir } = {}) {
  const dir = fixedDir ? (fs.mkdirSync(fixedDir, { recursive: true }), fixedDir) : fs.mkdtempSync(path.join(baseDir ?? os.tmpdir(), "sealbird-e2e-profile-"));
  const all = { ...basePrefs({ marionettePort }), ...accountPrefs({ smtpPort }), ...prefs };
  fs.writeFileSync(path.join(dir, "user.js"), userJs(all));

  // Local Folders with an (empty) mbox "Inbox": folder discovery picks it
  // up at start-up, so tests have a stable folder to import into.
  const localFolders = path.join(dir, "Mail", "Local Folders");
  fs.mkdirSync(localFolders, { recursive: true });
  fs.writeFileSync(path.join(localFolders, TEST_FOLDER), "");

  sideloadAddons(dir, addons);

  return {
    dir,
    localFolders,
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Side-loaded add-ons: <profile>/extensions/<gecko id>.xpi. Copying a newer XPI over an
 * existing one updates the add-on at the next start (startupScanScopes); its storage stays.
 * @param {string} dir
 * @param {{id: string, xpi: string}[]} addons
 */
export function sideloadAddons(dir, addons) {
  if (!addons.length) return;
  const ext = path.join(dir, "extensions");
  fs.mkdirSync(ext, { recursive: true });
  for (const { id, xpi } of addons) fs.copyFileSync(xpi, path.join(ext, `${id}.xpi`));
}
