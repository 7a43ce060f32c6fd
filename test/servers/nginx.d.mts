export interface Nginx {
  httpPort?: number;
  httpsPort?: number;
  dir: string;
  url(p: string): string;
  httpsUrl(p: string): string;
  stop(): Promise<void>;
}
export function startNginx(o: { root: string; http?: number; https?: { port?: number; cert: string; key: string }; locations?: Record<string, string> }): Promise<Nginx>;
