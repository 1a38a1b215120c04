/**
 * "Did you mean": the closest known option for a misspelled one, by edit distance (insertions,
 * deletions, substitutions and swaps of adjacent characters: the optimal string alignment
 * distance), within a third of the word's length. yargs suggests commands itself, not options.
 */

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] as number) + 1, (d[i]?.[j - 1] as number) + 1, (d[i - 1]?.[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2]?.[j - 2] as number) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] as number;
}

/** The known name closest to `typed`, if one is close enough to be a typo of it. */
export function closestName(typed: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance <= Math.max(1, Math.floor(typed.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * Options that would carry a secret on the command line, where `ps`, /proc/PID/cmdline and shell
 * history show it. No command has them; naming one gets where secrets come from instead.
 */
const SECRET_OPTION = /^-*(so-?pin|user-?pin|pin|pin-?value|passphrase|password|pass)$/i;
const SECRET_SOURCES =
  "secrets are never taken on the command line (ps and shell history would show them): give --pin-file / --passphrase-file, pin-source=file:PATH in the keystore URI, KSK_PIN_FILE / KSK_PASSPHRASE_FILE, or type it at the prompt";

/**
 * yargs' "Unknown argument(s): a, b" with a "did you mean --x?" for each misspelled option, and
 * where secrets come from for an option that would carry one. The message holds option names
 * only, never their values.
 */
export function withOptionSuggestions(message: string, knownOptions: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const typedNames = (m[1] as string).split(", ");
  const secret = typedNames.find((typed) => SECRET_OPTION.test(typed));
  if (secret !== undefined) return `--${secret.replace(/^-+/, "")}: ${SECRET_SOURCES}`;
  const hints = typedNames
    .map((typed) => [typed, closestName(typed.replace(/^-+/, ""), knownOptions)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([typed, name]) => `${typed}: did you mean --${name}?`);
  return hints.length ? `${message} (${hints.join("; ")})` : message;
}
