// The CLI tests run the real `sealbird` binary, so build it once before the suite.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build-cli.mjs"], { stdio: "inherit" });
}
