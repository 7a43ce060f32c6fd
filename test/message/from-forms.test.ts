// Sender binding with odd but legal RFC 5322 From fields, in both protocols: quoted local
// parts, comments anywhere, obsolete routes and spacing, folding, mixed case, RFC 2047 where
// it may and may not be decoded, IDN, UTF-8 addresses (RFC 6532) — and the tricks that make a
// parser read another mailbox than the one Thunderbird shows (a "<" inside a comment or a
// quoted-string, two angle-addrs, a comment after the address). Signatures by the real
// openssl and gpg; the header sections by hand. What Thunderbird's own parser (jsmime) reads
// is the yardstick: a signature is never valid next to an address the reader does not see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import type { LayerOpener } from "../../src/core/message/inspect.js";
import { MailKit, TEXT, dateHeader, head, message } from "./mail-kit.js";
import { crlf } from "../pgp/gpg.js";
import { run, type TestIdentity } from "../smime/pki.js";

let kit: MailKit;
let openers: LayerOpener[];
/** A certificate (S/MIME) and a key (OpenPGP) for each address, signing TEXT. */
const signed = new Map<string, Uint8Array>();

type Proto = "smime" | "openpgp";
const ALICE_FROM = "Alice <alice@example.org>";
const PROTOS: Proto[] = ["smime", "openpgp"];
const IDN = "alice@xn--bcher-kva.example"; // alice@bücher.example
const UTF8 = "jörg@example.org";
const MIXED = "Alice.Smith@Example.ORG"; // as a certificate / key may spell it
const BARE = "bare@example.org"; // an OpenPGP user id that is only the address

/** A leaf certificate for `email` from the test PKI's intermediate, issued by the real `openssl ca`. */
function issue(name: string, email: string): TestIdentity {
  const ossl = (args: string[]) => run("openssl", args, { cwd: kit.pki.dir, env: { ...process.env, SAN_EMAIL: email } });
  ossl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
  ossl(["ca", "-batch", "-config", "ca.cnf", "-extensions", "leaf", "-in", `${name}.csr`, "-out", `${name}.pem`, "-notext"]);
  return { ...kit.pki.alice, name, email, certPath: join(kit.pki.dir, `${name}.pem`), keyPath: join(kit.pki.dir, `${name}.key`) };
}

beforeAll(async () => {
  kit = await MailKit.create();
  kit.gpg.genKey(`Alice <${IDN}>`, "ed25519");
  kit.gpg.genKey(`Jörg <${UTF8}>`, "ed25519");
  kit.gpg.genKey(`Alice Smith (Work) <${MIXED}>`, "ed25519");
  kit.gpg.genKey(BARE, "ed25519");
  const pgpCtx = { ...kit.pgpCtx, publicKeys: [...kit.pgpCtx.publicKeys, ...[IDN, UTF8, MIXED, BARE].map((u) => kit.gpg.exportPublic(u))] };
  openers = [kit.openers[0]!, pgpOpener(pgpCtx)];
  const idnCert = issue("idn-alice", IDN);
  signed.set("smime:alice@example.org", kit.smimeSigned(kit.pki.alice, TEXT));
  signed.set(`smime:${IDN}`, kit.smimeSigned(idnCert, TEXT));
  signed.set(`smime:${MIXED}`, kit.smimeSigned(issue("mixed-case", MIXED), TEXT));
  // The "other" signer: Carol's certificate (S/MIME), Eve's key (OpenPGP).
  signed.set("smime:other", kit.smimeSigned(kit.pki.carol, TEXT));
  signed.set("openpgp:other", kit.pgpSigned("eve@example.org", TEXT));
  for (const who of ["alice@example.org", IDN, UTF8, MIXED, BARE]) signed.set(`openpgp:${who}`, kit.pgpSigned(who, TEXT));
}, 240_000);
afterAll(() => kit?.dispose());

/** The message signed by `signer`, with the From field written exactly as `from` (UTF-8). */
async function verdict(proto: Proto, from: string, signer = "alice@example.org", extra = "") {
  const body = signed.get(`${proto}:${signer}`)!;
  const r = await inspectMessage(message(`From: ${from}\r\nTo: Bob <bob@example.org>\r\nSubject: forms\r\nDate: ${dateHeader()}\r\n${extra}`, body), { openers });
  return { state: r.status.signature.state, codes: r.status.signature.reasons.map((x) => x.code), status: r.status };
}

