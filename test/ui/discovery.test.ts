/**
 * The Key discovery section and the composer's per-recipient lookup line as the user reads
 * them (real locale strings, English and German); the background is faked.
 */
import { background, fail, permissions, resetBackground, sent, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import DiscoverySection from "../../ui/components/DiscoverySection.svelte";
import RecipientList from "../../ui/components/compose/RecipientList.svelte";
import type { DiscoveryState } from "../../src/background/discovery/requests.js";
import type { RecipientView } from "../../src/background/compose/types.js";

const settings = { wkd: true, keyserver: false, keyserverUrl: "https://keys.openpgp.org", refresh: true, gossip: true };

beforeEach(() => {
  resetBackground();
  permissions.request.mockClear();
  permissions.remove.mockClear();
});

describe("Key discovery section", () => {
  it("lists the sources (WKD on, keyserver off); without the permission it asks Thunderbird on a click", async () => {
    let permitted = false;
    background.set("discovery:state", (): DiscoveryState => ({ settings, permitted }));
    background.set("discovery:permission-changed", (): DiscoveryState => ({ settings, permitted }));
    render(DiscoverySection, { onChange: () => undefined });
    expect(await screen.findByText(/Key lookups need your permission first/)).toBeTruthy();
    expect((screen.getByLabelText("Web Key Directory (the recipient's own domain)") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Keyserver") as HTMLInputElement).checked).toBe(false);
    expect((screen.getByLabelText("Autocrypt gossip") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Refresh known keys now and then") as HTMLInputElement).checked).toBe(true);
    permitted = true;
    await fireEvent.click(screen.getByRole("button", { name: "Allow key lookups" }));
    expect(permissions.request).toHaveBeenCalledWith({ origins: ["https://*/*"] });
    expect(await screen.findByText("Sealbird may contact HTTPS servers for key lookups.")).toBeTruthy();
    expect(sent.map((r) => r["type"])).toContain("discovery:permission-changed");
  });

  it("turning sources off is saved as the user set it", async () => {
    background.set("discovery:state", (): DiscoveryState => ({ settings, permitted: true }));
    background.set("discovery:set", (r) => ({ settings: { ...settings, ...(r["settings"] as object) }, permitted: true }));
    render(DiscoverySection, { onChange: () => undefined });
    await fireEvent.click(await screen.findByLabelText("Web Key Directory (the recipient's own domain)"));
    await fireEvent.click(screen.getByLabelText("Keyserver"));
    await fireEvent.input(screen.getByLabelText("Keyserver address (HTTPS)"), { target: { value: "https://keys.example.net" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save key discovery settings" }));
    await screen.findByText("The key discovery settings have been saved.");
    const req = sent.find((r) => r["type"] === "discovery:set")!;
    expect(req["settings"]).toMatchObject({ wkd: false, keyserver: true, keyserverUrl: "https://keys.example.net", gossip: true, refresh: true });
  });

  it("Find key: found, pending and each failure in the user's language", async () => {
    background.set("discovery:state", (): DiscoveryState => ({ settings, permitted: true }));
    let answer: unknown = { state: "found", source: "wkd", fingerprint: "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12", at: 1 };
    background.set("discovery:lookup", () => answer);
    render(DiscoverySection, { onChange: () => undefined });
    const find = async (email: string) => {
      await fireEvent.input(await screen.findByLabelText("E-mail address"), { target: { value: email } });
      await fireEvent.click(screen.getByRole("button", { name: "Find key" }));
      return waitFor(() => screen.getByTestId("find-result").textContent!.trim());
    };
    expect(await find("dave@advanced.test")).toBe("Key for dave@advanced.test found (Web Key Directory): AB12 CD34 EF56 AB12 CD34 EF56 AB12 CD34 EF56 AB12");
    answer = { state: "pending", source: "keyserver", fingerprint: "ff00", at: 2 };
    expect(await find("bob@example.org")).toMatch(/^A different key for bob@example\.org was found \(keyserver\): FF00\. It is listed under Correspondents/);
    answer = { state: "failed", code: "network-tls", at: 3 };
    expect(await find("leo@untrusted.test")).toBe("No key for leo@untrusted.test: The server's secure connection could not be verified (TLS certificate error).");
    background.set("discovery:lookup", () => fail("usage"));
    await fireEvent.input(screen.getByLabelText("E-mail address"), { target: { value: "x@y.z" } });
    await fireEvent.click(screen.getByRole("button", { name: "Find key" }));
    expect((await screen.findByRole("alert")).textContent).toBe("This input is not valid.");
  });
});

describe("the composer's recipient line", () => {
  const recipients: RecipientView[] = [
    { email: "dave@advanced.test", pgp: { fingerprint: "aa".repeat(20), label: "Dave <dave@advanced.test>", trusted: true, source: "wkd" }, uses: "openpgp", lookup: { state: "found", source: "wkd" } },
    { email: "judy@nokey.test", lookup: { state: "looking-up" } },
    { email: "kim@slow.test", lookup: { state: "failed", code: "network-timeout" } },
    { email: "erin@direct.test", pgp: { fingerprint: "bb".repeat(20), label: "Erin", trusted: true, unusable: "expired", notAfter: "2026-01-31T00:00:00.000Z" }, lookup: { state: "pending", source: "wkd" } },
    { email: "rev@example.org", pgp: { fingerprint: "cc".repeat(20), label: "Rev", trusted: true, unusable: "revoked" } },
  ];

  it("says how each lookup stands and why a key is not used (English)", () => {
    render(RecipientList, { recipients, encrypt: true });
    const line = (email: string) => document.querySelector(`li[data-email="${email}"]`)!.textContent!.replace(/\s+/g, " ").trim();
    expect(line("dave@advanced.test")).toMatch(/OpenPGP: Dave <dave@advanced\.test>.*· Key found \(Web Key Directory\)$/);
    expect(line("judy@nokey.test")).toBe("judy@nokey.test no key · Looking up key…");
    expect(line("kim@slow.test")).toBe("kim@slow.test no key · Key lookup: The server did not answer in time.");
    expect(line("erin@direct.test")).toBe(
      "erin@direct.test no key OpenPGP key expired on 01/31/2026: not used · A different key was found (Web Key Directory): it waits for your decision in Sealbird's settings",
    );
    expect(line("rev@example.org")).toBe("rev@example.org no key OpenPGP key revoked: not used");
  });

  it("in German", () => {
    useLocale("de");
    render(RecipientList, { recipients, encrypt: true });
    const line = (email: string) => document.querySelector(`li[data-email="${email}"]`)!.textContent!.replace(/\s+/g, " ").trim();
    expect(line("kim@slow.test")).toMatch(/Schlüsselsuche: Der Server hat nicht rechtzeitig geantwortet\.$/);
    expect(line("erin@direct.test")).toMatch(/OpenPGP-Schlüssel am 31\.01\.2026 abgelaufen: wird nicht verwendet/);
  });
});
