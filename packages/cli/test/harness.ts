/**
 * Run `ksk` in-process with a frozen clock and captured output, as the tests of every command do.
 * Spawning the real binary is left to the end-to-end tests (see test/cli-process.test.ts).
 */
import { KskError } from "@ksk/core";
import type { CliContext } from "../src/context.js";
import { run } from "../src/main.js";

export interface KskResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KskRunOptions {
  readonly stdin?: string | Uint8Array;
  /** Frozen "now", epoch seconds (default 2026-11-28T00:00:00Z). */
  readonly now?: number;
  readonly env?: Record<string, string | undefined>;
  /** Answers to terminal prompts, in order. */
  readonly answers?: readonly string[];
}

export const DEFAULT_NOW = Date.UTC(2026, 10, 28) / 1000;

export async function ksk(args: readonly string[], options: KskRunOptions = {}): Promise<KskResult> {
  let stdout = "";
  let stderr = "";
  const answers = [...(options.answers ?? [])];
  const answer = async (question: string) => {
    stderr += question;
    const next = answers.shift();
    if (next === undefined) throw new Error(`test gave no answer to the prompt: ${question}`);
    return next;
  };
  const ctx: CliContext = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    readStdin: async (maxBytes) => {
      const bytes = typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : (options.stdin ?? new Uint8Array());
      if (bytes.length > maxBytes)
        throw new KskError("input", "INPUT-TOO-LARGE", `is over ${maxBytes} bytes; at most ${maxBytes} accepted`, { where: "stdin" });
      return bytes;
    },
    // The suite's cheap scrypt cost (vitest.config.ts) reaches in-process runs as it reaches spawned ones.
    env: { ...(process.env.KSK_SCRYPT_LOG2N ? { KSK_SCRYPT_LOG2N: process.env.KSK_SCRYPT_LOG2N } : {}), ...(options.env ?? {}) },
    now: () => options.now ?? DEFAULT_NOW,
    newId: () => globalThis.crypto.randomUUID(),
    prompt: answer,
    promptSecret: answer,
    interactive: options.answers !== undefined,
  };
  const code = await run(args, ctx);
  return { code, stdout, stderr };
}
