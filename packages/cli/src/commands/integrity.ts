/**
 * `ksk integrity [--json]` — the toolkit's fingerprint: the SHA-256 (hex and PGP words) of exactly
 * the code this `ksk` runs (its launcher, bundle, chunks and the lockfile), for witnesses to compare
 * with a published value or with a build of their own (@ksk/ceremony integrity.ts says what is
 * hashed and how to recompute it with sha256sum). `--files` also lists each file's hash.
 */
import { fileURLToPath } from "node:url";
import { fingerprintLines, locateBuiltCommand, toolkitFingerprint } from "@ksk/ceremony";
import { printJson } from "../io.js";
import { type CommandFactory, command } from "./command.js";

export const integrityCommand: CommandFactory = (ctx) =>
  command({
    command: "integrity",
    builder: (y) =>
      y
        .option("json", { type: "boolean", default: false, describe: 'Print JSON: {"sha256": …, "pgpWords": […], "files": […]}' })
        .option("files", { type: "boolean", default: false, describe: "Also list each file's SHA-256 (the manifest that is hashed)" }),
    handler: (argv) => {
      // This module is part of the code that runs: its own location finds the bundle.
      const fingerprint = toolkitFingerprint(locateBuiltCommand(fileURLToPath(import.meta.url)));
      if (argv.json) {
        printJson(ctx, { sha256: fingerprint.sha256Hex, pgpWords: fingerprint.pgpWords, files: fingerprint.files });
        return;
      }
      ctx.out(`${fingerprintLines(fingerprint).join("\n")}\n`);
      if (argv.files) ctx.out(fingerprint.manifest);
    },
  });
