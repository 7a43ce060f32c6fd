// The demo inbox of `npm start`: one message per thing Sealbird shows, each made when the demo
// is set up by the real openssl and gpg (test/e2e/fixtures/messages.mjs, the same builders the
// e2e suite uses). `expect` is what Sealbird's button says for it (checked by demo.e2e.mjs).

import { mixed, textEntity, htmlEntity } from "../../test/e2e/fixtures/messages.mjs";

export const DEMO_PASSPHRASE = "sealbird-demo";

/** The text of the first message: what to do, in the order a newcomer does it (one line per paragraph: Thunderbird wraps). */
function welcomeText() {
  return [
    "This inbox shows what Sealbird does. Every message below was made by openssl or gpg when this demo was set up.",
    "Select a message and look at Sealbird's button in the message header, next to Reply: its icon and badge are Sealbird's verdict (a check mark = valid signature, a cross = invalid, a padlock = decrypted by Sealbird). Click it for the details.",
    `The keystore is locked. Open an encrypted message and press Unlock; the demo passphrase is: ${DEMO_PASSPHRASE}`,
    "You are Alice <alice@example.org>, with an S/MIME certificate and an OpenPGP key. Bob <bob@example.org> is a correspondent: Sealbird has his certificate and key.",
    "Reply to one of Bob's encrypted messages: Sealbird encrypts the reply. It goes to a test mail server on 127.0.0.1 that `npm start` runs; the terminal shows what arrived and what Bob can read of it.",
    "On OpenPGP messages Thunderbird itself may show a red bar (\"The secret key ... is not available\") and its own S/MIME or OpenPGP indicators: those only know Thunderbird's own keys. Sealbird's keys are in Sealbird; its button is what counts for them.",
  ].join("\n\n");
}

/** Sets a header of the top-level header block (the builders give every message the same day). */
function withHeader(buf, name, value) {
  const s = buf.toString("utf8");
  const end = s.indexOf("\r\n\r\n");
  const re = new RegExp(`^${name}: .*$`, "im");
  const head = re.test(s.slice(0, end)) ? s.slice(0, end).replace(re, `${name}: ${value}`) : `${s.slice(0, end)}\r\n${name}: ${value}`;
  return Buffer.from(head + s.slice(end), "utf8");
}

/**
 * @param {import("../../test/e2e/fixtures/messages.mjs").TestKeys} keys
 * @returns {{subject: string, eml: Buffer, expect: {badge?: string, icon?: string, title?: RegExp, view?: string, text?: RegExp}}[]}
 *   oldest first; the welcome message is the newest, so it is on top of a date-sorted inbox either way round it is read
 */
