/** First run, unlock and policy as the user sees them (fake background, real strings). */
import { background, fail, resetBackground, sent } from "./browser-mock.js";
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Options from "../../ui/pages/Options.svelte";
import Unlock from "../../ui/pages/Unlock.svelte";
import { passphraseStrength } from "../../ui/components/util.js";

beforeEach(() => resetBackground());

describe("first run", () => {
  it("explains, checks strength and confirmation, creates, then guides through identities and a backup", async () => {
    let exists = false;
    let setup: Record<string, unknown> = { step: "passphrase" };
    background.set("options:state", () => ({ exists, unlocked: exists, autoLockMinutes: 15 }));
    background.set("options:setup-get", () => (exists ? setup : { step: "passphrase" }));
    background.set("options:setup-set", (r) => {
      setup = r["identity"] ? { step: r["step"], identity: r["identity"] } : { step: r["step"] };
      return setup;
    });
    background.set("options:list", () => ({ own: [], correspondents: [], anchors: [] }));
    background.set("options:identities", () => [{ email: "alice@example.org", name: "Alice" }]);
    background.set("options:thunderbird-certs", () => ({ available: false, roots: 0, own: [] }));
    background.set("options:policy-get", () => ({ defaults: { signByDefault: true, encryptWhenPossible: true, technology: "smime" }, identities: {}, domains: [] }));
    background.set("options:create", () => {
      exists = true;
      setup = { step: "identities" };
      return { exists, unlocked: true, autoLockMinutes: 15 };
    });
    render(Options);
    await screen.findByRole("heading", { name: "Set up your keystore" });
    expect(screen.getByText(/protects the private keys that Sealbird keeps on this computer\. Nobody can recover it/)).toBeTruthy();
    const create = screen.getByRole("button", { name: "Create keystore" }) as HTMLButtonElement;
    const pass = screen.getByLabelText("New passphrase");
    const again = screen.getByLabelText("Repeat the passphrase");
    await fireEvent.input(pass, { target: { value: "kurz" } });
    expect(screen.getByText("Strength: very weak")).toBeTruthy();
    expect(create.disabled).toBe(true);
    await fireEvent.input(pass, { target: { value: "Sieben Zwerge hinter den Bergen 7" } });
    expect(screen.getByText("Strength: strong")).toBeTruthy();
    await fireEvent.input(again, { target: { value: "Sieben Zwerge" } });
    expect(screen.getByText("The two entries differ.")).toBeTruthy();
    expect(again.getAttribute("aria-invalid")).toBe("true");
    expect(create.disabled).toBe(true);
    await fireEvent.input(again, { target: { value: "Sieben Zwerge hinter den Bergen 7" } });
    expect(create.disabled).toBe(false);
    await fireEvent.click(create);
    await screen.findByText("Your keystore is ready and unlocked.");
    expect(sent.find((r) => r["type"] === "options:create")).toEqual({ type: "options:create", passphrase: "Sieben Zwerge hinter den Bergen 7" });
    // Each identity: import, create or skip; the step is stored so that the setup can be resumed.
    const step = await screen.findByRole("heading", { name: "Keys for Alice <alice@example.org>" });
    await waitFor(() => expect(document.activeElement).toBe(step));
    expect(setup).toEqual({ step: "identities", identity: "alice@example.org" });
    expect(screen.getByRole("button", { name: "Import my S/MIME certificate…" }).getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(screen.getByRole("button", { name: "Create an OpenPGP key…" }));
    expect(screen.getByRole("form", { name: "Create an OpenPGP key" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Skip this address" }));
    // Then the backup, with the reason.
    await screen.findByRole("heading", { name: "Save a backup now" });
    expect(setup).toEqual({ step: "backup" });
    expect(screen.getByText(/a backup is the only way to read your encrypted mail again/)).toBeTruthy();
    expect(screen.getByRole("form", { name: "Save an encrypted backup" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Skip for now" }));
    // Then what the two buttons mean, and on to the settings.
    await screen.findByRole("heading", { name: "Sealbird is ready" });
    expect(screen.getByText(/The Sealbird button says whether the message is signed and encrypted/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Open the settings" }));
    await screen.findByRole("region", { name: "Keystore" });
    expect(setup).toEqual({ step: "finished" });
  });

  it("resumes at the stored step, after unlocking if the keystore is locked", async () => {
    let unlocked = false;
    background.set("options:state", () => ({ exists: true, unlocked, autoLockMinutes: 15 }));
    background.set("options:setup-get", () => ({ step: "backup" }));
    background.set("options:list", () => ({ own: [], correspondents: [], anchors: [] }));
    background.set("options:identities", () => []);
    background.set("options:thunderbird-certs", () => ({ available: false, roots: 0, own: [] }));
    background.set("keystore:unlock", () => {
      unlocked = true;
      return { exists: true, unlocked };
    });
    render(Options);
    await screen.findByText("Unlock the keystore to continue the setup where you left it.");
    await fireEvent.input(screen.getByLabelText("Keystore passphrase"), { target: { value: "x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    await screen.findByRole("heading", { name: "Save a backup now" });
  });

  it("strength estimate", () => {
    expect(passphraseStrength("")).toBe(0);
    expect(passphraseStrength("password123")).toBeLessThan(2);
    expect(passphraseStrength("aaaaaaaaaaaaaaaa")).toBeLessThan(2);
    expect(passphraseStrength("correct horse battery staple")).toBeGreaterThanOrEqual(3);
  });
});

describe("unlock", () => {
  it("the unlock popup shows a wrong passphrase and closes after success", async () => {
    let closed = false;
    window.close = () => {
      closed = true;
    };
    background.set("keystore:unlock", (r) => (r["passphrase"] === "richtig richtig" ? { exists: true, unlocked: true } : fail("keystore-wrong-passphrase")));
    render(Unlock);
    const field = screen.getByLabelText("Keystore passphrase");
    await fireEvent.input(field, { target: { value: "falsch" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The passphrase is wrong.");
    await fireEvent.input(field, { target: { value: "richtig richtig" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(closed).toBe(true));
  });

  it("the options page asks to unlock a locked keystore", async () => {
    let unlocked = false;
    background.set("options:state", () => ({ exists: true, unlocked, autoLockMinutes: 5 }));
    background.set("options:setup-get", () => ({ step: "finished" }));
    background.set("options:list", () => ({ own: [], correspondents: [], anchors: [] }));
    background.set("options:identities", () => []);
    background.set("options:thunderbird-certs", () => ({ available: false, roots: 0, own: [] }));
    background.set("options:policy-get", () => ({ defaults: { signByDefault: true, encryptWhenPossible: true, technology: "smime" }, identities: {}, domains: [] }));
    background.set("keystore:unlock", () => {
      unlocked = true;
      return { exists: true, unlocked };
    });
    render(Options);
    await screen.findByRole("heading", { name: "The keystore is locked" });
    await fireEvent.input(screen.getByLabelText("Keystore passphrase"), { target: { value: "x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    const ks = await screen.findByRole("region", { name: "Keystore" });
    expect((within(ks).getByLabelText("Lock automatically") as HTMLSelectElement).value).toBe("5");
  });
});

describe("policy", () => {
  it("saves per-identity defaults and domain rules", async () => {
    background.set("options:state", () => ({ exists: true, unlocked: true, autoLockMinutes: 15 }));
    background.set("options:setup-get", () => ({ step: "finished" }));
    background.set("options:list", () => ({ own: [], correspondents: [], anchors: [] }));
    background.set("options:identities", () => [{ email: "anna@kanzlei.de", name: "Anna" }]);
    background.set("options:thunderbird-certs", () => ({ available: false, roots: 0, own: [] }));
    background.set("options:policy-get", () => ({ defaults: { signByDefault: true, encryptWhenPossible: true, technology: "smime" }, identities: {}, domains: [] }));
    background.set("options:policy-set", (r) => r["policy"]);
    render(Options);
    const region = await screen.findByRole("region", { name: "Sending policy" });
    const anna = await within(region).findByRole("group", { name: "Anna <anna@kanzlei.de>" });
    await fireEvent.click(within(anna).getByLabelText("Sign by default"));
    await fireEvent.change(within(anna).getByLabelText("Preferred technology"), { target: { value: "openpgp" } });
    await fireEvent.input(within(region).getByLabelText("Domain"), { target: { value: "@Mandant.DE" } });
    await fireEvent.change(within(region).getByLabelText("Rule"), { target: { value: "never-unencrypted" } });
    await fireEvent.click(within(region).getByRole("button", { name: "Add rule" }));
    expect(within(region).getByText("@mandant.de: never send unencrypted")).toBeTruthy();
    await fireEvent.input(within(region).getByLabelText("Domain"), { target: { value: "kein domain" } });
    await fireEvent.click(within(region).getByRole("button", { name: "Add rule" }));
    expect(within(region).getByRole("alert").textContent).toBe("Please enter a domain such as example.com.");
    await fireEvent.click(within(region).getByRole("button", { name: "Save policy" }));
    await within(region).findByText("The policy has been saved.");
    expect(sent.find((r) => r["type"] === "options:policy-set")!["policy"]).toEqual({
      defaults: { signByDefault: true, encryptWhenPossible: true, technology: "smime" },
      identities: { "anna@kanzlei.de": { signByDefault: false, encryptWhenPossible: true, technology: "openpgp" } },
      domains: [{ domain: "mandant.de", rule: "never-unencrypted" }],
    });
  });
});
