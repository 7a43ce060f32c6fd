/**
 * The display service's result cache (src/background/display-service.ts): bounded in bytes of
 * decrypted content, not only in count, and emptied of everything decrypted by the lock.
 * Real mail (openssl cms -encrypt) and the real S/MIME engine; only Thunderbird's API is a
 * stand-in (messages.getRaw, the button, displayed messages).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { DisplayService, MAX_CACHED_BYTES, type KeyMaterialSource } from "../../src/background/display-service.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { makePki, type TestPki } from "../smime/pki.js";

let pki: TestPki;
const raws = new Map<number, Uint8Array>();
let getRawCalls = 0;

function stubThunderbird(): void {
  const noop = async (): Promise<void> => undefined;
  vi.stubGlobal("messenger", {
    messages: {
      getRaw: async (id: number) => {
        getRawCalls++;
        return new Blob([raws.get(id)! as BlobPart]);
      },
    },
    messageDisplay: { getDisplayedMessages: async () => ({ messages: [] }) },
    messageDisplayAction: { setIcon: noop, setTitle: noop, setBadgeText: noop, setBadgeBackgroundColor: noop },
    i18n: { getMessage: (k: string) => k },
  });
}

/** An S/MIME message for alice (openssl), its text `bytes` long. */
function encryptedMessage(id: number, bytes: number): void {
  const text = randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64").replace(/.{76}/g, "$&\r\n");
  writeFileSync(join(pki.dir, `inner-${id}.eml`), `Content-Type: text/plain; charset=us-ascii\r\n\r\nTOKEN-${id}\r\n${text}\r\n`);
  pki.openssl(["cms", "-encrypt", "-binary", "-aes256", "-in", `inner-${id}.eml`, "-out", `enc-${id}.eml`, "-outform", "SMIME", pki.alice.certPath]);
  const smime = readFileSync(join(pki.dir, `enc-${id}.eml`), "latin1").replace(/\r?\n/g, "\r\n");
  raws.set(id, new Uint8Array(Buffer.from(`From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: ${id}\r\n${smime}`, "latin1")));
}

function service(): DisplayService {
  const ctx = { identities: [{ privateKeyPkcs8: pki.alice.privateKeyPkcs8, certificate: pki.alice.certificate, chain: [pki.intermediate.certificate] }], trustAnchors: [pki.root.certificate], knownCertificates: [] };
  const keys: KeyMaterialSource = {
    lockState: async () => "unlocked",
    openers: async () => [smimeOpener(ctx)],
    remember: async () => [],
    acceptKey: async () => undefined,
  };
  const purify = createDOMPurify(new JSDOM("").window as unknown as Window & typeof globalThis);
  return new DisplayService(keys, purify, {
    thunderbirdDecrypted: async () => false,
    claim: async () => true,
    ownView: async () => ({ smimeSignature: "none", smimeEncryption: "none", openpgpSignature: "none", openpgpEncryption: "none" }),
    setListSubject: async () => undefined,
    listSubjectAllowed: async () => false,
  });
}

/** Shows message `id` in tab 1 and returns the text the pane would get. */
async function show(ds: DisplayService, id: number): Promise<string> {
  ds.onMessagesDisplayed({ id: 1 } as messenger.tabs.Tab, { messages: [{ id }] } as unknown as messenger.messages.MessageList);
  const view = await ds.viewForTab(1);
  if (view.kind !== "render") throw new Error(`view ${view.kind}`);
  await new Promise((r) => setTimeout(r, 0)); // the size is booked when the result settles
  return view.model.blocks.map((b) => (b.kind === "text" ? b.text : b.html)).join("");
}

describe("display cache", () => {
  beforeAll(async () => {
    stubThunderbird();
    pki = await makePki();
    for (let id = 1; id <= 4; id++) encryptedMessage(id, 6 * 1024 * 1024);
    encryptedMessage(5, 40 * 1024 * 1024);
    encryptedMessage(6, 1000);
  }, 120_000);

  it("keeps decrypted results up to MAX_CACHED_BYTES, dropping the least recently shown first", async () => {
    const ds = service();
    for (const id of [1, 2, 3, 4]) expect(await show(ds, id)).toContain(`TOKEN-${id}`);
    // 4 × (6 MB entity + 12 MB of UTF-16 text) > 32 MiB: only the newest fit.
    expect(ds.cachedBytes()).toBeLessThanOrEqual(MAX_CACHED_BYTES);
    expect(ds.cachedBytes()).toBeGreaterThan(0);
    getRawCalls = 0;
    expect(await show(ds, 4)).toContain("TOKEN-4"); // cached: not fetched again
    expect(getRawCalls).toBe(0);
    expect(await show(ds, 1)).toContain("TOKEN-1"); // dropped: decrypted again
    expect(getRawCalls).toBe(1);
  }, 120_000);

  it("keeps a result larger than the whole budget while it is the one shown, and only that one", async () => {
    const ds = service();
    await show(ds, 6);
    expect(await show(ds, 5)).toContain("TOKEN-5");
    expect(ds.cachedBytes()).toBeGreaterThan(MAX_CACHED_BYTES);
    getRawCalls = 0;
    await show(ds, 5);
    expect(getRawCalls).toBe(0);
    await show(ds, 6); // the small one again: the large one goes
    expect(ds.cachedBytes()).toBeLessThan(1024 * 1024);
  }, 120_000);

  it("the lock drops every decrypted result", async () => {
    const ds = service();
    await show(ds, 6);
    await show(ds, 1);
    expect(ds.cachedBytes()).toBeGreaterThan(0);
    await ds.forgetDecrypted();
    expect(ds.cachedBytes()).toBe(0);
    getRawCalls = 0;
    await show(ds, 6);
    expect(getRawCalls).toBe(1);
  }, 120_000);
});
