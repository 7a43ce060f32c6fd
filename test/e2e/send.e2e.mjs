// Sending through Thunderbird's real compose window to the loopback SMTP
// sink, and the "SMTP down" path. No add-on needed: this proves the
// profile's identity/SMTP wiring and the compose helpers that Sealbird's
// sign/encrypt-on-send tests will build on.

import assert from "node:assert/strict";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import { ALICE } from "./lib/profile.mjs";
import * as mail from "./lib/mail.mjs";

let s;

before(async () => {
  s = await startSession({ name: "send" });
  console.log(`  Thunderbird (${s.tb.display}): 3-pane ready ${s.timings.windowReadyMs} ms after spawn`);
});

after(async () => {
  await s?.stop();
});

test("compose window sends a plain-text message to the SMTP sink", async () => {
  await mail.openCompose(s.tb, { to: "bob@example.net", subject: "E2E send", body: "Hello from the e2e suite" });
  const r = await mail.sendCompose(s.tb);
  assert.deepEqual(r, { sent: true });
  const [m] = await s.smtp.waitForMessages(1);
  assert.equal(m.from, ALICE.email);
  assert.deepEqual(m.to, ["bob@example.net"]);
  const raw = m.raw.toString("utf8");
  assert.match(raw, /^From: Alice <alice@example\.org>\r?$/m);
  assert.match(raw, /^Subject: E2E send\r?$/m);
  assert.match(raw, /Hello from the e2e suite/);
});

test("SMTP down: the send fails with Thunderbird's error and nothing is delivered", async () => {
  s.smtp.reset();
  s.smtp.setRefusing(true);
  try {
    await mail.openCompose(s.tb, { to: "bob@example.net", subject: "E2E send 2", body: "should not arrive" });
    const r = await mail.sendCompose(s.tb);
    assert.equal(r.sent, false, "send must fail");
    assert.match(r.error, /Sending of the message failed/);
    assert.match(r.error, /e2e: SMTP down/);
    assert.equal(s.smtp.messages().length, 0);
    // The compose window stays open after a failed send; capture it.
    const shot = await mail.screenshotWindow(s.tb, "send-smtp-down-compose", "msgcompose");
    assert.ok(shot.bytes > 5_000);
  } finally {
    s.smtp.setRefusing(false);
    await mail.closeComposeWindows(s.tb);
  }
});