describe.each(PROTOS)("legal but unusual From forms naming the signer (%s) → valid", (proto) => {
  it.each([
    ["a quoted local part that needs no quotes (Thunderbird reads alice@example.org)", '"alice"@example.org'],
    ["a quoted local part in an angle-addr", 'Alice <"alice"@example.org>'],
    ["comments in the name, the local part and the domain", "Alice (the boss) <alice(home)@(main)example.org>"],
    ["a comment before a bare address", "(sent from my phone) alice@example.org"],
    ["a colon inside a comment (not a group)", "(note: on the road) alice@example.org"],
    ["a comment after the angle-addr", "Alice <alice@example.org> (Work)"],
    ["an obsolete route", "Alice <@relay.example:alice@example.org>"],
    ["an obsolete route of two hops", "Alice <@r1.example,@r2.example:alice@example.org>"],
    ["spaces around the @ (obsolete syntax)", "alice @ example.org"],
    ["mixed case", "ALICE@Example.ORG"],
    ["folded before the angle-addr", "Alice\r\n <alice@example.org>"],
    ["folded right after the colon", "\r\n alice@example.org"],
    ["folded inside the angle-addr", "Alice <alice@example.org\r\n\t>"],
    ["trailing spaces and tabs", "Alice <alice@example.org> \t "],
    ["an RFC 2047 name", "=?utf-8?Q?Alice_M=C3=BCller?= <alice@example.org>"],
    ["an RFC 2047 word inside a quoted name, with an encoded comma", '"=?utf-8?Q?M=C3=BCller=2C_Alice?=" <alice@example.org>'],
    ["a display name equal to the address", '"alice@example.org" <alice@example.org>'],
  ])("%s", async (_what, from) => {
    expect(await verdict(proto, from)).toMatchObject({ state: "valid", codes: [] });
  });
});

describe.each(PROTOS)("From forms that are another address (%s) → mismatch / from-mismatch", (proto) => {
  it.each([
    ["a quoted local part with a space is another mailbox", '"al ice"@example.org'],
    ["a quoted local part holding the signer's address, at another domain", '"alice@example.org"@evil.example'],
    ["an RFC 2047 word in the local part is not decoded (RFC 2047 section 5)", "=?utf-8?Q?alice?=@example.org"],
    ["a trailing dot on the domain", "alice@example.org."],
    ["the signer's address only inside a quoted-string before another address", '"x <alice@example.org>" eve@evil.example'],
  ])("%s", async (_what, from) => {
    expect(await verdict(proto, from)).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
  });

  it("an IDN: the U-label From against an A-label binding is not the same string (Thunderbird compares strings too)", async () => {
    expect(await verdict(proto, "Alice <alice@bücher.example>", IDN)).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
    expect(await verdict(proto, `Alice <${IDN.toUpperCase()}>`, IDN)).toMatchObject({ state: "valid", codes: [] });
  });
});

describe.each(PROTOS)("a parser trick that shows the reader another address (%s) → never valid", (proto) => {
  it.each([
    ["the signer's angle-addr inside a comment, the real address after it", "display-name-address", "(Alice <alice@example.org>) eve@evil.example"],
    ["the signer's address in a comment after the real one", "display-name-address", "eve@evil.example (alice@example.org)"],
    ["two angle-addrs: Thunderbird uses the last, the first is shown as name", "display-name-address", "Alice <alice@example.org> <eve@evil.example>"],
    ["another address in a comment inside the name", "display-name-address", "Alice (boss@corp.example) <alice@example.org>"],
    ["another address in a comment after the angle-addr", "display-name-address", "Alice <alice@example.org> (boss@corp.example)"],
    ["an RFC 2047 encoded address in a comment after the angle-addr", "display-name-address", "Alice <alice@example.org> (=?utf-8?Q?boss=40corp.example?=)"],
    ["an address with spaces around the @ as name (Thunderbird shows boss@corp.example)", "display-name-address", "boss @ corp.example <alice@example.org>"],
    ["an address after the angle-addr (junk the reader may see)", "no-from", "Alice <alice@example.org> eve@evil.example"],
    ["only an encoded word that decodes to the signer's address", "no-from", `=?utf-8?B?${Buffer.from("alice@example.org").toString("base64")}?=`],
    ["the signer's angle-addr only inside a comment", "no-from", "(<alice@example.org>) Alice"],
  ])("%s → mismatch / %s", async (_what, code, from) => {
    expect(await verdict(proto, from)).toMatchObject({ state: "mismatch", codes: [code] });
  });

  it("two From fields differing only in case → mismatch / multiple-from", async () => {
    expect(await verdict(proto, "Alice <alice@example.org>\r\nFROM: alice@example.org")).toMatchObject({ state: "mismatch", codes: ["multiple-from"] });
  });

  it("a Sender with a comment and an angle-addr is shown, the verdict stays", async () => {
    const v = await verdict(proto, "Alice <alice@example.org>", "alice@example.org", "Sender: (on behalf) <Assistant@Example.org>\r\n");
    expect(v).toMatchObject({ state: "valid", codes: [] });
    expect(v.status.signature.sender).toBe("Assistant@example.org");
  });
});

