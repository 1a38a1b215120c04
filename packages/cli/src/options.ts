/**
 * Option values shared by several commands, parsed the same way everywhere: a bad value is a
 * usage error (exit 2) naming the option.
 */
import { KskError, parseTimeArgument } from "@ksk/core";
import type { CliContext } from "./context.js";

/** A time option (ISO 8601 UTC, YYYYMMDDHHmmSS or @epoch); absent means now, from the context's clock. */
export function timeOption(ctx: CliContext, text: string | undefined, option: string): number {
  if (text === undefined) return ctx.now();
  try {
    return parseTimeArgument(text, option);
  } catch (e) {
    throw new KskError("usage", "USAGE-TIME", (e as KskError).detail ?? (e as Error).message);
  }
}
