/**
 * The shared page components as a user meets them (real strings, keyboard where it matters):
 * fingerprint blocks and Copy, validity in words, the file button, forms on demand with
 * Escape, and a destructive action confirmed in words.
 */
import { chooseFile, resetBackground, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createRawSnippet } from "svelte";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import Fingerprint from "../../ui/components/common/Fingerprint.svelte";
import Validity from "../../ui/components/common/Validity.svelte";
import FilePicker from "../../ui/components/common/FilePicker.svelte";
import OnDemand from "../../ui/components/common/OnDemand.svelte";
import ConfirmAction from "../../ui/components/common/ConfirmAction.svelte";

beforeEach(() => resetBackground());

describe("Fingerprint", () => {
  it("shows blocks of four in upper case and copies the whole fingerprint, saying so", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(Fingerprint, { hex: "0ea5d31cd9ad2d161108c6b0d5d2bfbc" });
    expect(screen.getByText("0EA5 D31C D9AD 2D16 1108 C6B0 D5D2 BFBC")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Copy fingerprint" }));
    expect(writeText).toHaveBeenCalledWith("0EA5D31CD9AD2D161108C6B0D5D2BFBC");
    expect((await screen.findByRole("status")).textContent).toBe("The fingerprint has been copied.");
  });
});

describe("Validity", () => {
  it("says the state in words next to its icon, with the date", () => {
    const { container } = render(Validity, { validity: "expired", notAfter: "2024-03-31T00:00:00.000Z" });
    expect(container.textContent?.replace(/\s+/g, " ").trim()).toBe("expired — until 03/31/2024");
    expect(container.querySelector("svg")?.getAttribute("aria-hidden")).toBe("true");
  });
  it("a key without an end says it does not expire (German)", () => {
    useLocale("de");
    const { container } = render(Validity, { validity: "valid", neverExpires: true });
    expect(container.textContent?.replace(/\s+/g, " ").trim()).toBe("gültig — läuft nicht ab");
  });
});

describe("FilePicker", () => {
  it("is one control named by its label and the chosen file", async () => {
    render(FilePicker, { label: "PKCS#12 file (.p12, .pfx)" });
    const input = screen.getByLabelText("PKCS#12 file (.p12, .pfx)");
    expect(input.getAttribute("type")).toBe("file");
    expect(screen.getByText("Choose a file…")).toBeTruthy();
    await chooseFile(input, "alice.p12", new Uint8Array([1]));
    await screen.findByText("alice.p12");
    const names = (input.getAttribute("aria-labelledby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent);
    expect(names).toEqual(["PKCS#12 file (.p12, .pfx)", "alice.p12"]);
  });
});

describe("OnDemand", () => {
  const form = (title: string) =>
    createRawSnippet(() => ({ render: () => `<form aria-label="${title}"><label>Name <input></label><button type="submit">Go</button></form>` }));

  it("opens one form at a time, moves the focus into it, and Escape closes it and returns the focus", async () => {
    render(OnDemand, {
      items: [
        { id: "a", label: "Import PKCS#12…", body: form("A") },
        { id: "b", label: "Create OpenPGP key…", body: form("B") },
      ],
    });
    const a = screen.getByRole("button", { name: "Import PKCS#12…" });
    const b = screen.getByRole("button", { name: "Create OpenPGP key…" });
    expect(screen.queryByRole("form")).toBeNull();
    await fireEvent.click(a);
    expect(a.getAttribute("aria-expanded")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Name")));
    await fireEvent.click(b);
    expect(screen.getAllByRole("form").map((f) => f.getAttribute("aria-label"))).toEqual(["B"]);
    await fireEvent.keyDown(screen.getByLabelText("Name"), { key: "Escape" });
    expect(screen.queryByRole("form")).toBeNull();
    expect(b.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(b);
  });
});

describe("ConfirmAction", () => {
  it("asks in words first; Escape cancels with nothing done; the confirmation does it", async () => {
    const action = vi.fn(async () => undefined);
    render(ConfirmAction, { label: "Remove", question: "Really remove Alice with her private key?", confirmLabel: "Yes, remove", action });
    const first = screen.getByRole("button", { name: "Remove" });
    await fireEvent.click(first);
    const yes = screen.getByRole("button", { name: "Yes, remove" });
    expect(screen.getByRole("group", { name: "Really remove Alice with her private key?" })).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(yes));
    await fireEvent.keyDown(yes, { key: "Escape" });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Remove" })));
    expect(action).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    await fireEvent.click(screen.getByRole("button", { name: "Yes, remove" }));
    await waitFor(() => expect(action).toHaveBeenCalledTimes(1));
    await screen.findByRole("button", { name: "Remove" });
  });
});
