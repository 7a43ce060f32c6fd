// The "Johnny" identity class: a signature is valid only when the message names exactly one
// author and that author is the signer — in both protocols, for the outer From and for the
// From inside protected headers. Signatures by the real openssl and gpg; headers by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { analyseAuthor } from "../../src/core/message/author.js";
import { parseMime } from "../../src/core/mime/index.js";
import { MailKit, TEXT, dateHeader, head, message } from "./mail-kit.js";
import { crlf } from "../pgp/gpg.js";

let kit: MailKit;

beforeAll(async () => {
  kit = await MailKit.create();
}, 180_000);
afterAll(() => kit?.dispose());

type Proto = "smime" | "openpgp";
const PROTOS: Proto[] = ["smime", "openpgp"];

const signedBody = new Map<Proto, Uint8Array>();

/**
 * A message signed by Alice (certificate / key for alice@example.org) with header section `h`.
 * A multipart/signed signature covers the body only, so one signature serves every header.
 */
function signedByAlice(proto: Proto, h: string): Uint8Array {
  let body = signedBody.get(proto);
  if (!body) {
    body = proto === "smime" ? kit.smimeSigned(kit.pki.alice, TEXT) : kit.pgpSigned("alice@example.org", TEXT);
    signedBody.set(proto, body);
  }
  return message(h, body);
}

async function verdict(raw: Uint8Array) {
  const r = await inspectMessage(raw, { openers: kit.openers });
  return { state: r.status.signature.state, codes: r.status.signature.reasons.map((x) => x.code), status: r.status };
}

describe.each(PROTOS)("sender binding (%s)", (proto) => {
  it("one From mailbox that the signer binds → valid (case-insensitive)", async () => {
    expect(await verdict(signedByAlice(proto, head("Alice <alice@example.org>")))).toMatchObject({ state: "valid", codes: [] });
    expect(await verdict(signedByAlice(proto, head("ALICE@EXAMPLE.ORG")))).toMatchObject({ state: "valid", codes: [] });
    expect(await verdict(signedByAlice(proto, head('"alice@example.org" <alice@example.org>')))).toMatchObject({ state: "valid" });
  });

  it("an address the signer does not bind → mismatch / from-mismatch", async () => {
    expect(await verdict(signedByAlice(proto, head("Boss <boss@example.org>")))).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
  });

  it.each([
    ["no From field", null],
    ["an empty From", ""],
    ["a group", "Board: alice@example.org;"],
    ["an empty group", "undisclosed-recipients:;"],
    ["a display name without an address", "Alice Example"],
    ["an unparsable From", "<>"],
    ["an address with a name glued after it", "alice@example.org, Alice"],
  ])("%s → mismatch / no-from", async (_what, from) => {
    expect(await verdict(signedByAlice(proto, head(from)))).toMatchObject({ state: "mismatch", codes: ["no-from"] });
  });

  it.each([
    ["two mailboxes in From, signer first", "alice@example.org, boss@example.org"],
    ["two mailboxes in From, signer second", "Boss <boss@example.org>, Alice <alice@example.org>"],
    ["two From fields", ["Alice <alice@example.org>", "Boss <boss@example.org>"]],
    ["two identical From fields", ["alice@example.org", "alice@example.org"]],
  ])("%s → mismatch / multiple-from", async (_what, from) => {
    expect(await verdict(signedByAlice(proto, head(from)))).toMatchObject({ state: "mismatch", codes: ["multiple-from"] });
  });

  it.each([
    ["quoted", '"boss@corp.example" <alice@example.org>'],
    ["padded with spaces", '"   boss@corp.example   " <alice@example.org>'],
    ["in inner quotes", `"'boss@corp.example'" <alice@example.org>`],
    ["unquoted", "boss@corp.example <alice@example.org>"],
    ["RFC 2047 base64", `=?utf-8?B?${Buffer.from("Boss <boss@corp.example>").toString("base64")}?= <alice@example.org>`],
    ["RFC 2047 quoted-printable", "=?utf-8?Q?boss=40corp=2Eexample?= <alice@example.org>"],
    ["fullwidth at sign", '"boss＠corp.example" <alice@example.org>'],
    ["in a comment", "alice@example.org (boss@corp.example)"],
  ])("a display name showing another address, %s → mismatch / display-name-address", async (_what, from) => {
    const v = await verdict(signedByAlice(proto, head(from)));
    expect(v).toMatchObject({ state: "mismatch", codes: ["display-name-address"] });
  });

  it("an encoded comma or bracket in a display name does not become structure", async () => {
    // Decoded first, "Doe, John <x> <alice@...>" would read as two mailboxes or a different address.
    const v = await verdict(signedByAlice(proto, head("=?utf-8?Q?Doe=2C_John_=3Cboss=40corp.example=3E?= <alice@example.org>")));
    expect(v).toMatchObject({ state: "mismatch", codes: ["display-name-address"] });
    expect(await verdict(signedByAlice(proto, head("=?utf-8?Q?Doe=2C_Alice?= <alice@example.org>")))).toMatchObject({ state: "valid" });
  });

  it("a Sender naming someone else keeps the verdict and is shown", async () => {
    const v = await verdict(signedByAlice(proto, head("Alice <alice@example.org>", "Sender: Assistant <assistant@example.org>\r\n")));
    expect(v).toMatchObject({ state: "valid", codes: [] });
    expect(v.status.signature.sender).toBe("assistant@example.org");
    const same = await verdict(signedByAlice(proto, head("Alice <alice@example.org>", "Sender: alice@example.org\r\n")));
    expect(same.status.signature.sender).toBeUndefined();
  });
});

