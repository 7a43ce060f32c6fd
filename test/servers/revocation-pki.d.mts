export interface IssuedCert {
  name: string;
  email: string;
  certPath: string;
  keyPath: string;
  certificate: Buffer;
}
export interface RevocationPki {
  dir: string;
  caPath: string;
  caKeyPath: string;
  caDer: Buffer;
  indexPath: string;
  issue(leaf: string, email: string, o?: { ocsp?: string[]; crl?: string[]; dates?: [string, string]; keyUsage?: string }): IssuedCert;
  revoke(leaf: string): void;
  writeCrl(out: string, o?: { days?: number }): string;
  p12(leaf: string, password: string): string;
  remove(): void;
}
export function makeRevocationPki(o?: { name?: string }): RevocationPki;
