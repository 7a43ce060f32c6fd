/**
 * The compose popup: the encrypt/sign state and why on top (a live region), per recipient a
 * line with the key status and what Sealbird will do, the keyless-recipient choice, Escape.
 */
import { background, resetBackground, sent, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, waitFor } from "@testing-library/svelte";
import ComposePopup from "../../ui/pages/ComposePopup.svelte";
import type { ComposeView } from "../../src/background/compose/types.js";

beforeEach(() => {
  resetBackground();
  window.history.replaceState({}, "", "/compose-popup.html?tabId=3");
});

function view(over: Partial<ComposeView> = {}): ComposeView {
  return {
    tabId: 3,
    from: "alice@example.org",
    sign: true,
    encrypt: true,
    technology: "auto",
    effective: "smime",
    encryptReason: "user",
    recipients: [
      { email: "bob@example.org", uses: "smime", smime: { fingerprint: "ab".repeat(32), label: "CN=Bob", trusted: true } },
      { email: "carol@example.org", smime: { fingerprint: "cd".repeat(32), label: "CN=Carol", trusted: false, unusable: "revoked" } },
    ],
    missing: ["carol@example.org"],
    canSign: true,
    replyToEncrypted: false,
    keystore: { exists: true, unlocked: true },
    blocked: false,
    listEntries: false,
    holdsDecrypted: false,
    protects: true,
    inCharge: true,
    ...over,
  };
}

async function show(v: ComposeView, lang: "en" | "de" = "en"): Promise<HTMLElement> {
  useLocale(lang);
  background.set("compose:get-view", () => v);
  const { container } = render(ComposePopup);
  await waitFor(() => expect(container.querySelector('[data-section="state"]')).not.toBeNull());
  return container;
}
const text = (c: Element, sel: string) => c.querySelector(sel)?.textContent?.replace(/\s+/g, " ").trim() ?? "";

describe("compose popup", () => {
  it("states on top with why; per recipient the key status and what Sealbird will do; the keyless choice", async () => {
    const c = await show(view());
    const state = c.querySelector('[data-section="state"]')!;
    expect(state.getAttribute("aria-live")).toBe("polite");
    expect(text(state, '[data-state-of="encrypt"]')).toBe("Encrypted with S/MIME Not sent yet: no key for carol@example.org. Choose below what happens for them.");
    // A recipient without a key holds the send: the encryption line says so by its glyph and words.
    expect(state.querySelector('[data-state-of="encrypt"]')?.getAttribute("data-tone")).toBe("bad");
    expect(text(state, '[data-state-of="sign"]')).toBe("Signed as alice@example.org with S/MIME You turned Sign on.");
    expect(c.querySelector('[data-testid="encrypt"]')?.getAttribute("aria-describedby")).toBe("why-encrypt");
    expect(c.querySelector("#why-encrypt")?.textContent).toMatch(/^Not sent yet/);

    expect(text(c, 'li[data-email="bob@example.org"] [data-field="key-status"]')).toBe("bob@example.org S/MIME: CN=Bob abababababababab trusted");
    expect(text(c, 'li[data-email="bob@example.org"] [data-field="will-do"]')).toBe("Sealbird encrypts the message for them with S/MIME.");
    expect(text(c, 'li[data-email="carol@example.org"] [data-field="key-status"]')).toBe("carol@example.org no key S/MIME: revoked — never used to encrypt");
    expect(text(c, 'li[data-email="carol@example.org"] [data-field="will-do"]')).toBe("No key: sending waits until you choose below what happens for them.");
    expect(c.querySelector('li[data-email="carol@example.org"]')?.getAttribute("data-tone")).toBe("bad");

    background.set("compose:resolve-missing", () => ({ sending: true }));
    c.querySelector<HTMLButtonElement>('[data-testid="remove"]')!.click();
    await waitFor(() => expect(sent.some((r) => r["type"] === "compose:resolve-missing" && r["choice"] === "remove")).toBe(true));
  });

  it("Encrypt off, a chosen password, signing without a key — in German", async () => {
    let c = await show(view({ encrypt: false, sign: true, canSign: false, missing: [] }), "de");
    expect(text(c, '[data-state-of="encrypt"]')).toBe("Nicht verschlüsselt Sie haben Verschlüsseln ausgeschaltet.");
    expect(c.querySelector('[data-state-of="sign"]')?.getAttribute("data-tone")).toBe("bad");
    expect(text(c, 'li[data-email="bob@example.org"] [data-field="will-do"]')).toBe("Sie erhalten die Nachricht unverschlüsselt: Verschlüsseln ist aus.");
    expect(c.querySelector('[data-testid="missing"]')).toBeNull();
    document.body.innerHTML = "";
    c = await show(view({ keyless: "password" }), "de");
    expect(text(c, 'li[data-email="carol@example.org"] [data-field="will-do"]')).toBe("Kein Schlüssel: Sie erhalten eine passwortgeschützte OpenPGP-Nachricht.");
    expect(c.querySelector('[data-state-of="encrypt"]')?.getAttribute("data-tone")).toBe("ok");
    expect(text(c, "#why-encrypt")).toBe("Sie haben Verschlüsseln eingeschaltet.");
  });

  it("Escape closes the popup", async () => {
    const close = vi.spyOn(window, "close").mockImplementation(() => {});
    await show(view());
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(close).toHaveBeenCalledTimes(1);
    close.mockRestore();
  });
});

describe("the leak guard in the new layout", () => {
  it("comes first, its safe answer focused; sending needs the box ticked", async () => {
    const c = await show(view({ leak: { fresh: ["attacker@evil.example"], unencrypted: false } }));
    const first = c.querySelector("main > section, main > [data-section]");
    expect(first?.getAttribute("data-section")).toBe("leak");
    expect(document.activeElement?.getAttribute("data-action")).toBe("leak-keep");
    expect(c.querySelector<HTMLButtonElement>('[data-action="leak-send"]')!.disabled).toBe(true);
    expect(text(c, '[data-field="leak-addresses"]')).toBe("attacker@evil.example");
  });
});
