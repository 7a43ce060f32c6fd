/**
 * The add-on's keystore: IndexedDB behind a passphrase. The background is the only context
 * that ever holds the unlocked data key or a private key; pages get public facts only.
 *
 * MV3 suspends this page after idle time. The non-extractable data key is kept in
 * storage.session (memory only, cleared when Thunderbird closes), so a suspension does not
 * lock the user out, while quitting Thunderbird always does.
 */
import { Keystore, IndexedDbBackend } from "../core/keystore/index.js";
import { Keyring } from "../core/keyring/keyring.js";
import { smimeOpener } from "../core/message/smime-adapter.js";
import { pgpOpener } from "../core/message/pgp-adapter.js";
import type { InspectResult, LayerOpener } from "../core/message/inspect.js";
import { SealbirdError } from "../core/errors.js";
import { readDiscoverySettings } from "../core/discovery/settings.js";
import type { KeyMaterialSource } from "./display-service.js";
import type { KeystoreState, PendingKey } from "./protocol.js";
import type { OnlineRevocation } from "../core/cert/online-revocation.js";
import type { SmimeContext } from "../core/smime/index.js";

const SESSION_KEY = "sealbird.dataKey";

/** The engine contexts kept per keystore revision (making them parses every key). */
interface KeptOpeners {
  store: Keystore;
  revision: number;
  openers: Promise<{ smime: SmimeContext; pgp: LayerOpener }>;
}

export class KeystoreService implements KeyMaterialSource {
  private store: Keystore | null = null;
  private opening: Promise<Keystore | null> | null = null;
  private readonly lockListeners: Array<(unlocked: boolean) => void> = [];
  private keptOpeners: KeptOpeners | null = null;

  /** `revocation`: how signers' certificates are checked on the network (../online-checks.ts). */
  constructor(private readonly revocation?: () => Promise<OnlineRevocation>) {}

  /** Called after every unlock and lock, whoever asked for it (unlock prompt, options, auto-lock). */
  onLockChange(listener: (unlocked: boolean) => void): void {
    this.lockListeners.push(listener);
  }

  private notify(unlocked: boolean): void {
    for (const l of this.lockListeners) {
      try {
        l(unlocked);
      } catch {
        // a listener's failure must not undo the unlock
      }
    }
  }

  private async open(): Promise<Keystore | null> {
    if (this.store) return this.store;
    this.opening ??= (async () => {
      try {
        const ks = await Keystore.open(new IndexedDbBackend());
        const kept = (await messenger.storage.session.get(SESSION_KEY))[SESSION_KEY];
        if (kept instanceof CryptoKey) await ks.resume(kept).catch(() => messenger.storage.session.remove(SESSION_KEY));
        this.store = ks;
        return ks;
      } catch (e) {
        if (e instanceof SealbirdError && e.code === "keystore-not-found") return null;
        throw e;
      } finally {
        this.opening = null;
      }
    })();
    return this.opening;
  }

  private async require(): Promise<Keystore> {
    const ks = await this.open();
    if (!ks) throw new SealbirdError("keystore-not-found", "No keystore yet: create one in Sealbird's settings.");
    return ks;
  }

  async keyring(): Promise<Keyring> {
    return new Keyring(await this.require());
  }

  isUnlocked(): boolean {
    return this.store?.isUnlocked ?? false;
  }

  async lockState(): Promise<"none" | "locked" | "unlocked"> {
    const ks = await this.open();
    return !ks ? "none" : ks.isUnlocked ? "unlocked" : "locked";
  }

  async state(): Promise<KeystoreState> {
    const ks = await this.open();
    return { exists: ks !== null, unlocked: ks?.isUnlocked ?? false };
  }

  async create(passphrase: string): Promise<KeystoreState> {
    const ks = await Keystore.create(new IndexedDbBackend(), passphrase);
    this.store = ks;
    await this.keepSessionKey();
    return this.state();
  }

  async unlock(passphrase: string): Promise<void> {
    const ks = await this.require();
    await ks.unlock(passphrase);
    await this.keepSessionKey();
    this.notify(true);
  }

  async lock(): Promise<void> {
    this.store?.lock();
    this.keptOpeners = null; // the secret keys in them go with the lock
    await messenger.storage.session.remove(SESSION_KEY);
    this.notify(false);
  }

  private async keepSessionKey(): Promise<void> {
    const key = this.store?.sessionKey;
    if (key) await messenger.storage.session.set({ [SESSION_KEY]: key });
  }

  /**
   * The openers for the keystore as it is now. They are kept until the keystore changes
   * (records, lock, unlock): every message would otherwise decrypt each secret record again
   * and parse every key and certificate anew, and the engine's per-context caches (parsed
   * certificates, unlocked OpenPGP keys, imported CryptoKeys) could not last beyond a message.
   */
  async openers(): Promise<LayerOpener[]> {
    const ks = await this.open();
    const revocation = await this.revocation?.().catch(() => undefined);
    const online = revocation ? { revocation } : {};
    if (!ks) return [smimeOpener({ identities: [], trustAnchors: [], knownCertificates: [], ...online }), pgpOpener({ secretKeys: [], publicKeys: [] })];
    const kept = this.keptOpeners;
    // The revocation settings (mode, permission) are not in the store: the S/MIME opener is made
    // anew on each call around the kept context.
    const withRevocation = async (p: KeptOpeners["openers"]): Promise<LayerOpener[]> => {
      const o = await p;
      return [smimeOpener({ ...o.smime, ...online }), o.pgp];
    };
    if (kept && kept.store === ks && kept.revision === ks.revision) return withRevocation(kept.openers);
    const revision = ks.revision;
    const openers = (async () => {
      const ring = new Keyring(ks);
      return { smime: await ring.smimeContext(), pgp: pgpOpener(await ring.pgpContext()) };
    })();
    this.keptOpeners = { store: ks, revision, openers };
    openers.catch(() => {
      if (this.keptOpeners?.openers === openers) this.keptOpeners = null;
    });
    return withRevocation(openers);
  }

  async remember(result: InspectResult): Promise<PendingKey[]> {
    const ks = await this.open();
    if (!ks) return [];
    // Autocrypt-Gossip only when the user leaves it on (Key discovery settings).
    const { gossip } = await readDiscoverySettings(ks);
    const learned = await new Keyring(ks).learnFrom(result, { gossip });
    return learned.pgpKeys.filter((k) => k.pending).map((k) => ({ id: k.id, fingerprint: k.fingerprint, emails: k.emails }));
  }

  async acceptKey(id: string): Promise<void> {
    const ks = await this.open();
    if (!ks) throw new SealbirdError("keystore-not-found", "There is no keystore yet.");
    await new Keyring(ks).acceptPgpKey(id);
  }
}
