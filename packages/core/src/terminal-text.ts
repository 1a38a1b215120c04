/**
 * Text that quotes input, made safe to print on a terminal. A KSR element name, a config value, a
 * certificate subject or a file name can hold any character; printed raw, an ESC starts a terminal
 * control sequence (`ESC[2J` clears the witnesses' screen), a NUL or a carriage return hides what
 * precedes it, a newline forges a second message line, and bidirectional overrides reorder what is
 * shown. Every such character is written as a visible escape instead:
 *
 * - C0 controls (U+0000–U+001F, newline and tab included), DEL and the C1 controls (U+0080–U+009F)
 *   as `\xNN` (`\x00`, `\x1b`, `\x0a`);
 * - line/paragraph separators, bidirectional embeddings, overrides and isolates, zero-width and
 *   byte-order marks, unpaired surrogates and noncharacters as `\u{NNNN}`.
 *
 * A backslash is kept as it is: DNS presentation format uses it (`\032`), and escaping is
 * idempotent, so text escaped twice reads the same.
 * Everything else (printable ASCII, letters of any script, U+FFFD for undecodable bytes) is kept.
 * Left out: wide/combining-character width handling, which is the terminal's business.
 */

/** Code points shown as `\u{…}`: not controls, but they reorder, hide or split what is shown. */
function isInvisibleFormat(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (cp >= 0x2028 && cp <= 0x202e) || // line/paragraph separators, bidi embeddings and overrides
    (cp >= 0x2060 && cp <= 0x2069) || // word joiner, invisible operators, bidi isolates
    cp === 0xfeff || // byte-order mark / zero-width no-break space
    (cp >= 0xd800 && cp <= 0xdfff) || // an unpaired surrogate
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe // noncharacters U+FFFE, U+FFFF, U+1FFFE…
  );
}

/** `text` with every control, format and invisible character escaped (see the module header). */
export function escapeForTerminal(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (isInvisibleFormat(cp)) out += `\\u{${cp.toString(16).padStart(4, "0")}}`;
    else out += ch;
  }
  return out;
}

/** `escapeForTerminal` for text meant to span lines (a listing): newlines and tabs are kept. */
export function escapeLinesForTerminal(text: string): string {
  return text
    .split("\n")
    .map((line) => line.split("\t").map(escapeForTerminal).join("\t"))
    .join("\n");
}

/**
 * The start of a piece of input quoted in an error message: at most `maxChars` characters, with an
 * ellipsis when cut, so one line names what was wrong without repeating a whole file. (Escaping
 * control characters is the printer's job: `escapeForTerminal`.)
 */
export function previewText(text: string, maxChars = 32): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
