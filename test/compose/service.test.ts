// The composer's decisions with a mocked messenger: defaults from the policy, the send gate
// for recipients without a key, domain rules, Thunderbird's own encryption, and that the
// experiment is armed with what was decided. Keys are real (OpenPGP, generated), the keystore
// is the add-on's own IndexedDB one (fake-indexeddb).
import "fake-indexeddb/auto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storageArea } from "./storage-area.js";
import { Keystore } from "../../src/core/keystore/keystore.js";
import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { utf8 } from "../../src/core/bytes.js";
import type { EncapsulateRequest } from "../../src/background/compose/encapsulate.js";

type Details = messenger.compose.ComposeDetails;
const calls: Array<[string, ...unknown[]]> = [];
const details = new Map<number, Details>();
let own = { encrypt: false, sign: false, technology: "OpenPGP" };


(globalThis as unknown as { messenger: unknown }).messenger = {
  storage: { session: storageArea(), local: storageArea() },
  i18n: { getMessage: (key: string, subs?: string[]) => (subs ? `${key}:${subs.join("|")}` : key) },
  runtime: { getURL: (p: string) => `moz-extension://test/${p}` },
  identities: { get: async () => ({ email: "alice@example.org" }), list: async () => [] },
  messages: { getRaw: async () => Promise.reject(new Error("none")) },
  windows: { create: async (o: unknown) => (calls.push(["windows.create", o]), { id: 1 }) },
  composeAction: { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined, setTitle: async () => undefined, setLabel: async () => undefined, setIcon: async () => undefined },
  compose: {
    getComposeDetails: async (tabId: number) => details.get(tabId)!,
    setComposeDetails: async (tabId: number, d: { selectedEncryptionTechnology?: { encryptBody: boolean; signMessage: boolean } }) => {
      calls.push(["setComposeDetails", tabId, d]);
      // As Thunderbird does: the composer's own toggles follow.
      const t = d.selectedEncryptionTechnology;
      if (t) own = { ...own, encrypt: t.encryptBody, sign: t.signMessage };
    },
  },
  composeControls: {
    show: async (tabId: number, c: unknown) => void calls.push(["controls.show", tabId, c]),
    release: async (tabId: number) => void calls.push(["controls.release", tabId]),
    onCommand: { addListener: () => undefined },
  },
  composeSecure: {
    configure: async (tabId: number, c: unknown) => void calls.push(["configure", tabId, c]),
    notify: async (tabId: number, text: string) => void calls.push(["notify", tabId, text]),
    ownCrypto: async () => own,
    sendNow: async (tabId: number) => void calls.push(["sendNow", tabId]),
    draftMessageId: async () => null,
  },
};

const { KeystoreService } = await import("../../src/background/keystore-service.js");
const { ComposeService } = await import("../../src/background/compose/service.js");
const { writePolicy } = await import("../../src/background/options/policy.js");

/** What the compose experiment hands over when Alice sends a signed, encrypted text message. */
function aliceSends(m: { id: number; recipients: string; headers: string; subject: string; body: string }): EncapsulateRequest {
  return {
    id: m.id,
    msgType: 0,
    isDraft: false,
    sign: true,
    encrypt: true,
    from: "alice@example.org",
    identityEmail: "alice@example.org",
    recipients: m.recipients,
    headers: m.headers,
    subject: m.subject,
    entity: utf8(`Content-Type: text/plain\r\n\r\n${m.body}\r\n`),
  };
}

let service: InstanceType<typeof ComposeService>;
let keystore: InstanceType<typeof KeystoreService>;
let tab = 100;

beforeAll(async () => {
  keystore = new KeystoreService();
  await keystore.create("compose unit test passphrase");
  const ring = await keystore.keyring();
  await ring.generatePgp({ name: "Alice", email: "alice@example.org" });
  const other = new Keyring(await Keystore.create(new MemoryBackend(), "x passphrase", { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } }));
  await other.generatePgp({ name: "Bob", email: "bob@example.org" });
  await ring.importPgp(utf8(String((await other.pgpContext()).publicKeys[0])));
  await writePolicy(ring.store, {
    defaults: { signByDefault: true, encryptWhenPossible: true, technology: "openpgp" },
    domains: [{ domain: "kanzlei.example", rule: "never-unencrypted" }],
  });
  service = new ComposeService(keystore);
}, 120_000);

beforeEach(() => {
  calls.length = 0;
  own = { encrypt: false, sign: false, technology: "OpenPGP" };
  tab++;
});

const configured = () => calls.filter((c) => c[0] === "configure").map((c) => c[2] as { active: boolean; sign: boolean; encrypt: boolean }).at(-1);

