export interface LdapEntry {
  dn: string;
  attrs: Record<string, string | Uint8Array | Array<string | Uint8Array>>;
}
export function toLdif(entries: LdapEntry[]): string;
export function startSlapd(o?: { suffix?: string; entries?: LdapEntry[]; port?: number }): Promise<{ port: number; url: string; suffix: string; stop(): Promise<void> }>;
