// Sealbird living in Thunderbird (issue 12): one security indicator in the header, the
// protected Subject where Thunderbird shows subjects, replies and forwards of decrypted mail,
// the leak guard, and decrypted copies. Messages are made at test time by gpg/openssl
// (fixtures/messages.mjs); one Thunderbird session for the whole file.

import assert from "node:assert/strict";
import { test, before, after } from "./lib/runner.mjs";
import { startSession } from "./lib/session.mjs";
import * as mail from "./lib/mail.mjs";
import * as sb from "./lib/sealbird.mjs";
import { TestKeys } from "./fixtures/messages.mjs";

const ID = sb.SEALBIRD_ID;
const PASSPHRASE = "correct horse battery staple e2e";

let s;
let keys;

/** A text entity carrying its real header fields inside (protected headers, the form Thunderbird writes). */
const protectedText = (subject, text, from = "Bob <bob@example.org>") =>
  `Content-Type: text/plain; charset=utf-8; protected-headers="v1"\nSubject: ${subject}\nFrom: ${from}\nTo: Alice <alice@example.org>\nContent-Transfer-Encoding: 8bit\n\n${text}\n`;

async function show(eml) {
  const msg = await mail.importEml(s.tb, eml);
  await sb.displayMessageNoWait(s.tb, msg);
  return msg;
}

const waitForClaim = (msg, pred, what) =>
  s.tb.waitFor(
    `const [uri] = arguments; return true;`,
    { args: [msg.uri], timeoutMs: 1 },
  ).then(() => poll(() => sb.readHeaderSecurity(s.tb, msg.uri), pred, what));

async function poll(read, pred, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

before(
  async () => {
    const xpi = sb.buildSealbirdXpi();
    keys = new TestKeys();
    s = await startSession({ name: "thunderbird-ui", addons: [{ id: ID, xpi }] });
    await mail.waitForAddon(s.tb, ID);
    await sb.provisionKeystore(s.tb, { passphrase: PASSPHRASE, files: keys.keyFiles() });
  },
  { timeoutMs: 240_000 },
);

after(async () => {
  await s?.stop();
  keys?.dispose();
});

test("PGP/MIME only Sealbird can decrypt: no Thunderbird bar or indicator, its attempt stopped; the protected Subject in header and title, not in the list when off", async () => {
  await sb.extensionCallOk(s.tb, { type: "options:list-subject-set", on: false });
  const eml = keys.pgpEncrypted({ subject: "[...]", inner: protectedText("Quarterly numbers PGP", "PGP body HDR-TOKEN-1") });
  const msg = await show(eml);
  assert.match(await sb.waitForSealbirdView(s.tb, "render"), /HDR-TOKEN-1/);
  const h = await poll(() => sb.readHeaderSecurity(s.tb, msg.uri), (x) => x.subject === "Quarterly numbers PGP", "the protected Subject in the header");
  assert.equal(h.title, "Quarterly numbers PGP");
  assert.deepEqual(h.notifications.filter((n) => n !== "remoteContent"), [], "no Thunderbird notification bar");
  assert.equal(h.cryptoBoxShown, false, "Thunderbird's own indicator is not shown");
  assert.equal(h.listSubject, "[...]", "setting off: the message index keeps [...]");
  await mail.screenshot(s.tb, "ui-header-pgp-en");
});
