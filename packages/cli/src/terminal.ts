/**
 * Questions asked at the operator's terminal: the witness "Yes", a confirmation, a PIN or a
 * passphrase. The question goes to standard error (standard output may be a file being written);
 * the answer is one line read from standard input while it is a terminal.
 *
 * A secret is read with the terminal in raw mode and nothing is echoed, not even a `*` per
 * character, so neither the screen nor a recording of it shows the secret's length. Backspace and
 * Ctrl-U edit the line; Ctrl-C, and Ctrl-D (or end of input) before Enter, are a refusal by the
 * operator (exit 5): nothing was answered, so nothing is done.
 *
 * Left out: line editing beyond backspace / Ctrl-U for secrets (no cursor movement), and prompting
 * on /dev/tty when standard input is redirected — a ceremony's answers come from the person at the
 * terminal that started the command, or from `--yes` / PIN files in scripted lab runs.
 */
import { createInterface } from "node:readline";
import { KskError } from "@ksk/core";

/** The operator ended the input (Ctrl-D, closed standard input) or interrupted (Ctrl-C). */
function noAnswer(how: string): KskError {
  return new KskError("refused", "NO-ANSWER", `${how} before an answer was given: nothing was done`);
}

/**
 * Where a prompt is drawn, with the width readline wraps it at. A step of `ksk ceremony run` or
 * `ksk lab` asks through the runner, which relays its standard error (a pipe: no width) to the
 * terminal and says the terminal's width in KSK_TERMINAL_COLUMNS, so a long prompt and the answer
 * typed after it are drawn for the screen they reach.
 */
export function promptOutput(output: NodeJS.WriteStream, env: Readonly<Record<string, string | undefined>>): NodeJS.WriteStream {
  const columns = Number(env.KSK_TERMINAL_COLUMNS);
  if (!output.isTTY && Number.isInteger(columns) && columns >= 20 && columns <= 1000) {
    Object.defineProperty(output, "columns", { value: columns, configurable: true });
  }
  return output;
}

/** Ask a question and read one line, echoed as typed (readline's line editing). */
export function askLine(input: NodeJS.ReadStream, output: NodeJS.WritableStream, question: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input, output, terminal: input.isTTY === true });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    // The order matters: `close` fires synchronously inside rl.close(), so the answer is settled first.
    rl.question(question, (answer) => {
      settle(() => resolve(answer));
      rl.close();
    });
    rl.on("SIGINT", () => {
      settle(() => reject(noAnswer("interrupted (Ctrl-C)")));
      output.write("\n");
      rl.close();
    });
    rl.on("close", () => settle(() => reject(noAnswer("standard input closed"))));
  });
}

/** Ask for a secret and read it with the terminal in raw mode, echoing nothing. */
export function askSecret(input: NodeJS.ReadStream, output: NodeJS.WritableStream, question: string): Promise<string> {
  if (!input.isTTY) return askLine(input, output, question);
  return new Promise<string>((resolve, reject) => {
    let typed = "";
    const decoder = new TextDecoder();
    const finish = (error: KskError | undefined) => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onEnd = () => finish(noAnswer("standard input closed"));
    const onData = (chunk: Buffer) => {
      for (const ch of decoder.decode(chunk, { stream: true })) {
        switch (ch) {
          case "\r":
          case "\n":
            return finish(undefined);
          case "\u0003": // Ctrl-C
            return finish(noAnswer("interrupted (Ctrl-C)"));
          case "\u0004": // Ctrl-D
            if (typed === "") return finish(noAnswer("standard input closed"));
            break;
          case "\u007f": // DEL, sent by the Backspace key
          case "\b":
            typed = Array.from(typed).slice(0, -1).join("");
            break;
          case "\u0015": // Ctrl-U: erase the line
            typed = "";
            break;
          default:
            typed += ch;
        }
      }
    };
    // Raw mode before the question shows: an answer typed the moment it appears is not echoed.
    input.setRawMode(true);
    output.write(question);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}
