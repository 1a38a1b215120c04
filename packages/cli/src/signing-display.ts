/**
 * What `ksk skr sign` prints around @ksk/signer's `signQuarter`, for an IANA KSR and a Knot KSR
 * alike: the witness lines (HSM tokens and KSKs with their DS as PGP words), the checks of each
 * stage, the bundle tables, the large-DNSKEY-answer warning, the question naming the signing keys
 * with its typed "Yes", and the SKR's own witness lines once written. Every block is wrapped to a
 * projected terminal's width; a FAIL line is kept whole, to be quoted as one line.
 *
 * Left out: reading the files and opening the KSKs (the command's handler does that).
 */
import { type CheckResult, checkLine, formatIsoZ } from "@ksk/core";
import { DNSKEY_RESPONSE_WARN_BYTES, type SignQuarterHooks, type SignQuarterReport, WITNESS_COLUMNS, fitLines, hsmLines, kskLines } from "@ksk/signer";
import { confirmYes, fileWitnessLines } from "@ksk/ceremony";
import type { CliContext } from "./context.js";
import { writeOutput } from "./io.js";
import type { OpenedKsks } from "./ksk-keys.js";

/** Print lines wrapped to WITNESS_COLUMNS, a FAIL line kept whole. */
export function witnessPrinter(ctx: CliContext): (lines: readonly string[]) => void {
  return (lines) => ctx.out(`${fitLines(lines, WITNESS_COLUMNS, (l) => /^\s*FAIL\b/.test(l)).join("\n")}\n`);
}

function resultLines(results: readonly CheckResult[]): string[] {
  return results.map((r) => `  ${checkLine(r)}`);
}

/** The HSM tokens and each KSK's DS SHA-256, for the witnesses to compare with the key's record. */
export function keyWitnessLines(ksks: OpenedKsks, domain: string): string[] {
  return [
    ...hsmLines(ksks.hsms),
    "",
    ...kskLines(
      [...ksks.materials.values()].map((m) => ({ label: m.config.label, dnskey: m.dnskey })),
      domain,
    ),
  ];
}

export interface SigningHookOptions {
  readonly nowEpochSeconds: number;
  readonly outputFile: string;
  readonly force: boolean;
  /** --yes: the confirmation is taken as given (lab runs). */
  readonly yes: boolean;
  /** Said after "Checks before signing (at …" — e.g. what SKIP means for a Knot KSR. */
  readonly beforeNote?: string;
}

/** signQuarter's hooks: print each stage's checks, show the tables and ask, write through the atomic writer. */
export function signingHooks(ctx: CliContext, options: SigningHookOptions): SignQuarterHooks {
  const show = witnessPrinter(ctx);
  return {
    onChecks: (stage, report) => {
      const note = options.beforeNote === undefined ? "" : `; ${options.beforeNote}`;
      const title =
        stage === "before"
          ? `Checks before signing (at ${formatIsoZ(options.nowEpochSeconds)}${note})`
          : "Checks after signing (on the SKR as written and read back)";
      show(["", `== ${title}`, ...resultLines(report.results)]);
      for (const w of report.warnings) ctx.err(`ksk: WARNING: ${w}\n`);
    },
    confirm: (display) => {
      show(display.tables.flatMap((t) => ["", ...t]));
      // Once per command, not once per slot: one line within a projected terminal's 100 columns;
      // the planned SKR's table marks each such slot with "!".
      if (display.largeSlots.length > 0) {
        const largest = Math.max(...display.largeSlots.map((b) => b.sizeBytes));
        ctx.err(
          `ksk: WARNING: DNSKEY answer over ${DNSKEY_RESPONSE_WARN_BYTES} B in ${display.largeSlots.length} slot(s) (marked !), up to ${largest} B: UDP may truncate it\n`,
        );
      }
      return confirmYes(ctx, `\n${display.question}`, options.yes, "nothing was signed", "Type Yes to sign:");
    },
    write: (bytes, verify) => writeOutput(options.outputFile, bytes, { force: options.force, verify }),
  };
}

/** The SKR's witness lines once written, and what was signed. */
export function signedLines(title: string, outputFile: string, done: SignQuarterReport): string[] {
  return [
    "",
    ...fileWitnessLines(title, { name: outputFile, bytes: done.bytes }),
    `Signed ${done.skr.bundles.length} bundles, ${done.skr.bundles.reduce((n, b) => n + b.signatures.length, 0)} signatures; confirmation: ${done.consent}.`,
  ];
}
