/**
 * What a command may touch, passed in rather than reached for: output streams, stdin, the
 * environment and the clock. `main.ts` builds the real one; tests build their own and run
 * commands in-process with a frozen clock.
 */
export interface CliContext {
  /** Write to standard output (the caller adds newlines). */
  readonly out: (text: string) => void;
  /** Write to standard error. */
  readonly err: (text: string) => void;
  /** Read standard input whole; more than `maxBytes` is an input error raised before buffering it all. */
  readonly readStdin: (maxBytes: number) => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The current time in epoch seconds (frozen in tests). */
  readonly now: () => number;
  /** A fresh random UUID (KSR and bundle ids, TrustAnchor ids): the platform's Web Crypto `randomUUID`. */
  readonly newId: () => string;
  /** Ask a question on the terminal and return the answer line (without the newline). */
  readonly prompt: (question: string) => Promise<string>;
  /** Ask for a secret on the terminal without echo. */
  readonly promptSecret: (question: string) => Promise<string>;
  /** Is standard input a terminal (so that prompting is possible)? */
  readonly interactive: boolean;
  /** Is standard error a terminal (so that a progress bar may be drawn)? Absent means no. */
  readonly stderrIsTerminal?: boolean;
  /** The width of the terminal standard error shows on, when it is one. */
  readonly terminalColumns?: number;
  /**
   * Redraw a progress line on standard error (carriage returns kept). Only for text the toolkit
   * makes itself — it is not escaped as `err` is, so it must never quote input. Absent means none.
   */
  readonly progress?: (text: string) => void;
}
