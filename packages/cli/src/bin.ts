/**
 * The entry point of the built `ksk` (scripts/build-cli.mjs bundles from here into
 * packages/cli/dist/ksk.mjs; packages/cli/bin/ksk runs that). `ksk --version` is answered here,
 * before yargs or any command is loaded, because scripts call it to check what is installed;
 * everything else goes to main.ts, itself a separate chunk of the bundle.
 */
import { VERSION } from "./version.js";

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runAsProcess } = await import("./main.js");
  runAsProcess();
}
