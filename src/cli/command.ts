/** What a command module exports: its help text and what it does. */
export interface Command {
  help?: string;
  run(args: string[]): Promise<number>;
}

/**
 * A command as the entry point lists it. Its module is loaded only when it runs (or shows its
 * help): each command loads just the engines it uses, since every call is a new process and
 * module loading is most of a small message's time.
 */
export interface CommandEntry {
  usage: string;
  summary: string;
  load(): Promise<Command>;
}
