/**
 * What a step that asks at the terminal writes to standard error, relayed to the operator's
 * terminal. Such a step (`skr sign` showing its display and asking for Yes or the PIN) draws its
 * prompt with readline: the cursor moved to a column (CSI n G), the rest of the screen or line
 * erased (CSI n J, CSI n K), a carriage return. Escaped as every other relayed text is, those bytes
 * showed as literal `\x1b[1G\x1b[0J` and `Yes\x0d` at the moment everyone watches; passed on as they
 * are, a control sequence in text the step quotes (a file or key name) could clear the screen or
 * pose as other text.
 *
 * So the relay lets through exactly the sequences readline draws a one-line prompt with (cursor up,
 * down, forward, back and to a column: CSI n A-D, CSI n G; erase in line: CSI n K; erase below the
 * cursor: CSI J, CSI 0 J — not CSI 2 J, which clears the screen) and the line controls CR, LF, TAB
 * and BS; every other
 * control character, escape sequence (OSC, a title, colours, a bare ESC) and invisible format
 * character is written as a visible escape (@ksk/core's escapeForTerminal). A sequence split
 * between two writes is held until its end arrives.
 *
 * Left out: deciding what the step prints (it is `ksk`, which escapes what it quotes itself) and
 * any sequence readline does not use for a one-line prompt.
 */
import { escapeForTerminal } from "@ksk/core";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the sequences a one-line prompt draws with
const CURSOR_SEQUENCE = /^\u001b\[(?:[0-9]{0,4}[A-DGK]|0?J)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the start of such a sequence, its end not yet written
const PARTIAL_SEQUENCE = /^\u001b(\[[0-9]{0,4})?$/;
const LINE_CONTROLS = /([\r\n\t\b])/;

/** Plain text (no ESC): the line controls kept, every other control or format character escaped. */
function escapeKeepingLineControls(text: string): string {
  return text
    .split(LINE_CONTROLS)
    .map((part) => (LINE_CONTROLS.test(part) && part.length === 1 ? part : escapeForTerminal(part)))
    .join("");
}

/** A stateful filter over one stream of terminal writes (see the module header). */
export class TerminalRelay {
  private held = "";

  /** The part of `text` (after what was held) that can be written now. */
  push(text: string): string {
    const s = this.held + text;
    this.held = "";
    let out = "";
    let i = 0;
    while (i < s.length) {
      const esc = s.indexOf("\u001b", i);
      out += escapeKeepingLineControls(s.slice(i, esc < 0 ? s.length : esc));
      if (esc < 0) break;
      const rest = s.slice(esc);
      const sequence = CURSOR_SEQUENCE.exec(rest);
      if (sequence) {
        out += sequence[0];
        i = esc + sequence[0].length;
      } else if (PARTIAL_SEQUENCE.test(rest)) {
        this.held = rest;
        break;
      } else {
        out += "\\x1b";
        i = esc + 1;
      }
    }
    return out;
  }

  /** What is still held at the end of the stream (an unfinished sequence), escaped. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return escapeForTerminal(rest);
  }
}
