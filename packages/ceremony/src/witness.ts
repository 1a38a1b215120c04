/**
 * What a ceremony shows witnesses and asks them: each file's name, size, SHA-256 as grouped hex
 * and as PGP words (read aloud and compared), and an exact typed "Yes" before any private key is
 * used. `--yes` stands in for the typed answer in scripted lab runs and is recorded as such.
 *
 * The terminal is passed in (`Terminal`): this module never opens one itself, so the CLI decides
 * how a prompt reaches a person and tests drive it through a real pseudo-terminal.
 */
import { KskError, bytesToHex, groupedHex, pgpWords, sha256 } from "@ksk/core";

/** The part of a terminal a confirmation needs. */
export interface Terminal {
  readonly out: (text: string) => void;
  /** Ask a question and return the answer line (without the newline). */
  readonly prompt: (question: string) => Promise<string>;
  /** Can a person answer (standard input is a terminal)? */
  readonly interactive: boolean;
}

/** A file's SHA-256 as grouped hex and as PGP words: what witnesses compare. */
export function fileFingerprint(bytes: Uint8Array): { sha256Grouped: string; pgpWords: string[] } {
  const digest = sha256(bytes);
  return { sha256Grouped: groupedHex(digest), pgpWords: pgpWords(digest) };
}

/** Lines showing a file for witnesses: name, size, SHA-256 in groups, PGP words eight a line. */
export function fileWitnessLines(label: string, input: { readonly name: string; readonly bytes: Uint8Array }): string[] {
  const { sha256Grouped, pgpWords: words } = fileFingerprint(input.bytes);
  const lines = [`${label}: ${input.name} (${input.bytes.length} bytes)`, `  SHA-256 ${sha256Grouped}`];
  for (let i = 0; i < words.length; i += 8) lines.push(`  ${words.slice(i, i + 8).join(" ")}`);
  return lines;
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** How the consent to use a private key was given, as the record states it. */
export const CONSENT_TYPED = "typed Yes at the terminal";
export const CONSENT_SCRIPTED = "--yes (scripted lab run)";

/**
 * Ask for the exact answer "Yes" (case and spelling exact, nothing else accepted), or take `--yes`.
 * Anything else is a refusal by the operator (exit 5). Returns how consent was given, for the record.
 */
export async function confirmYes(
  terminal: Terminal,
  question: string,
  assumeYes: boolean,
  whatWasNotDone = "nothing was signed",
  typeYes = "Type Yes to continue:",
): Promise<string> {
  if (assumeYes) {
    terminal.out(`${question} Yes (given by --yes: scripted lab run, no witness typed it)\n`);
    return CONSENT_SCRIPTED;
  }
  if (!terminal.interactive) {
    throw new KskError("refused", "NO-CONFIRMATION", "no terminal to confirm on: a witness must type Yes (use --yes only for scripted lab runs)");
  }
  const answer = await terminal.prompt(`${question} ${typeYes} `);
  if (answer !== "Yes") throw new KskError("refused", "NOT-CONFIRMED", `the answer was ${JSON.stringify(answer)}, not "Yes": ${whatWasNotDone}`);
  return CONSENT_TYPED;
}
