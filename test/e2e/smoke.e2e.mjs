// Smoke test of the harness itself, using the test-only probe add-on
// (fixtures/probe-addon). It proves, in a real Thunderbird:
//   - an unsigned MV3 add-on side-loads and its background runs,
//   - an .eml imports into Local Folders and displays in the 3-pane tab,
//   - background + messages.getRaw(): the probe's action badge/title carry
//     the raw length and a hash of the body, read back from the chrome DOM,
//   - message display scripts: the probe's marker is in the message pane,
//   - remote content is blocked: the leak server saw 0 requests (and, as a
//     positive control, sees them once remote content is allowed),
//   - a window screenshot is written to test/e2e/artifacts/.
// Later the lead swaps the probe for the real Sealbird XPI.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import { packXpi } from "./lib/zip.mjs";
import * as mail from "./lib/mail.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PROBE_ID = "probe@sealbird.test";
const EML_TEMPLATE = fs.readFileSync(path.join(here, "fixtures/mail/remote-image.eml"), "utf8");

let s; // session
let msg; // imported message
let emlBytes;

/** Fixture with the leak server's port filled in, CRLF line ends. */
function remoteImageEml(port) {
  return Buffer.from(EML_TEMPLATE.replaceAll("LEAKPORT", String(port)).replace(/\r?\n/g, "\r\n"), "utf8");
}

/** Same definition of "body" as the probe: bytes after the first empty line. */
function bodySha16(bytes) {
  const i = bytes.indexOf("\r\n\r\n");
  return crypto.createHash("sha256").update(bytes.subarray(i + 4)).digest("hex").slice(0, 16);
}

before(async () => {
  const xpi = packXpi(path.join(here, "fixtures/probe-addon"), path.join(mail.ARTIFACTS_DIR, "probe.xpi"));
  s = await startSession({ name: "smoke", addons: [{ id: PROBE_ID, xpi }] });
  console.log(
    `  Thunderbird (${s.tb.display}): Marionette ready ${s.timings.marionetteReadyMs} ms, ` +
      `3-pane ready ${s.timings.windowReadyMs} ms after spawn`,
  );
});

after(async () => {
  await s?.stop();
});

test("probe add-on is installed, active, and its background ran", async () => {
  const info = await mail.waitForAddon(s.tb, PROBE_ID);
  assert.equal(info.version, "1.0");
  // The probe sets this global title once its display script is registered.
  const deadline = Date.now() + 15_000;
  let d;
  while (Date.now() < deadline) {
    d = await mail.readMessageDisplayActionDefaults(s.tb, PROBE_ID);
    if (d?.title === "Probe: ready") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(d?.title, "Probe: ready", `probe never became ready: ${JSON.stringify(d)}`);
});

test("an imported .eml is displayed with its subject and body", async () => {
  emlBytes = remoteImageEml(s.leak.port);
  msg = await mail.importEml(s.tb, emlBytes, { folder: "Inbox" });
  assert.equal(msg.messageId, "e2e-remote-image@sealbird.test");
  assert.equal(msg.subject, "E2E remote image probe");
  const { ms } = await mail.displayMessage(s.tb, msg);
  console.log(`  message displayed in ${ms} ms`);
  const shown = await mail.readDisplayedMessage(s.tb);
  assert.equal(shown.subject, "E2E remote image probe");
  assert.match(shown.bodyText, /E2E-BODY-TOKEN-1234/);
  assert.match(shown.url, /^mailbox:/);
});

test("background + messages.getRaw: action badge and title set by the probe", async () => {
  const expectedHash = bodySha16(emlBytes);
  const btn = await mail.waitForMessageDisplayAction(s.tb, PROBE_ID, (b) => /^probe(-error)?:/.test(b.title ?? ""), {
    what: "probe title",
  });
  assert.doesNotMatch(btn.title, /^probe-error:/, `probe failed: ${btn.title}`);
  const [, len, hash] = btn.title.split(":");
  assert.equal(btn.badge, len, "badge text = raw byte length");
  // The stored copy gains X-Mozilla-* headers, so raw >= the imported bytes.
  assert.ok(Number(len) >= emlBytes.length, `raw length ${len} < eml length ${emlBytes.length}`);
  assert.equal(hash, expectedHash, "body hash seen by getRaw = hash of the imported body");
  assert.equal(btn.label, "Probe");
  assert.equal(btn.id, `${mail.widgetId(PROBE_ID)}-messageDisplayAction-toolbarbutton`);
  assert.match(btn.icon, /^moz-extension:\/\/[0-9a-f-]+\/icon\.svg$/);
  assert.equal(btn.disabled, false);
  assert.equal(btn.hidden, false);
});

test("message tab: same message, same probe badge/title and marker", async () => {
  const inPane = await mail.readMessageDisplayAction(s.tb, PROBE_ID);
  const { ms } = await mail.displayMessageInTab(s.tb, msg);
  console.log(`  message tab displayed in ${ms} ms`);
  try {
    const btn = await mail.waitForMessageDisplayAction(s.tb, PROBE_ID, (b) => b.title === inPane.title, {
      what: "probe title in the message tab",
    });
    assert.equal(btn.badge, inPane.badge);
    await mail.waitForBodyText(s.tb, /SEALBIRD-PROBE-MARKER/);
    assert.equal((await mail.readDisplayedMessage(s.tb)).subject, "E2E remote image probe");
  } finally {
    await mail.closeOtherTabs(s.tb);
  }
});

test("message display script wrote its marker into the message pane", async () => {
  const text = await mail.waitForBodyText(s.tb, /SEALBIRD-PROBE-MARKER/);
  assert.match(text, /E2E-BODY-TOKEN-1234/, "marker is in the same document as the message");
});

test("remote content is blocked: leak server got 0 requests", async () => {
  // Thunderbird shows the remote-content bar once its content policy has
  // blocked a load: wait for that rather than sleeping.
  await s.tb.waitFor(
    `const am = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").currentAboutMessage;
     const bar = am?.gMessageNotificationBar?.msgNotificationBar;
     return !!bar?.getNotificationWithValue("remoteContent");`,
    { what: "remote content notification" },
  );
  const shown = await mail.readDisplayedMessage(s.tb);
  assert.ok(shown.notifications.includes("remoteContent"), `notifications: ${shown.notifications}`);
  assert.deepEqual(s.leak.requests(), [], "no request may reach the leak server");
});

test("screenshot of the window is written to artifacts/", async () => {
  const { file, bytes } = await mail.screenshot(s.tb, "smoke-message");
  assert.ok(bytes > 10_000, `screenshot too small: ${bytes} bytes`);
  const head = fs.readFileSync(file).subarray(0, 8);
  assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
});

test("leak detector positive control: allowing remote content reaches the leak server", async () => {
  assert.equal(s.leak.requests().length, 0);
  await mail.allowRemoteContentForDisplayedMessage(s.tb, msg);
  const reqs = await s.leak.waitForRequests(1, 10_000);
  assert.ok(reqs.length >= 1, "the leak server must see the remote image once allowed");
  assert.ok(
    reqs.some((r) => r.url.startsWith("/pixel.png")),
    `requests: ${reqs.map((r) => r.url).join(", ")}`,
  );
});
