/**
 * Text from outside (file contents, names, XML values) made safe to print on an operator's
 * terminal in one line: C0 controls (NUL, ESC, CR, LF, TAB…), DEL, C1 controls (U+0080–U+009F,
 * which some terminals read as CSI) and the Unicode bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069, which reorder what a witness reads; CVE-2021-42574) are shown as
 * `\xHH` or `\u{HHHH}` escapes; a backslash stays as it is. Everything else passes unchanged.
 * Leaves out: quoting for shells, and lone surrogates (JavaScript strings from TextDecoder have none).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/** `text` with every control and bidi-override character escaped; safe for one terminal line. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
