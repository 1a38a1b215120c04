/**
 * TEST ONLY: run the real `ksk` process on a pseudo-terminal, as an operator at a console does,
 * and answer its prompts by typing. util-linux `script` allocates the terminal (`-q` quiet, `-e`
 * the command's exit status, `-c` the command, log to /dev/null); what is written to script's
 * standard input is typed at the terminal, and script's output is the terminal screen: the
 * command's stdout and stderr plus whatever the terminal echoes.
 *
 * Each answer is typed only once its prompt is on the screen, as a person would: typed earlier,
 * the terminal (still in cooked mode) would echo it, secret or not. Enter is a carriage return,
 * as a keyboard sends it.
 */
import { spawn } from "node:child_process";

export interface TypedAnswer {
  /** Type once the screen shows this text (counted from after the previous answer's prompt). */
  readonly after: string;
  /** What to type, e.g. "Yes\r"; "\u0004" is Ctrl-D at an empty line (end of input). */
  readonly type: string;
  /**
   * Done once the prompt shows, before typing: a fault injected while the command waits (a key
   * deleted, a token directory removed), so that it strikes between the command's start and its use.
   */
  readonly meanwhile?: () => void;
}

export interface PtyResult {
  readonly code: number;
  /** Everything the terminal showed, carriage returns removed. */
  readonly screen: string;
}

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Run `argv` on a fresh pseudo-terminal, typing each answer when its prompt appears. */
export function runOnTerminal(
  argv: readonly string[],
  answers: readonly TypedAnswer[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<PtyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-q", "-e", "-c", argv.map(shellQuote).join(" "), "/dev/null"], {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    let searchFrom = 0;
    let next = 0;
    // A guard against a prompt that never comes (the test then fails on the screen shown), not a timing.
    const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const onOutput = (chunk: Buffer) => {
      screen += chunk.toString("utf8");
      while (next < answers.length) {
        const at = screen.indexOf(answers[next]!.after, searchFrom);
        if (at < 0) break;
        searchFrom = at + answers[next]!.after.length;
        answers[next]!.meanwhile?.();
        child.stdin.write(answers[next]!.type);
        next++;
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      child.stdin.destroy();
      const shown = screen.replaceAll("\r", "");
      if (code === null) reject(new Error(`script was killed by ${signal}; the screen showed:\n${shown}`));
      else resolve({ code, screen: shown });
    });
  });
}
