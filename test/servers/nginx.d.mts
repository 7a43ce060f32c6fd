export interface NginxVhost {
  names: string[];
  cert?: string;
  key?: string;
  root?: string;
  locations?: Record<string, string>;
}
export interface NginxRequest {
  sni?: string;
  host: string;
  port: number;
  method: string;
  uri: string;
  status: number;
  bytes: number;
}
export interface Nginx {
  httpPort: number;
  httpsPort: number;
  prefix: string;
  url(path: string, o?: { https?: boolean; host?: string }): string;
  requests(o?: { settleMs?: number }): Promise<NginxRequest[]>;
  errorLog(): string;
  stop(): Promise<void>;
}
export function startNginx(o: {
  root: string;
  http?: number;
  https?: { port?: number; cert: string; key: string };
  locations?: Record<string, string>;
  vhosts?: NginxVhost[];
}): Promise<Nginx>;