/** Sign-then-encrypt with protected headers (RFC 9788): `innerFrom` inside, the outer From outside. */
function protectedSignedEncrypted(proto: Proto, outerFrom: string, innerFrom: string[]): Uint8Array {
  const inner = crlf(`Content-Type: text/plain; charset=utf-8; hp="cipher"\n${innerFrom.map((f) => `From: ${f}\n`).join("")}Subject: Real subject\n\nProtected text.\n`);
  if (proto === "smime") {
    const signed = kit.smimeSigned(kit.pki.alice, inner);
    return message(head(outerFrom), kit.smimeEncrypted([kit.pki.bob], signed));
  }
  return message(head(outerFrom), kit.pgpEncrypted("bob@example.org", inner, "alice@example.org"));
}

describe.each(PROTOS)("protected headers (%s)", (proto) => {
  it("inner and outer From both the signer → valid", async () => {
    const v = await verdict(protectedSignedEncrypted(proto, "Alice <alice@example.org>", ["Alice <alice@example.org>"]));
    expect(v).toMatchObject({ state: "valid", codes: [] });
    expect(v.status.encryption.state).toBe("decrypted");
  });

  it("inner From another address than the outer one → mismatch / header-mismatch", async () => {
    const v = await verdict(protectedSignedEncrypted(proto, "Alice <alice@example.org>", ["Boss <boss@example.org>"]));
    expect(v).toMatchObject({ state: "mismatch", codes: ["header-mismatch"] });
    expect(v.status.errors.map((e) => e.code)).toContain("header-mismatch");
  });

  it("inner From with two mailboxes → mismatch / multiple-from", async () => {
    const v = await verdict(protectedSignedEncrypted(proto, "Alice <alice@example.org>", ["alice@example.org, boss@example.org"]));
    expect(v).toMatchObject({ state: "mismatch", codes: ["multiple-from"] });
  });

  it("inner From whose display name shows another address → mismatch / display-name-address", async () => {
    const v = await verdict(protectedSignedEncrypted(proto, "Alice <alice@example.org>", ['"boss@corp.example" <alice@example.org>']));
    expect(v).toMatchObject({ state: "mismatch", codes: ["display-name-address"] });
  });

  it("outer From not the signer while the inner From is → mismatch / from-mismatch", async () => {
    const v = await verdict(protectedSignedEncrypted(proto, "Boss <boss@example.org>", ["Alice <alice@example.org>"]));
    expect(v.state).toBe("mismatch");
    expect(v.codes).toContain("from-mismatch");
  });
});

describe("analyseAuthor (header parsing only)", () => {
  const author = (h: string) => analyseAuthor(parseMime(new TextEncoder().encode(`${h}\r\n\r\nx`)).headers);
  it("reads one mailbox, lowercases the domain, and reports what else it sees", () => {
    expect(author("From: Alice <Alice@Example.ORG>")).toEqual({ address: "Alice@example.org" });
    expect(author("From: a@x.example\r\nSender: b@x.example").sender).toBe("b@x.example");
    expect(author("From: a@x.example\r\nFrom: a@x.example").problem?.code).toBe("multiple-from");
    expect(author("From: Team: a@x.example;").problem?.code).toBe("no-from");
    expect(author(`Date: ${dateHeader()}`).problem?.code).toBe("no-from");
    expect(author("From: =?utf-8?B?YkB4LmV4YW1wbGU=?= <a@x.example>").problem?.code).toBe("display-name-address");
    expect(author('From: "a@x.example." <a@x.example>').problem).toBeUndefined();
  });
});
