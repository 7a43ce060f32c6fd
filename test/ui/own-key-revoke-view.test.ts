/** The revoke form of an own OpenPGP key as the user sees it: where the revocation went (fake background, real strings). */
import { background, resetBackground, sent } from "./browser-mock.js";
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import OwnKeyLifecycle from "../../ui/components/OwnKeyLifecycle.svelte";
import type { EntryView } from "../../src/background/options/types.js";
import type { PublishOutcome } from "../../src/core/discovery/publish.js";

const entry: EntryView = { id: "k1", kind: "pgp-secret-key", label: "Me", emails: ["me@example.org"], fingerprint: "ab".repeat(20), validity: "valid", hasSecret: true, pending: false, replaces: [] };

beforeEach(() => resetBackground());

async function revokeWith(answer: { allowed: boolean; outcomes: PublishOutcome[] }): Promise<HTMLElement> {
  background.set("options:pgp-revoke", () => ({ entry: { ...entry, validity: "revoked" }, publicKey: { bytes: new Uint8Array([1]), fileName: "me-revoked.asc", mimeType: "application/pgp-keys" } }));
  background.set("discovery:publish-revocation", () => answer);
  render(OwnKeyLifecycle, { entry, onChange: () => undefined });
  await fireEvent.click(screen.getByRole("button", { name: "Revoke" }));
  await fireEvent.input(screen.getByLabelText("Keystore passphrase"), { target: { value: "pass phrase" } });
  await fireEvent.click(screen.getByRole("button", { name: "Revoke the key" }));
  const note = await screen.findByRole("status");
  expect(sent.map((r) => r["type"])).toEqual(["options:pgp-revoke", "discovery:publish-revocation"]);
  expect(sent[1]).toEqual({ type: "discovery:publish-revocation", id: "k1" });
  return note;
}

describe("revoking an own key", () => {
  it("says where the revocation was published and where it could not be", async () => {
    const note = await revokeWith({
      allowed: true,
      outcomes: [
        { source: "keyserver", where: "https://keys.openpgp.org", state: "published" },
        { source: "wkd", where: "me@example.org", state: "cannot-publish" },
      ],
    });
    await screen.findByText("Keyserver https://keys.openpgp.org: the revocation is published.");
    expect(note.textContent).toContain("The revoked public key was saved as a file");
    expect(note.textContent).toContain("Web Key Directory of me@example.org: your key is published there, and only your mail provider can replace it.");
  });

  it("a failure names its reason; with lookups not allowed it says nothing was sent", async () => {
    await revokeWith({ allowed: true, outcomes: [{ source: "keyserver", where: "https://keys.test", state: "failed", code: "network-timeout" }] });
    const li = await screen.findByText(/^Keyserver https:\/\/keys\.test: the revocation could not be published/);
    expect(li.getAttribute("data-state")).toBe("failed");
    expect(li.textContent).not.toContain("network-timeout");
  });

  it("not allowed", async () => {
    const note = await revokeWith({ allowed: false, outcomes: [] });
    await screen.findByText(/so Sealbird sent the revocation nowhere/);
    expect(note.querySelector("[data-field=publish-outcomes]")).toBeNull();
  });
});
