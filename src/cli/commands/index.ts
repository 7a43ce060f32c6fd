import type { Command } from "../command.js";

/** Every sealbird command, by name. */
export const COMMANDS: Record<string, Command> = {};
