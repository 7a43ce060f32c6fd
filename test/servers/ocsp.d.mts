export function startOcspResponder(o: { index: string; ca: string; rsigner: string; rkey: string; port?: number; ndays?: number; cwd?: string }): Promise<{
  port: number;
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}>;
