import type { Command } from "../command.js";
import { keystoreCommand } from "./keystore.js";
import { importCommand, trustCommand } from "./import.js";
import { listCommand } from "./list.js";
import { inspectCommand } from "./inspect.js";
import { protectCommand } from "./protect.js";
import { keygenCommand, exportCommand } from "./keys.js";
import { lookupCommand, refreshCommand } from "./discovery.js";

/** Every sealbird command, by name. */
export const COMMANDS: Record<string, Command> = {
  keystore: keystoreCommand,
  import: importCommand,
  trust: trustCommand,
  list: listCommand,
  inspect: inspectCommand,
  protect: protectCommand,
  keygen: keygenCommand,
  export: exportCommand,
  lookup: lookupCommand,
  refresh: refreshCommand,
};
