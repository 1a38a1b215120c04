/**
 * vitest global set-up: the tests that run `ksk` as a process run the built command, so build it
 * first when the sources changed since the last build (scripts/build-cli.mjs --if-stale).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
  execFileSync(process.execPath, [path.join(root, "scripts/build-cli.mjs"), "--if-stale"], { stdio: "inherit" });
}
