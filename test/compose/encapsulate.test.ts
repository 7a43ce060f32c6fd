// From what Thunderbird streams into our composeSecure (outer header fields + inner entity)
// to the protected entity: protected headers inside, real Subject, sender always a recipient,
// keyless recipients reported, password messages. Checked by opening the result again with
// the engine's own reader (gpg interop is covered by test/e2e/compose.e2e.mjs).
import { beforeAll, describe, expect, it } from "vitest";
import { Keystore } from "../../src/core/keystore/keystore.js";
import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { concatBytes, fromBinaryString, toBinaryString, utf8 } from "../../src/core/bytes.js";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { innerWithProtectedHeaders, protectEntity, type Decision, type EncapsulateRequest } from "../../src/background/compose/encapsulate.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { joinedBytes } from "../../src/core/message/protect.js";

const WEAK = { memoryKiB: 64, iterations: 1, parallelism: 1 };

/** As MimeMessage writes them: outer fields (Subject already obscured), then the inner entity. */
function request(over: Partial<EncapsulateRequest> = {}): EncapsulateRequest {
  const headers =
    "Message-ID: <1@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\nTo: Bob <bob@example.org>\r\n" +
    "From: Alice <alice@example.org>\r\nSubject: [...]\r\n";
  return {
    id: 1,
    msgType: 0,
    isDraft: false,
    sign: true,
    encrypt: true,
    from: "Alice <alice@example.org>",
    identityEmail: "alice@example.org",
    recipients: "Bob <bob@example.org>",
    headers,
    subject: "Größe & Zahlen",
    entity: utf8("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello Bob\r\n"),
    ...over,
  };
}

let alice: Keyring;
let bob: Keyring;

beforeAll(async () => {
  alice = new Keyring(await Keystore.create(new MemoryBackend(), "alice passphrase", { kdf: WEAK }));
  bob = new Keyring(await Keystore.create(new MemoryBackend(), "bob passphrase", { kdf: WEAK }));
  await alice.generatePgp({ name: "Alice", email: "alice@example.org" });
  await bob.generatePgp({ name: "Bob", email: "bob@example.org" });
  // Each knows the other's public key.
  const pub = async (ring: Keyring) => String((await ring.pgpContext()).publicKeys[0]);
  await alice.importPgp(utf8(await pub(bob)));
  await bob.importPgp(utf8(await pub(alice)));
}, 60_000);

async function open(ring: Keyring, outer: string, entity: Uint8Array, passwords?: string[]) {
  const raw = concatBytes([fromBinaryString(outer), entity]);
  return inspectMessage(raw, { openers: [pgpOpener(await ring.pgpContext(), passwords)] });
}

describe("innerWithProtectedHeaders", () => {
  it("puts the real Subject (RFC 2047) and the address fields inside, marked hp=cipher", () => {
    const inner = toBinaryString(joinedBytes(innerWithProtectedHeaders(request(), true)));
    expect(inner).toMatch(/^Content-Type: text\/plain; charset=UTF-8; hp="cipher"; protected-headers="v1"\r\n/);
    expect(inner).toMatch(/\r\nSubject: =\?UTF-8\?[BQ]\?[^\r\n]+\?= & Zahlen\r\n/i);
    expect(inner).toMatch(/\r\nTo: Bob <bob@example.org>\r\n/);
    expect(inner).not.toContain("[...]");
    expect(inner).not.toMatch(/MIME-Version/i);
    expect(inner.endsWith("\r\n\r\nHello Bob\r\n")).toBe(true);
  });
  it("sign-only keeps hp=clear", () => {
    expect(toBinaryString(joinedBytes(innerWithProtectedHeaders(request({ subject: "" }), false)))).toMatch(/hp="clear"/);
  });
});

describe("protectEntity (OpenPGP)", () => {
  const d = (over: Partial<Decision> = {}): Decision => ({ technology: "openpgp", sign: true, encrypt: true, from: "alice@example.org", to: ["bob@example.org"], ...over });

  it("encrypt+sign: Bob opens it, the signature is Alice's, the real Subject is inside", async () => {
    const req = request();
    const entity = await protectEntity(alice, req, d());
    expect(toBinaryString(entity)).toMatch(/^Content-Type: multipart\/encrypted;/);
    const r = await open(bob, req.headers, entity);
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature.state).not.toBe("none");
    expect(r.status.protectedHeaders?.subject).toBe("Größe & Zahlen");
    expect(toBinaryString(r.view!.raw)).toContain("Hello Bob");
  });

  it("the sender is always a recipient: Alice reads her own Sent copy", async () => {
    const req = request();
    const entity = await protectEntity(alice, req, d());
    const r = await open(alice, req.headers, entity);
    expect(r.status.encryption.state).toBe("decrypted");
  });

  it("a recipient without a key: recipient-no-key with the missing list", async () => {
    const e = await protectEntity(alice, request(), d({ to: ["bob@example.org", "carol@example.net"] })).catch((x: unknown) => x);
    expect(isSealbirdError(e) && e.code).toBe("recipient-no-key");
    expect(isSealbirdError(e) && e.details["missing"]).toEqual(["carol@example.net"]);
  });

  it("password message: keyless Carol opens it with the password alone, Bob with his key", async () => {
    const req = request({ recipients: "bob@example.org, carol@example.net" });
    const entity = await protectEntity(alice, req, d({ sign: false, to: ["bob@example.org", "carol@example.net"], password: "tell-carol-by-phone" }));
    const nobody = new Keyring(await Keystore.create(new MemoryBackend(), "carol passphrase", { kdf: WEAK }));
    const byPassword = await open(nobody, req.headers, entity, ["tell-carol-by-phone"]);
    expect(byPassword.status.encryption.state).toBe("decrypted");
    expect(toBinaryString(byPassword.view!.raw)).toContain("Hello Bob");
    expect((await open(bob, req.headers, entity)).status.encryption.state).toBe("decrypted");
  });

  it("draft: encrypted to the sender only, not signed", async () => {
    const req = request({ isDraft: true, sign: false });
    const entity = await protectEntity(alice, req, d({ sign: false, to: [] }));
    expect((await open(alice, req.headers, entity)).status.signature.state).toBe("none");
    expect((await open(bob, req.headers, entity)).status.encryption.state).not.toBe("decrypted");
  });

  it("nothing to do is refused", async () => {
    const e = await protectEntity(alice, request(), d({ sign: false, encrypt: false })).catch((x: unknown) => x);
    expect(isSealbirdError(e) && e.code).toBe("usage");
  });
});