export function demoInbox(keys) {
  const stranger = keys.strangerHome("stranger", "Mallory <mallory@example.net>");
  const items = [
    {
      subject: "S/MIME signed: minutes of Monday's meeting",
      eml: (subject) => keys.smimeSigned({ subject, inner: textEntity("Signed by Bob with his S/MIME certificate (openssl cms -sign).\n\nSealbird checks the signature and that his certificate chains to a trusted root.") }),
      expect: { badge: "✓", icon: "hdr-none-valid.svg", title: /Valid signature/ },
    },
    {
      subject: "S/MIME encrypted: the door code",
      eml: (subject) => keys.smimeEncrypted({ subject, inner: textEntity("Encrypted to you with openssl cms -encrypt. The door code is 4711.\n\nThunderbird's own S/MIME has no key for this; Sealbird decrypts it.") }),
      expect: { icon: "hdr-ok-none.svg", title: /decrypted by Sealbird/, view: "render", text: /door code is 4711/ },
    },
    {
      subject: "S/MIME signed and encrypted: salary review",
      eml: (subject) =>
        keys.smimeEncrypted({ subject, inner: keys.smimeSignedEntity(textEntity("Signed by Bob, then encrypted to you (openssl cms -sign, then -encrypt).\n\nThe padlock and the check mark show both.")) }),
      expect: { icon: "hdr-ok-valid.svg", badge: "✓", view: "render", text: /then encrypted to you/ },
    },
    {
      subject: "OpenPGP signed: release notes",
      eml: (subject) => keys.pgpSigned({ subject, inner: textEntity("Signed by Bob with his OpenPGP key (gpg --detach-sign, PGP/MIME).") }),
      expect: { badge: "✓", title: /Valid signature/ },
    },
    {
      subject: "OpenPGP encrypted: the spare key is under the mat",
      eml: (subject) => keys.pgpEncrypted({ subject, sign: false, inner: textEntity("Encrypted to your OpenPGP key with gpg --encrypt (PGP/MIME), not signed.") }),
      expect: { icon: "hdr-ok-none.svg", view: "render", text: /gpg --encrypt/ },
    },
    {
      subject: "OpenPGP signed and encrypted: travel plans",
      eml: (subject) => keys.pgpEncrypted({ subject, inner: textEntity("Signed by Bob and encrypted to you with gpg --sign --encrypt.\n\nWe leave on Friday at 8.") }),
      expect: { icon: "hdr-ok-valid.svg", badge: "✓", view: "render", text: /leave on Friday/ },
    },
    {
      subject: "Tampered: invoice changed after it was signed",
      eml: (subject) => {
        const good = keys.smimeSigned({ subject, inner: textEntity("Please pay 100 EUR to account DE00 1234.\n\nSomeone changed the amount after Bob signed this: the signature no longer matches.") });
        return Buffer.from(good.toString("latin1").replace("pay 100 EUR", "pay 900 EUR"), "latin1");
      },
      expect: { badge: "✗", icon: "hdr-none-bad.svg", title: /Invalid signature/ },
    },
    {
      subject: "Unknown signer: a signed message from a stranger",
      eml: (subject) =>
        keys.pgpSigned({
          subject,
          from: "Mallory <mallory@example.net>",
          signer: "mallory@example.net",
          gpgHome: stranger,
          inner: textEntity("Validly signed with an OpenPGP key Sealbird has never seen: a signature proves nothing about who sent it until you know the key."),
        }),
      expect: { title: /unknown signer/ },
    },
    {
      subject: "Remote content: an encrypted newsletter with a tracking pixel",
      eml: (subject) =>
        keys.pgpEncrypted({
          subject,
          inner: htmlEntity(
            '<html><body><h2>Newsletter</h2><p>This encrypted HTML message asks for a remote image (a tracking pixel that would tell the sender you read it). ' +
              'Sealbird shows the decrypted text and never loads anything remote from it.</p>' +
              '<img src="http://tracker.invalid/pixel.png?reader=alice" width="1" height="1" alt="">' +
              '<p style="background:url(http://tracker.invalid/bg.png)">Even with "allow remote content", nothing is fetched.</p></body></html>',
          ),
        }),
      expect: { icon: "hdr-ok-valid.svg", badge: "✓", view: "render", text: /never loads anything remote/ },
    },
    {
      subject: "Nested: a signed part forwarded inside a plain message",
      eml: (subject) =>
        mixed({
          subject,
          parts: [textEntity("Anyone can wrap a message Bob signed inside their own text. Only a signature over the whole message counts,\nso this one is not shown as signed."), keys.smimeSignedEntity(textEntity("Bob signed only this part."))],
        }),
      expect: { title: /Not signed/ },
    },
  ];
  const now = Date.now();
  const all = [...items, { subject: "Welcome to the Sealbird demo: start here", eml: (subject) => plain(subject, welcomeText()), expect: { title: /Not signed/ } }];
  return all.map((m, i) => ({
    subject: m.subject,
    eml: withHeader(m.eml(m.subject), "Date", new Date(now - (all.length - i) * 60_000).toUTCString().replace("GMT", "+0000")),
    expect: m.expect,
  }));
}

function plain(subject, text) {
  return Buffer.from(
    [`From: Sealbird demo <demo@sealbird.invalid>`, `To: Alice <alice@example.org>`, `Subject: ${subject}`, `Date: x`, `Message-ID: <welcome-${Date.now()}@sealbird.invalid>`, "MIME-Version: 1.0", textEntity(text)]
      .join("\n")
      .replace(/\r?\n/g, "\r\n"),
    "utf8",
  );
}
