/**
 * The relay of a prompting step's standard error: the cursor moves and erasures readline draws a
 * prompt with reach the terminal as control bytes; every other control (a screen clear, a title,
 * colours, a bare ESC, NUL, BEL) and invisible format character is shown escaped, also when a
 * sequence is split between two writes.
 */
import { describe, expect, it } from "vitest";
import { TerminalRelay } from "../src/terminal-relay.js";

const relayAll = (...chunks: string[]) => {
  const relay = new TerminalRelay();
  return chunks.map((c) => relay.push(c)).join("") + relay.flush();
};

describe("TerminalRelay", () => {
  it("keeps readline's prompt drawing as control bytes", () => {
    const prompt = "\u001b[1G\u001b[0JSign 9 bundles? Type Yes to continue: \u001b[39G";
    expect(relayAll(prompt, "Y", "e", "s", "\r\n")).toBe(`${prompt}Yes\r\n`);
    expect(relayAll("a\tb\bc\u001b[2K\u001b[J\u001b[3A\u001b[B\u001b[C\u001b[D")).toBe("a\tb\bc\u001b[2K\u001b[J\u001b[3A\u001b[B\u001b[C\u001b[D");
  });

  it("escapes every other control and format character", () => {
    expect(relayAll("\u001b[2J\u001b[12;1H\u001b]0;title\u0007\u001b[31mred\u001b[0m")).toBe("\\x1b[2J\\x1b[12;1H\\x1b]0;title\\x07\\x1b[31mred\\x1b[0m");
    expect(relayAll("name\u0000\u009b\u202eevil\u001bc")).toBe("name\\x00\\x9b\\u{202e}evil\\x1bc");
  });

  it("holds a sequence split between writes until it ends, and escapes one left unfinished", () => {
    const relay = new TerminalRelay();
    expect(relay.push("ask: \u001b")).toBe("ask: ");
    expect(relay.push("[6")).toBe("");
    expect(relay.push("1Gok \u001b[2")).toBe("\u001b[61Gok ");
    expect(relay.push("J")).toBe("\\x1b[2J");
    expect(relay.push("end \u001b[1")).toBe("end ");
    expect(relay.flush()).toBe("\\x1b[1");
  });
});
