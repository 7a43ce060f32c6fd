/**
 * IndexedDB backend for the add-on. Two object stores hold the serialized strings of
 * record-format.ts/header.ts unchanged: "meta" (key "header") and "records" (key = record id).
 * Every operation is one IndexedDB transaction, which the platform makes atomic; that alone
 * gives replaceHeader its old-or-new guarantee.
 */
import { SealbirdError } from "../errors.js";
import type { KeystoreBackend } from "./types.js";

const DB_VERSION = 1;
const META = "meta";
const RECORDS = "records";
const HEADER_KEY = "header";

export interface IndexedDbBackendOptions {
  /** Database name; one keystore per database. */
  name?: string;
  /** Defaults to the global `indexedDB` (tests pass fake-indexeddb's IDBFactory). */
  factory?: IDBFactory;
}

export class IndexedDbBackend implements KeystoreBackend {
  readonly name: string;
  readonly #factory: IDBFactory;
  #db: Promise<IDBDatabase> | null = null;

  constructor(opts: IndexedDbBackendOptions = {}) {
    this.name = opts.name ?? "sealbird-keystore";
    const factory = opts.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) throw new SealbirdError("io-error", "IndexedDB is not available");
    this.#factory = factory;
  }

  async getHeader(): Promise<string | null> {
    return this.#get(META, HEADER_KEY);
  }

  async putHeader(header: string): Promise<void> {
    // add() fails with ConstraintError on an existing key, inside the transaction: no race
    // between two windows creating a keystore at once.
    try {
      await this.#run(META, "readwrite", (s) => s.add(header, HEADER_KEY));
    } catch (e) {
      if (e instanceof DOMException && e.name === "ConstraintError") {
        throw new SealbirdError("keystore-exists", "a keystore already exists here");
      }
      throw e;
    }
  }

  async replaceHeader(header: string): Promise<void> {
    await this.#run(META, "readwrite", (s) => s.put(header, HEADER_KEY));
  }

  async getRecord(id: string): Promise<string | null> {
    return this.#get(RECORDS, id);
  }

  async putRecord(id: string, record: string): Promise<void> {
    await this.#run(RECORDS, "readwrite", (s) => s.put(record, id));
  }

  async deleteRecord(id: string): Promise<void> {
    await this.#run(RECORDS, "readwrite", (s) => s.delete(id));
  }

  async listRecords(): Promise<string[]> {
    const all = await this.#run(RECORDS, "readonly", (s) => s.getAll());
    return (all as unknown[]).map((v) => {
      if (typeof v !== "string") throw new SealbirdError("keystore-corrupt", "keystore record is not a string");
      return v;
    });
  }

  /** Closes the connection; the next call reopens it. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    if (db) (await db).close();
  }

  async #get(store: string, key: string): Promise<string | null> {
    const v = await this.#run(store, "readonly", (s) => s.get(key));
    if (v === undefined) return null;
    if (typeof v !== "string") throw new SealbirdError("keystore-corrupt", `keystore ${store} entry is not a string`);
    return v;
  }

  /** One request in its own transaction; resolves when the transaction has committed. */
  async #run<T>(store: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    return new Promise<T>((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = db.transaction(store, mode, { durability: "strict" });
      } catch (e) {
        reject(ioError(e));
        return;
      }
      const req = op(tx.objectStore(store));
      let result: T;
      req.onsuccess = () => {
        result = req.result;
      };
      // Resolve on commit, not on request success: only then is the write durable.
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => {
        const err = req.error ?? tx.error;
        // ConstraintError passes through for putHeader to map; anything else is an I/O error.
        reject(err instanceof DOMException && err.name === "ConstraintError" ? err : ioError(err ?? "transaction aborted"));
      };
    });
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = this.#factory.open(this.name, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
        if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Let a newer version of the add-on upgrade the schema instead of blocking it.
        db.onversionchange = () => {
          db.close();
          this.#db = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        this.#db = null;
        reject(ioError(req.error));
      };
    });
    return this.#db;
  }
}

function ioError(e: unknown): SealbirdError {
  return new SealbirdError("io-error", `IndexedDB: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
}
