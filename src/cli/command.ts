export interface Command {
  usage: string;
  summary: string;
  help?: string;
  run(args: string[]): Promise<number>;
}
