/**
 * What the ceremony shows witnesses and asks them (docs/architecture.md, the data flow of a quarter): each file's name, SHA-256 as hex
 * and as PGP words, and an exact typed "Yes" before the KSK is used. `--yes` stands in for the typed
 * answer in scripted lab runs and is recorded in the output.
 */
import { KskError, bytesToHex, groupedHex, pgpWords, sha256 } from "@ksk/core";
import type { CliContext } from "./context.js";
import type { InputFile } from "./io.js";

/** A file's SHA-256 as grouped hex and as PGP words: what witnesses compare. */
export function fileFingerprint(bytes: Uint8Array): { sha256Grouped: string; pgpWords: string[] } {
  const digest = sha256(bytes);
  return { sha256Grouped: groupedHex(digest), pgpWords: pgpWords(digest) };
}

/** Lines showing a file for witnesses: name, size, SHA-256 in groups, PGP words eight a line. */
export function fileWitnessLines(label: string, input: InputFile): string[] {
  const { sha256Grouped, pgpWords: words } = fileFingerprint(input.bytes);
  const lines = [`${label}: ${input.name} (${input.bytes.length} bytes)`, `  SHA-256 ${sha256Grouped}`];
  for (let i = 0; i < words.length; i += 8) lines.push(`  ${words.slice(i, i + 8).join(" ")}`);
  return lines;
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * Ask for the exact answer "Yes" (case and spelling exact, nothing else accepted), or take `--yes`.
 * Anything else is a refusal by the operator (exit 5). Returns how consent was given, for the record.
 */
export async function confirmYes(ctx: CliContext, question: string, assumeYes: boolean): Promise<string> {
  if (assumeYes) {
    ctx.out(`${question} Yes (given by --yes: scripted lab run, no witness typed it)\n`);
    return "--yes (scripted lab run)";
  }
  if (!ctx.interactive) {
    throw new KskError("refused", "NO-CONFIRMATION", "no terminal to confirm on: a witness must type Yes (use --yes only for scripted lab runs)");
  }
  const answer = await ctx.prompt(`${question} Type Yes to continue: `);
  if (answer !== "Yes") throw new KskError("refused", "NOT-CONFIRMED", `the answer was ${JSON.stringify(answer)}, not "Yes": nothing was signed`);
  return "typed Yes at the terminal";
}
