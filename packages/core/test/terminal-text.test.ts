/**
 * escapeForTerminal: every control, format and invisible character as a visible escape; printable
 * text of any script, and DNS presentation escapes, unchanged.
 */
import { describe, expect, it } from "vitest";
import { escapeForTerminal, escapeLinesForTerminal } from "../src/index.js";

describe("escapeForTerminal", () => {
  it("escapes C0 controls, DEL and C1 controls as \\xNN", () => {
    expect(escapeForTerminal("a\u0000b\u001b[2Jc\nd\re\tf\u007fg\u009bh")).toBe("a\\x00b\\x1b[2Jc\\x0ad\\x0de\\x09f\\x7fg\\x9bh");
  });

  it("escapes bidi overrides, line separators, zero-width characters, BOM, lone surrogates and noncharacters", () => {
    expect(escapeForTerminal("x\u202ey\u2028z\u200b\ufeff\ud800\uffff")).toBe("x\\u{202e}y\\u{2028}z\\u{200b}\\u{feff}\\u{d800}\\u{ffff}");
  });

  it("keeps printable text of any script and DNS escapes; is idempotent", () => {
    const text = "Zone a\\032b.example. Ωμέγα 根 \ufffd";
    expect(escapeForTerminal(text)).toBe(text);
    const once = escapeForTerminal("a\u001bb");
    expect(escapeForTerminal(once)).toBe(once);
  });

  it("escapeLinesForTerminal keeps newlines and tabs of a listing", () => {
    expect(escapeLinesForTerminal("a\tb\u001b\nc\r\n")).toBe("a\tb\\x1b\nc\\x0d\n");
  });
});
