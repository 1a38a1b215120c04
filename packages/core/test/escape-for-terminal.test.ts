/**
 * escapeForTerminal: control characters, C1 controls and bidi overrides (CVE-2021-42574) become
 * visible escapes; ordinary text, including non-ASCII letters, passes unchanged.
 */
import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../src/index.js";

describe("escapeForTerminal", () => {
  it("escapes NUL, ESC, CR, LF, TAB, DEL and C1 controls as \\xHH", () => {
    expect(escapeForTerminal("a\u0000b\u001b[31mc\r\nd\te\u007ff\u009bg")).toBe("a\\x00b\\x1b[31mc\\x0d\\x0ad\\x09e\\x7ff\\x9bg");
  });
  it("escapes bidi overrides and isolates as \\u{HHHH}", () => {
    expect(escapeForTerminal("key \u202eabc\u2066")).toBe("key \\u{202e}abc\\u{2066}");
  });
  it("leaves printable text alone", () => {
    const text = 'file.xml:3: KeyTag "19036" — Zürich, 東京, \\ backslash';
    expect(escapeForTerminal(text)).toBe(text);
  });
});
