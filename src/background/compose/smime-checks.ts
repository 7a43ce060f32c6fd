/**
 * The composer's network work for S/MIME recipients, off the view's path: searching the LDAP
 * address books for a recipient without a usable certificate (once per address and session,
 * as Thunderbird's composer does; a failed search is tried again after a while), and checking
 * the revocation of the certificate a recipient would get. The view shows the state of each
 * ("searching…", "revoked", "revocation not checked"); when one finishes, `changed` refreshes
 * the open composers. onBeforeSend waits for what is still running (`settle`), so a message
 * sent at once still gets the certificate the directory has, and never goes to a revoked one.
 */
import type { Keyring } from "../../core/keyring/keyring.js";
import { checkStoredRecipient, findInDirectories } from "../../core/keyring/recipient-certificates.js";
import type { OnlineChecks } from "../online-checks.js";
import type { DirectoryLookupView, RecipientKey, RecipientView } from "./types.js";

const RETRY_FAILED_MS = 5 * 60 * 1000;
/** A recipient's revocation verdict is reused this long (the answers themselves are cached until nextUpdate). */
const REVOCATION_MEMO_MS = 10 * 60 * 1000;
const SETTLE_TIMEOUT_MS = 20_000;

interface Running<T> {
  promise: Promise<void>;
  result?: T;
  at: number;
}

type RevocationNote = NonNullable<RecipientKey["revocation"]> & { unusable?: RecipientKey["unusable"] };

export class SmimeRecipientChecks {
  private readonly ldap = new Map<string, Running<DirectoryLookupView>>();
  private readonly revocation = new Map<string, Running<RevocationNote>>();

  constructor(
    private readonly online: OnlineChecks,
    private readonly changed: () => void,
  ) {}

  /**
   * Annotates the recipients with what is known and starts what is missing; never waits for
   * the network.
   */
  apply(recipients: RecipientView[], ring: Keyring): void {
    for (const r of recipients) {
      if (!r.smime || r.smime.unusable) {
        const run = this.startLdap(r.email, ring);
        r.directory = run.result ?? { state: "searching" };
      } else {
        const found = this.ldap.get(r.email)?.result;
        if (found?.state === "found") r.directory = found;
        const run = this.startRevocation(r.email, r.smime.fingerprint, ring);
        const note = run.result ?? { state: "checking" as const };
        const { unusable, ...shown } = note;
        r.smime.revocation = shown;
        if (unusable) r.smime.unusable = unusable;
      }
    }
  }

  /** Starts and waits for the checks of these recipients (bounded: a dead server does not hold a send for ever). */
  async settle(recipients: RecipientView[], ring: Keyring): Promise<void> {
    this.apply(recipients, ring);
    const pending = recipients.flatMap((r) => [this.ldap.get(r.email)?.promise, r.smime ? this.revocation.get(`${r.email} ${r.smime.fingerprint}`)?.promise : undefined]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  /** Settings changed: what was decided under the old ones is decided again. */
  forget(): void {
    this.ldap.clear();
    this.revocation.clear();
  }

  private startLdap(email: string, ring: Keyring): Running<DirectoryLookupView> {
    const known = this.ldap.get(email);
    if (known && !(known.result?.state === "failed" && Date.now() - known.at > RETRY_FAILED_MS)) return known;
    const run: Running<DirectoryLookupView> = { at: Date.now(), promise: Promise.resolve() };
    run.promise = (async () => {
      try {
        const directories = await this.online.directories();
        if (directories.length === 0) {
          run.result = { state: "not-found" };
          return;
        }
        const found = await findInDirectories(ring, email, directories, { revocation: await this.online.revocation() });
        if (found.stored[0]) run.result = { state: "found", directory: found.found[0]!.directory };
        else if (found.errors[0] && found.rejected.length === 0) run.result = { state: "failed", code: found.errors[0].code };
        else run.result = { state: "not-found" };
      } catch {
        run.result = { state: "failed", code: "internal" };
      }
      // Without directories nothing changed that a composer shows.
      if (run.result.state !== "not-found" || run.result.code) this.changed();
    })();
    this.ldap.set(email, run);
    return run;
  }

  private startRevocation(email: string, fingerprint: string, ring: Keyring): Running<RevocationNote> {
    const key = `${email} ${fingerprint}`;
    const known = this.revocation.get(key);
    if (known && !(known.result && Date.now() - known.at > REVOCATION_MEMO_MS)) return known;
    const run: Running<RevocationNote> = { at: Date.now(), promise: Promise.resolve() };
    run.promise = (async () => {
      try {
        const revocation = await this.online.revocation();
        const check = await checkStoredRecipient(ring, email, { revocation });
        const r = check?.judgement.revocation;
        const leaf = r?.certificates[0];
        // No revocation verdict: checking is off, or the path is not trusted (never checked online).
        const note: RevocationNote = r
          ? { state: r.state, checkedAt: r.checkedAt, ...(leaf?.method ? { method: leaf.method } : {}) }
          : { state: revocation.mode === "off" ? "off" : "not-checked" };
        if (check?.judgement.problems.includes("cert-revoked")) note.unusable = "revoked";
        else if (check?.judgement.problems.includes("revocation-not-checked")) note.unusable = "revocation-not-checked";
        run.result = note;
      } catch {
        run.result = { state: "not-checked" };
      }
      this.changed();
    })();
    this.revocation.set(key, run);
    return run;
  }
}
