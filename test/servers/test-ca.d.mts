export interface TestCa {
  dir: string;
  certPath: string;
  keyPath: string;
  pem: string;
  issue(hostnames: string[], o?: { name?: string }): { cert: string; key: string };
  dispose(): void;
}
export function makeTestCa(o?: { name?: string; dir?: string }): TestCa;