describe.each(PROTOS)("how the certificate or key spells the address (%s)", (proto) => {
  it.each([
    ["the From in lower case, the binding in mixed case", "alice.smith@example.org"],
    ["the From in upper case", "ALICE.SMITH@EXAMPLE.ORG"],
  ])("%s → valid", async (_what, from) => {
    expect(await verdict(proto, `Alice <${from}>`, MIXED)).toMatchObject({ state: "valid", codes: [] });
  });
});

it("an OpenPGP user id that is only an address (no name, no angle brackets) binds it", async () => {
  expect(await verdict("openpgp", `Bare <${BARE}>`, BARE)).toMatchObject({ state: "valid", codes: [] });
  expect(await verdict("openpgp", "other@example.org", BARE)).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
});

describe.each(PROTOS)("From and Sender tricks (%s): the Sender never stands in for the author", (proto) => {
  const other = (p: Proto) => (p === "smime" ? "carol@example.org" : "eve@example.org");

  it("From Alice, Sender the signer → mismatch / from-mismatch, the Sender shown", async () => {
    const v = await verdict(proto, ALICE_FROM, "other", `Sender: <${other(proto)}>\r\n`);
    expect(v).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
    expect(v.status.signature.sender).toBe(other(proto));
  });

  it("an empty From and the signer as Sender → mismatch / no-from (Thunderbird's S/MIME would fall back to the Sender; the issue asks for no-from)", async () => {
    const v = await verdict(proto, "", "other", `Sender: ${other(proto)}\r\n`);
    expect(v).toMatchObject({ state: "mismatch", codes: ["no-from"] });
  });
});

describe.each(PROTOS)("the same forms in signed protected headers (RFC 9788 hp=\"clear\", %s)", (proto) => {
  it.each([
    ["a quoted local part naming the signer", '"alice"@example.org', "valid", []],
    ["the real address after a comment holding another", "(Boss <boss@example.org>) alice@example.org", "mismatch", ["display-name-address"]],
    ["two angle-addrs, the last another address", "Alice <alice@example.org> <boss@example.org>", "mismatch", ["display-name-address"]],
    ["another address", "Boss <boss@example.org>", "mismatch", ["header-mismatch"]],
  ])("inner From %s → %s", async (_what, inner, state, codes) => {
    const part = crlf(`Content-Type: text/plain; charset=utf-8; hp="clear"\nFrom: ${inner}\nSubject: real\n\nSigned with protected headers.\n`);
    const body = proto === "smime" ? kit.smimeSigned(kit.pki.alice, part) : kit.pgpSigned("alice@example.org", part);
    const r = await inspectMessage(message(head(ALICE_FROM), body), { openers });
    expect([r.status.signature.state, r.status.signature.reasons.map((x) => x.code)]).toEqual([state, codes]);
  });
});

describe("UTF-8 addresses (RFC 6532), OpenPGP (an X.509 rfc822Name cannot hold one)", () => {
  it.each([
    ["as written in the key", `Jörg <${UTF8}>`, "valid", []],
    ["in upper case", "JÖRG@EXAMPLE.ORG", "valid", []],
    ["another UTF-8 local part", "Jorg <jorg@example.org>", "mismatch", ["from-mismatch"]],
  ])("From %s → %s", async (_what, from, state, codes) => {
    expect(await verdict("openpgp", from, UTF8)).toMatchObject({ state, codes });
  });
});
