// Autocrypt-Gossip read from mail that GnuPG encrypted (headers written by hand the way
// Thunderbird's and Delta Chat's encrypted mail to several people carries them): keys only for
// addresses the mail went to, never for the sender or ourselves, the weakest source (a key we
// have from elsewhere is never replaced), nothing from unencrypted mail or with the setting off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keystore, MemoryBackend } from "../../src/core/keystore/index.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { parseKeys } from "../../src/core/pgp/context.js";
import { Gpg, dec, enc, crlf } from "../pgp/gpg.js";

const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
let gpg: Gpg;
let ring: Keyring;
const fpr: Record<string, string> = {};

/** An Autocrypt-Gossip field as senders fold it: keydata base64 on continuation lines. */
function gossip(addr: string, uid: string, home = gpg): string {
  const b64 = Buffer.from(home.run(["--export", uid]).stdout).toString("base64");
  return `Autocrypt-Gossip: addr=${addr}; keydata=\n ${b64.replace(/(.{72})/g, "$1\n ").trimEnd()}\n`;
}

function encryptedMail(fields: string, to = "me@example.org, bob@example.org, carol@example.org"): Uint8Array {
  const inner = crlf(`Content-Type: text/plain; charset=utf-8; protected-headers="v1"\n${fields}Subject: to all of us\n\nHello all.\n`);
  const armored = dec(gpg.run(["--armor", "--output", "-", "--local-user", "alice@example.org", "--sign", "--encrypt", "-r", "me@example.org", "--trust-model", "always"], { input: inner }).stdout);
  return enc(
    crlf(
      `From: Alice <alice@example.org>\nTo: ${to}\nSubject: ...\nMIME-Version: 1.0\n` +
        'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="BB"\n\n' +
        "--BB\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--BB\n" +
        'Content-Type: application/octet-stream; name="encrypted.asc"\n\n' +
        armored.trim() +
        "\n--BB--\n",
    ),
  );
}

async function receive(raw: Uint8Array, opts = {}) {
  const result = await inspectMessage(raw, { openers: [pgpOpener(await ring.pgpContext())] });
  return { result, learned: await ring.learnFrom(result, opts) };
}

const keysOf = async (email: string) =>
  (await ring.list()).filter((e) => e.kind === "pgp-public-key" && e.emails.includes(email)).map((e) => ({ fingerprint: e.fingerprint, pending: e.pending === true, source: e.source }));

beforeAll(async () => {
  gpg = new Gpg();
  for (const uid of ["Alice <alice@example.org>", "Bob <bob@example.org>", "Carol <carol@example.org>", "Mallory <mallory@example.org>", "Fake Me <me@example.org>"]) {
    fpr[/<(.*)>/.exec(uid)![1]!] = gpg.genKey(uid, "ed25519").toLowerCase();
  }
  ring = new Keyring(await Keystore.create(new MemoryBackend(), "pass-pass", WEAK));
  // Our own key (the receiver): gpg encrypts to it.
  const me = await ring.generatePgp({ name: "Me", email: "me@example.org" });
  const ours = (await ring.store.getRecord(me.entry.id)).public["publicKey"] as string;
  gpg.run(["--import"], { input: ours });
  fpr["me-real"] = me.entry.fingerprint;
  // What we know already: bob's key from somewhere else than gpg's (a different key).
  const { generatePgpKey } = await import("../../src/core/pgp/index.js");
  const otherBob = await generatePgpKey({ email: "bob@example.org" });
  await ring.importPgp(enc(otherBob.publicKey.armor()));
  fpr["bob-known"] = otherBob.publicKey.getFingerprint();
}, 120_000);

afterAll(() => gpg?.dispose());

describe("Autocrypt-Gossip in decrypted mail", () => {
  it("an unencrypted message's gossip headers are ignored", async () => {
    const plain = enc(crlf(`From: alice@example.org\nTo: me@example.org, carol@example.org\nSubject: x\n${gossip("carol@example.org", "carol@example.org")}Content-Type: text/plain\n\nHi\n`));
    const { learned } = await receive(plain);
    expect(learned.pgpKeys).toEqual([]);
    expect(await keysOf("carol@example.org")).toEqual([]);
  });

  it("with the gossip setting off nothing is learned", async () => {
    const { result, learned } = await receive(encryptedMail(gossip("carol@example.org", "carol@example.org")), { gossip: false });
    expect(result.status.encryption.state).toBe("decrypted");
    expect(learned.pgpKeys).toEqual([]);
  });

  it("learns keys for recipients only: carol new, bob's different key pending, not mallory (not a recipient) nor me nor the sender", async () => {
    const fields =
      gossip("carol@example.org", "carol@example.org") +
      gossip("bob@example.org", "bob@example.org") +
      gossip("mallory@example.org", "mallory@example.org") +
      gossip("me@example.org", "me@example.org") +
      gossip("alice@example.org", "mallory@example.org");
    const { result, learned } = await receive(encryptedMail(fields));
    expect(result.status.encryption.state).toBe("decrypted");
    expect(result.status.signature.state).toBe("unknown-signer");
    expect(learned.pgpKeys.map((k) => [k.emails.join(","), k.outcome])).toEqual([
      ["carol@example.org", "new"],
      ["bob@example.org", "pending"],
    ]);
    expect(await keysOf("carol@example.org")).toEqual([{ fingerprint: fpr["carol@example.org"], pending: false, source: "gossip" }]);
    expect(await keysOf("bob@example.org")).toEqual([
      { fingerprint: fpr["bob-known"], pending: false, source: "import" },
      { fingerprint: fpr["bob@example.org"], pending: true, source: "gossip" },
    ]);
    expect(await keysOf("mallory@example.org")).toEqual([]);
    // Our own address keeps only our key; the sender's gossip for herself counts for nothing.
    expect((await ring.list()).filter((e) => e.emails.includes("me@example.org")).map((e) => e.fingerprint)).toEqual([fpr["me-real"]]);
    expect(await keysOf("alice@example.org")).toEqual([]);
    // The gossiped key is used for carol (nothing better is known), bob's known key for bob.
    const [forBob] = await ring.pgpPublicFor(["bob@example.org"]);
    expect((await parseKeys(forBob!))[0]!.getFingerprint()).toBe(fpr["bob-known"]);
  });

  it("gossip never weakens a key from a stronger source: the same key keeps source and user ids", async () => {
    // Carol's key imported by the user (strong), with a second user id; gossip brings it cut down.
    const second = new Gpg();
    try {
      second.run(["--import"], { input: gpg.exportSecret("carol@example.org") });
      second.run(["--quick-add-uid", fpr["carol@example.org"]!.toUpperCase(), "Carol Work <carol@work.example>"]);
      await ring.importPgp(enc(second.exportPublic("carol@example.org")));
      expect(await keysOf("carol@example.org")).toEqual([{ fingerprint: fpr["carol@example.org"], pending: false, source: "import" }]);
      const { learned } = await receive(encryptedMail(gossip("carol@example.org", "carol@example.org")));
      expect(learned.pgpKeys).toEqual([]);
      const [carol] = (await ring.list()).filter((e) => e.fingerprint === fpr["carol@example.org"]);
      expect(carol!.source).toBe("import");
      expect(carol!.emails.sort()).toEqual(["carol@example.org", "carol@work.example"]);
    } finally {
      second.dispose();
    }
  });
});
