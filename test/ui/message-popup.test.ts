/**
 * The message details popup says each verdict's reason in words, in English and German: the
 * sender-binding, layer-policy and date reasons, which step of a decryption failed, signatures
 * that do not count, layers not opened, repairs, and a header section over the limit.
 */
import { background, resetBackground, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it } from "vitest";
import { render, waitFor } from "@testing-library/svelte";
import MessagePopup from "../../ui/pages/MessagePopup.svelte";
import { plainStatus, type MessageStatus, type SignatureStatus } from "../../src/core/status/message-status.js";
import { REPAIR_CODES, SIGNATURE_REASON_CODES } from "../../src/core/status/reasons.js";

beforeEach(() => {
  resetBackground();
  window.history.replaceState({}, "", "/message-popup.html?tabId=7");
});

function signature(over: Partial<SignatureStatus>): SignatureStatus {
  return {
    state: "mismatch",
    protocol: "smime",
    signer: { emails: ["alice@example.org"], email: "alice@example.org", name: "Alice" },
    from: "alice@example.org",
    signingTime: "2026-12-01T10:00:00.000Z",
    reasons: [],
    ...over,
  };
}

async function show(status: MessageStatus, lang: "en" | "de" = "en"): Promise<HTMLElement> {
  useLocale(lang);
  background.set("display:summary", () => ({ kind: "status", status }));
  const { container } = render(MessagePopup);
  await waitFor(() => expect(container.querySelector("main")?.dataset["state"]).toBe("ready"));
  return container;
}

const text = (c: HTMLElement, sel: string) => c.querySelector(sel)?.textContent?.trim() ?? "";

describe("reasons in words", () => {
  it.each([
    ["no-from", /does not name one author/, /keinen eindeutigen Verfasser/],
    ["multiple-from", /more than one author/, /mehr als einen Verfasser/],
    ["display-name-address", /display name shows an e-mail address that is not the real sender address/, /Anzeigename des Absenders zeigt eine E-Mail-Adresse/],
    ["from-mismatch", /not for the sender's address/, /gehört nicht zur Absenderadresse/],
    ["header-mismatch", /protected \(signed or encrypted\) headers differs/, /geschützten .* Kopfzeilen weicht/],
    ["signature-over-signature", /covers another signature layer/, /umschließt eine weitere Signatur/],
    ["date-mismatch", /differ by more than one hour/, /mehr als eine Stunde auseinander/],
  ])("%s", async (code, en, de) => {
    const status = { ...plainStatus(), protocol: "smime" as const, signature: signature({ reasons: [{ code, message: "engine detail" }] }) };
    let c = await show(status, "en");
    expect(text(c, `[data-reason="${code}"]`)).toMatch(en);
    expect(c.querySelector(`[data-reason="${code}"]`)?.getAttribute("title")).toBe("engine detail");
    document.body.innerHTML = "";
    c = await show(status, "de");
    expect(text(c, `[data-reason="${code}"]`)).toMatch(de);
  });

  it("every reason and repair code has words in both languages (no English engine text as fallback)", async () => {
    for (const lang of ["en", "de"] as const) {
      const status: MessageStatus = {
        ...plainStatus(),
        protocol: "openpgp",
        signature: signature({ reasons: SIGNATURE_REASON_CODES.map((code) => ({ code, message: "ENGINE-TEXT" })) }),
        repairs: REPAIR_CODES.map((code) => ({ code, message: "ENGINE-TEXT" })),
      };
      const c = await show(status, lang);
      for (const code of SIGNATURE_REASON_CODES) expect(text(c, `[data-reason="${code}"]`), code).not.toContain("ENGINE-TEXT");
      for (const code of REPAIR_CODES) expect(text(c, `[data-repair="${code}"]`), code).not.toMatch(/ENGINE-TEXT|^$/);
      document.body.innerHTML = "";
    }
  });
});

describe("details the new rules add", () => {
  it("Sender, message date and signing time are shown", async () => {
    const c = await show({ ...plainStatus(), protocol: "smime", signature: signature({ state: "valid", sender: "assistant@example.org", messageDate: "2026-12-01T12:30:00.000Z" }) });
    expect(text(c, '[data-field="sender"]')).toBe("assistant@example.org");
    expect(text(c, '[data-field="sender-note"]')).toMatch(/Sender field names someone other than the author/);
    expect(text(c, '[data-field="message-date"]')).toBe(new Date("2026-12-01T12:30:00.000Z").toLocaleString());
    expect(text(c, '[data-field="signing-time"]')).toBe(new Date("2026-12-01T10:00:00.000Z").toLocaleString());
  });

  it.each([
    ["recipient", /None of your keys is among the recipients/, /Keiner Ihrer Schlüssel/],
    ["key", /the message key could not be recovered/, /Nachrichtenschlüssel ließ sich damit nicht gewinnen/],
    ["content", /content could not be decrypted/, /Inhalt ließ sich nicht entschlüsseln/],
  ] as const)("the failed decryption step %s, with the recipients", async (step, en, de) => {
    const status: MessageStatus = {
      ...plainStatus(),
      protocol: "smime",
      encryption: { state: "failed", protocol: "smime", code: step === "recipient" ? "no-key" : "decrypt-failed", message: "x", recipients: ["issuer CN=CA, serial 1002"], step },
    };
    let c = await show(status, "en");
    expect(text(c, '[data-field="decrypt-step"]')).toMatch(en);
    expect(c.textContent).toContain("issuer CN=CA, serial 1002");
    document.body.innerHTML = "";
    c = await show(status, "de");
    expect(text(c, '[data-field="decrypt-step"]')).toMatch(de);
  });

  it("an uncredited signature over ciphertext, an inner layer not opened, repairs, a header section over the limit", async () => {
    const status: MessageStatus = {
      ...plainStatus(),
      protocol: "openpgp",
      encryption: { state: "decrypted", protocol: "openpgp", algorithm: "AES-256 (SEIPDv1)", recipients: [] },
      uncredited: [{ code: "signs-ciphertext", note: "n", signature: signature({ state: "invalid", signer: { emails: ["eve@example.org"], email: "eve@example.org" } }) }],
      nested: [{ path: "", protocol: "smime", kind: "encrypted", where: "layer", note: "n" }],
      repairs: [{ code: "exchange-pgp-mime", message: "m" }],
      errors: [{ code: "input-too-large", message: "m" }],
    };
    const c = await show(status, "de");
    expect(text(c, '[data-uncredited="signs-ciphertext"]')).toMatch(/Signatur von eve@example\.org umfasst nur die verschlüsselten Daten/);
    expect(text(c, '[data-layer-not-opened="encrypted"]')).toMatch(/noch einmal verschlüsselt/);
    expect(text(c, '[data-repair="exchange-pgp-mime"]')).toMatch(/Microsoft Exchange/);
    expect(text(c, '[data-field="header-too-large"]')).toMatch(/Kopfbereich der Nachricht ist größer/);
    // The inner layer is not listed again as a "part" with an empty path.
    expect(c.textContent).not.toContain("Teile mit eigenem Schutz");
  });
});
