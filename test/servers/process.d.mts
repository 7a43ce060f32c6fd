export function freePort(): Promise<number>;
export interface ServerProcess {
  name: string;
  output(): string;
  exited(): { code: number | null; signal: string | null } | null;
  stop(): Promise<void>;
}
export function spawnServer(cmd: string, args: string[], o: { name: string; cwd?: string; env?: NodeJS.ProcessEnv }): ServerProcess;
export function waitForPort(port: number, proc: ServerProcess, timeoutMs?: number): Promise<void>;
export function withRetries<T>(start: () => Promise<T>, tries?: number): Promise<T>;
export function startSilentServer(): Promise<{ port: number; stop(): Promise<void> }>;
