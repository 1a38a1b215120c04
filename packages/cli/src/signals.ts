/**
 * SIGINT and SIGTERM for the `ksk` process: a run that is interrupted removes its temporary output
 * files, says so on one line and exits 130 or 143 (128 + the signal). A command that handles the
 * signal itself (a ceremony records the interruption in its transcript, then stops its step) is
 * left to finish doing so.
 *
 * A handler runs only when the event loop turns. Zone commands read their input in chunks through
 * the event loop (./zone-input.ts), but their long pure computations (canonical order, NSEC,
 * ZONEMD, validation: seconds for a large zone) do not yield; `withDefaultSignals` runs such a
 * computation with the signals' default action, which ends the process at once — nothing is
 * printed, and no temporary file exists then (outputs are written after it). The shell sees the
 * same status, 130 or 143.
 *
 * Left out: SIGHUP, SIGQUIT (their default actions apply throughout).
 */
import { abandonPendingWrites } from "@ksk/files";

const STOP_SIGNALS = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
] as const;

const installed = new Map<NodeJS.Signals, () => void>();

/** Install the process's stop handlers (once, from `runAsProcess`). */
export function installStopHandlers(): void {
  for (const [signal, number] of STOP_SIGNALS) {
    const handler = () => {
      abandonPendingWrites();
      if (process.listenerCount(signal) > 1) return;
      process.stderr.write(`\nksk: ${signal}: stopped (temporary output files removed)\n`);
      process.exit(128 + number);
    };
    installed.set(signal, handler);
    process.on(signal, handler);
  }
}

/**
 * Run a synchronous computation that writes nothing with SIGINT and SIGTERM at their default
 * action (see the header), when only this module's handlers are installed; otherwise as is.
 */
export function withDefaultSignals<T>(compute: () => T): T {
  const detached = [...installed].filter(([signal]) => process.listenerCount(signal) === 1);
  for (const [signal, handler] of detached) process.off(signal, handler);
  try {
    return compute();
  } finally {
    for (const [signal, handler] of detached) process.on(signal, handler);
  }
}
