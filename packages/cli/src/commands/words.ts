/** `ksk words FILE…` — what witnesses compare: each file's SHA-256 as hex and as PGP words. */
import { bytesToHex, pgpWords, sha256 } from "@ksk/core";
import { printJson, readInput } from "../io.js";
import { type CommandFactory, command } from "./command.js";

export const wordsCommand: CommandFactory = (ctx) =>
  command({
    command: "words <files..>",
    builder: (y) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true, describe: "Files (- for stdin)" })
        .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
    handler: async (argv) => {
      const rows = [];
      for (const file of argv.files) {
        const input = await readInput(ctx, file);
        const digest = sha256(input.bytes);
        rows.push({ file: input.name, sizeBytes: input.bytes.length, sha256Hex: bytesToHex(digest), pgpWords: pgpWords(digest) });
      }
      if (argv.json) return printJson(ctx, rows);
      for (const r of rows) {
        ctx.out(`${r.file}\n  SHA-256 ${r.sha256Hex}\n  ${wrapWords(r.pgpWords).join("\n  ")}\n`);
      }
    },
  });

/** Eight words a line, as a witness reads them. */
function wrapWords(words: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 8) lines.push(words.slice(i, i + 8).join(" "));
  return lines;
}
