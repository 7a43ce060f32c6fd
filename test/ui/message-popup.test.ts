/**
 * The message details popup says each verdict's reason in words, in English and German: the
 * sender-binding, layer-policy and date reasons, which step of a decryption failed, signatures
 * that do not count, layers not opened, repairs, and a header section over the limit.
 */
import { background, resetBackground, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it, vi } from "vitest";
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

describe("the verdict first, the technical details on demand", () => {
  const valid = (): MessageStatus => ({
    ...plainStatus(),
    protocol: "smime",
    covers: { signature: "message", encryption: "message" },
    encryption: { state: "decrypted", protocol: "smime", algorithm: "AES-256-CBC", decryptedWith: "ab".repeat(32), recipients: ["issuer CN=Root, serial 1001"] },
    signature: signature({
      state: "valid",
      signer: { emails: ["alice@example.org"], email: "alice@example.org", name: "Alice", organization: "Example Corp", fingerprint: "0123456789abcdef".repeat(4) },
      signatureAlgorithm: "RSA",
      digestAlgorithm: "SHA-256",
    }),
  });

  it("headline per layer (padlock, envelope) in words with a glyph, signer with organisation, why in one sentence; details collapsed", async () => {
    const c = await show(valid());
    const lines = [...c.querySelectorAll(".headline [data-layer]")].map((e) => [e.getAttribute("data-layer"), e.getAttribute("data-tone"), e.textContent?.trim()]);
    expect(lines).toEqual([
      ["encryption", "ok", "Encrypted — decrypted by Sealbird"],
      ["signature", "ok", "Valid signature"],
    ]);
    expect(c.querySelectorAll(".headline [data-layer] svg").length).toBe(4);
    expect(text(c, '[data-field="signer-name"]')).toBe("Alice");
    expect(text(c, '[data-field="signer-email"]')).toBe("alice@example.org");
    expect(text(c, '[data-field="signer-organization"]')).toBe("Example Corp");
    expect(text(c, '[data-field="why-valid"]')).toMatch(/certificate authority you trust, belongs to the sender alice@example\.org\./);
    // The verdict is a live region, the technical details a closed disclosure.
    expect(c.querySelector('[data-section="verdict"]')?.getAttribute("aria-live")).toBe("polite");
    const details = c.querySelector<HTMLDetailsElement>('details[data-section="technical"]')!;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent?.trim()).toBe("Technical details");
    expect(text(c, '[data-section="signer"] h2')).toBe("Signed by");
    // Fingerprints in blocks of four with a Copy button each (signer, decrypting key).
    expect(text(details, '[data-field="fingerprint"] code')).toBe("0123 4567 89AB CDEF ".repeat(4).trim());
    expect(details.querySelectorAll('[data-field="fingerprint"] button, [data-field="decrypted-with"] button').length).toBe(2);
    expect(text(details, '[data-field="recipients"]')).toBe("issuer CN=Root, serial 1001");
  });

  it("the why sentence is the reason that accounts for the state, not a lesser one listed first", async () => {
    const c = await show({
      ...plainStatus(),
      protocol: "smime",
      signature: signature({
        state: "mismatch",
        reasons: [
          { code: "weak-digest", message: "w" },
          { code: "from-mismatch", message: "m" },
        ],
      }),
    });
    expect(text(c, ".headline [data-layer=signature]")).toBe("Signed, but not by the sender shown in From");
    expect(text(c, '[data-field="reason-from-mismatch"]')).toMatch(/not for the sender's address/);
    expect(c.querySelectorAll("[data-reason]").length).toBe(2);
    // Not valid: the card only says whom the signature names, not who signed.
    expect(text(c, '[data-section="signer"] h2')).toBe("The signature names as its signer");
  });

  it.each([
    ["plain", plainStatus(), "why-plain", /neither signed nor encrypted/, /weder signiert noch verschlüsselt/],
    [
      "encrypted only",
      { ...plainStatus(), protocol: "openpgp", encryption: { state: "decrypted", protocol: "openpgp", algorithm: "AES-256", recipients: [] } },
      "why-encrypted-only",
      /encryption alone does not show who wrote/,
      /Verschlüsselung allein zeigt nicht/,
    ],
  ] as const)("%s: the sentence says what it does not prove", async (_n, status, field, en, de) => {
    let c = await show(status as MessageStatus, "en");
    expect(text(c, `[data-field="${field}"]`)).toMatch(en);
    document.body.innerHTML = "";
    c = await show(status as MessageStatus, "de");
    expect(text(c, `[data-field="${field}"]`)).toMatch(de);
  });

  it("Escape closes the popup", async () => {
    const close = vi.spyOn(window, "close").mockImplementation(() => {});
    await show(valid());
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(close).toHaveBeenCalledTimes(1);
    close.mockRestore();
  });

  it("accepting a pending key changes the verdict inside the live region", async () => {
    useLocale("en");
    const before: MessageStatus = { ...plainStatus(), protocol: "openpgp", signature: signature({ state: "untrusted", protocol: "openpgp", reasons: [{ code: "unknown-signer", message: "u" }] }) };
    const after: MessageStatus = { ...plainStatus(), protocol: "openpgp", signature: signature({ state: "valid", protocol: "openpgp" }) };
    background.set("display:summary", () => ({ kind: "status", status: before, pendingKeys: [{ id: "k1", fingerprint: "ff".repeat(20), emails: ["alice@example.org"] }] }));
    background.set("display:accept-key", () => ({ kind: "status", status: after }));
    const { container: c } = render(MessagePopup);
    await waitFor(() => expect(c.querySelector('[data-action="accept-key"]')).not.toBeNull());
    expect(text(c, '[data-field="pending-fingerprint"] code')).toBe("FFFF ".repeat(10).trim());
    c.querySelector<HTMLButtonElement>('[data-action="accept-key"]')!.click();
    await waitFor(() => expect(text(c, '[data-section="verdict"] [data-layer=signature]')).toBe("Valid signature"));
    expect(text(c, '[data-section="verdict"] [data-field="why-valid"]')).toMatch(/key is one you accepted for the sender alice@example\.org/);
  });
});

describe("Thunderbird's integration in the new layout", () => {
  it("Save decrypted copy stays outside the technical details; Thunderbird's own view is inside them", async () => {
    useLocale("en");
    const status: MessageStatus = { ...plainStatus(), protocol: "smime", encryption: { state: "decrypted", protocol: "smime", algorithm: "AES-256-CBC", recipients: [] } };
    background.set("display:summary", () => ({ kind: "render", status, canSaveCopy: true, thunderbird: { smimeSignature: "none", smimeEncryption: "none", openpgpSignature: "none", openpgpEncryption: "skipped" } }));
    background.set("display:save-copy", () => ({ saved: true, filename: "/tmp/x.eml" }));
    const { container: c } = render(MessagePopup);
    await waitFor(() => expect(c.querySelector('[data-action="save-copy"]')).not.toBeNull());
    expect(c.querySelector('[data-action="save-copy"]')?.closest("details")).toBeNull();
    expect(c.querySelector('[data-section="thunderbird"]')?.closest("details[data-section=technical]")).not.toBeNull();
    c.querySelector<HTMLButtonElement>('[data-action="save-copy"]')!.click();
    await waitFor(() => expect(text(c, '[data-field="saved"]')).toMatch(/^Saved: /));
  });
});
