import type { Nginx } from "./nginx.mjs";
import type { TestCa } from "./test-ca.mjs";
export interface DirectoryKey {
  email: string;
  fingerprint: string;
}
export interface KeyDirectory {
  dir: string;
  home: string;
  keys: Record<"dave" | "erin" | "frank" | "nora" | "oscar", DirectoryKey>;
  gpg(args: string[], o?: { input?: Uint8Array | string; home?: string }): Buffer;
  exportKey(email: string, home?: string): Buffer;
  fingerprintOf(email: string, home?: string): string;
  publishWkd(email: string, bytes: Uint8Array): void;
  wkdFile(email: string): string;
  /** Puts a key on keys.test (VKS) or hkp.test (HKP), merged with what is there; returns its fingerprint. */
  publishKeyserver(host: "keys.test" | "hkp.test", armored: Uint8Array | string): string;
  uploads: Array<{ host: string; method: string; uri: string; contentType: string; keytext?: string }>;
  ca: TestCa;
  web: Nginx;
  connectTo: string;
  localDomains: string;
  stop(): Promise<void>;
}
export function startKeyDirectory(): Promise<KeyDirectory>;