describe("defaults from the policy", () => {
  it("everybody has a key: sign and encrypt on, OpenPGP, the experiment armed", async () => {
    details.set(tab, { from: "Alice <alice@example.org>", to: ["Bob <bob@example.org>"] });
    const v = await service.refresh(tab);
    expect(v).toMatchObject({ sign: true, encrypt: true, effective: "openpgp", encryptReason: "all-have-keys", missing: [] });
    expect(v.recipients[0]).toMatchObject({ email: "bob@example.org", uses: "openpgp", pgp: { trusted: true } });
    expect(configured()).toMatchObject({ active: true, sign: true, encrypt: true });
  });

  it("a recipient without a key: Encrypt stays off by default, the send goes out signed", async () => {
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org", "carol@example.net"] });
    const v = await service.refresh(tab);
    expect(v).toMatchObject({ sign: true, encrypt: false, missing: ["carol@example.net"] });
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({});
    expect(configured()).toMatchObject({ active: true, sign: true, encrypt: false });
  });

  it("Thunderbird's own encryption on for a sender Sealbird has no key for: Sealbird stays out, says so, and leaves Thunderbird's controls", async () => {
    own = { encrypt: true, sign: false, technology: "OpenPGP" };
    details.set(tab, { from: "dave@example.com", to: ["bob@example.org"] });
    const v = await service.refresh(tab);
    expect(v).toMatchObject({ protects: false, sign: false, encrypt: false, encryptOff: "thunderbird-own", thunderbirdOwn: { encrypt: true } });
    expect(configured()).toMatchObject({ active: false });
    expect(calls).toContainEqual(["controls.release", tab]);
    expect(calls.some((c) => c[0] === "controls.show")).toBe(false);
  });

  it("Thunderbird's own Encrypt and Sign on when Sealbird takes over a composer it protects: handed over once (Thunderbird's off, Sealbird's on, saying why)", async () => {
    own = { encrypt: true, sign: true, technology: "OpenPGP" };
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org"] });
    const v = await service.refresh(tab);
    expect(calls).toContainEqual(["setComposeDetails", tab, { selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: false, signMessage: false } }]);
    expect(v).toMatchObject({ protects: true, encrypt: true, encryptReason: "thunderbird", sign: true, signReason: "thunderbird" });
    expect(v.thunderbirdOwn).toBeUndefined();
    const shown = calls.filter((c) => c[0] === "controls.show").at(-1)?.[2] as { encrypt: { checked: boolean; tooltip: string }; sign: { checked: boolean; tooltip: string } };
    expect(shown.encrypt).toMatchObject({ checked: true, label: "composeEncrypt" });
    expect(shown.encrypt.tooltip).toMatch(/^composeReasonThunderbird\ncomposeControlHint$/);
    expect(shown.sign).toMatchObject({ checked: true, tooltip: "composeSignThunderbird\ncomposeControlHint" });
    // Turned on again afterwards (not by Sealbird's hand-over): the conflict guard stays.
    own = { encrypt: true, sign: false, technology: "OpenPGP" };
    expect((await service.refresh(tab)).thunderbirdOwn).toMatchObject({ encrypt: true });
  });

  it("Sealbird's buttons say why: Encrypt off with a keyless recipient (naming them) or without recipients, Sign on by policy or off by the user", async () => {
    details.set(tab, { from: "alice@example.org", to: ["carol@example.net"] });
    const v = await service.refresh(tab);
    expect(v).toMatchObject({ protects: true, encrypt: false, encryptOff: "missing-keys", sign: true, signReason: "policy" });
    const shown = calls.filter((c) => c[0] === "controls.show").at(-1)?.[2] as { encrypt: { checked: boolean; tooltip: string } };
    expect(shown.encrypt).toMatchObject({ checked: false, tooltip: "composeOffMissing:carol@example.net\ncomposeControlHint" });
    details.set(tab, { from: "alice@example.org", to: [] });
    expect((await service.refresh(tab)).encryptOff).toBe("no-recipients");
    await service.handle({ type: "compose:set", tabId: tab, sign: false });
    expect((await service.refresh(tab)).signOff).toBe("user");
  });
});

describe("mailing lists", () => {
  it("an address book list (expanded only at send) or a list-looking address is flagged for the warning", async () => {
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org", { id: "ml1", type: "mailingList" }] });
    expect((await service.refresh(tab)).listEntries).toBe(true);
    details.set(tab, { from: "alice@example.org", to: ["Team <Team>"] });
    expect((await service.refresh(tab)).listEntries).toBe(true);
    details.set(tab, { from: "alice@example.org", to: ["announce@lists.example.org"] });
    const v = await service.refresh(tab);
    expect(v.listEntries).toBe(false);
    expect(v.recipients[0]!.list).toBe(true);
  });
});

