/** In-memory backend: for tests and for callers that want a throwaway keystore. */
import { SealbirdError } from "../errors.js";
import type { KeystoreBackend } from "./types.js";

export class MemoryBackend implements KeystoreBackend {
  header: string | null = null;
  readonly records = new Map<string, string>();

  async getHeader(): Promise<string | null> {
    return this.header;
  }
  async putHeader(header: string): Promise<void> {
    if (this.header !== null) throw new SealbirdError("keystore-exists", "a keystore already exists here");
    this.header = header;
  }
  async replaceHeader(header: string): Promise<void> {
    this.header = header;
  }
  async getRecord(id: string): Promise<string | null> {
    return this.records.get(id) ?? null;
  }
  async putRecord(id: string, record: string): Promise<void> {
    this.records.set(id, record);
  }
  async deleteRecord(id: string): Promise<void> {
    this.records.delete(id);
  }
  async listRecords(): Promise<string[]> {
    return [...this.records.values()];
  }
}