describe("the send gate", () => {
  it("Encrypt on with a keyless recipient: cancelled, Sealbird's window opens, the notice names them", async () => {
    details.set(tab, { from: "alice@example.org", to: ["carol@example.net"] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true });
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({ cancel: true });
    expect(calls.some((c) => c[0] === "windows.create" && JSON.stringify(c[1]).includes(`compose-popup.html?tabId=${tab}`))).toBe(true);
    expect(calls.some((c) => c[0] === "notify" && String(c[2]).includes("carol@example.net"))).toBe(true);
    expect((await service.refresh(tab)).blocked).toBe(true);
  });

  it("'remove' takes the keyless recipients out of To/Cc/Bcc (keeping list entries) and sends", async () => {
    details.set(tab, { from: "alice@example.org", to: ["Bob <bob@example.org>", "Carol <carol@example.net>"], cc: ["dave@example.com"], bcc: [{ id: "ml", type: "mailingList" }] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true });
    expect(await service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "remove" })).toEqual({ sending: true });
    expect(calls).toContainEqual(["setComposeDetails", tab, { to: ["Bob <bob@example.org>"], cc: [], bcc: [{ id: "ml", type: "mailingList" }] }]);
    expect(calls.some((c) => c[0] === "sendNow" && c[1] === tab)).toBe(true);
  });

  it("'unencrypted' needs the confirmation; with it the next send is signed only", async () => {
    details.set(tab, { from: "alice@example.org", to: ["carol@example.net"] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true });
    await expect(service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "unencrypted" })).rejects.toMatchObject({ code: "usage" });
    expect(await service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "unencrypted", confirmed: true })).toEqual({ sending: true });
    expect(calls.some((c) => c[0] === "sendNow")).toBe(true);
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({});
    expect(configured()).toMatchObject({ active: true, sign: true, encrypt: false });
  });

  it("a never-unencrypted domain: no unencrypted choice, and Encrypt off is refused at send", async () => {
    details.set(tab, { from: "alice@example.org", to: ["anwalt@kanzlei.example"] });
    const v = await service.refresh(tab);
    expect(v.recipients[0]!.rule).toBe("never-unencrypted");
    expect(v.encrypt).toBe(true);
    expect(v.encryptReason).toBe("domain-rule");
    await expect(service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "unencrypted", confirmed: true })).rejects.toMatchObject({ code: "recipient-no-key" });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: false });
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({ cancel: true });
    expect(calls.some((c) => c[0] === "notify" && String(c[2]).startsWith("composeNeverUnencrypted"))).toBe(true);
  });

  it("a message password: the send goes out as OpenPGP with the password", async () => {
    details.set(tab, { from: "alice@example.org", to: ["carol@example.net"] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true, technology: "smime" });
    await expect(service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "password", password: "short" })).rejects.toMatchObject({ code: "usage" });
    await service.handle({ type: "compose:resolve-missing", tabId: tab, choice: "password", password: "long enough password" });
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({});
    const answer = await service.encapsulate(
      tab,
      aliceSends({ id: 1, recipients: "carol@example.net", headers: "To: carol@example.net\r\nFrom: alice@example.org\r\nSubject: [...]\r\n", subject: "Hi", body: "Hello" }),
    );
    expect(answer.ok).toBe(true);
    expect(new TextDecoder().decode((answer as { entity: Uint8Array }).entity)).toMatch(/^Content-Type: multipart\/encrypted;/);
  });

  it("both Thunderbird's own and Sealbird on: the send is held with the conflict notice", async () => {
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org"] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true, sign: true });
    own = { encrypt: true, sign: false, technology: "S/MIME" };
    expect(await service.beforeSend(tab, details.get(tab)!)).toEqual({ cancel: true });
    expect(calls.some((c) => c[0] === "notify" && c[2] === "composeConflict")).toBe(true);
  });

  it("turning Sealbird on switches Thunderbird's own encryption off for this message", async () => {
    own = { encrypt: true, sign: true, technology: "S/MIME" };
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org"] });
    await service.handle({ type: "compose:set", tabId: tab, encrypt: true });
    expect(calls).toContainEqual(["setComposeDetails", tab, { selectedEncryptionTechnology: { name: "S/MIME", encryptBody: false, signMessage: false } }]);
  });

  it("encapsulate without a decision (the background restarted mid-send) fails cleanly", async () => {
    details.set(tab, { from: "alice@example.org", to: ["bob@example.org"] });
    const a = await service.encapsulate(tab, aliceSends({ id: 2, recipients: "bob@example.org", headers: "Subject: [...]\r\n", subject: "x", body: "x" }));
    expect(a).toMatchObject({ ok: false });
    expect((a as { message: string }).message).toMatch(/^composeFailed /);
  });
});
