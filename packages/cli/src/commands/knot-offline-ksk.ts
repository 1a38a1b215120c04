/**
 * Knot DNS's offline-KSK mode in `ksk skr` and `ksk ksr`: `skr sign` of a KSR written by
 * `keymgr generate-ksr` (the SKR is written in Knot's format for `keymgr validate-skr` and
 * `import-skr`); `skr import --format knot`, which turns an SKR written by `keymgr sign-ksr` into
 * the KSR/SKR XML that `skr verify`, `rollover check` and `zone sign` read; and
 * `ksr export --format knot`, which writes a KSR's bundles as Knot's KSR for `keymgr sign-ksr`.
 *
 * The signing act is the ceremony's own, @ksk/signer's `signQuarter`: the same witness lines, checks
 * before signing (Knot's: the KSR checks a Knot KSR cannot be held to are listed SKIP with the
 * reason), slot tables, the question naming the signing keys and a typed "Yes", signatures made
 * through the HSM and verified in software, and checks after signing on the file as written (in
 * Knot's format) and read back before it is renamed into place. Knot's KSR chains to nothing in
 * the file, so there is no previous SKR here.
 */
import path from "node:path";
import { KskError, formatIsoZ } from "@ksk/core";
import {
  DEFAULT_MAX_KSR_BYTES,
  knotFileKind,
  requestToKnotKsr,
  knotKsrToRequest,
  knotPeriodTable,
  knotSkrToResponse,
  parseKnotText,
  parseKsrXml,
  writeKnotText,
  writeKsrXml,
} from "@ksk/ksr";
import { KNOT_CHECKS, type SignerConfig, fitSchemaToBundles, knotSkrFormat, knotSlicing, parseSignerConfig, signQuarter } from "@ksk/signer";
import { fileWitnessLines } from "@ksk/ceremony";
import type { CliContext } from "../context.js";
import { STDIN_ARGUMENT, checkOutputWritable, decodeUtf8, readInput, writeOutput } from "../io.js";
import type { KeystoreArgs } from "../keystore-args.js";
import { openKsks } from "../ksk-keys.js";
import { loadKsr } from "../ksr-files.js";
import { timeOption } from "../options.js";
import { keyWitnessLines, signedLines, signingHooks, witnessPrinter } from "../signing-display.js";

/** What the SKR's closing line names as its writer. */
const GENERATOR = "ksk (KSK ceremony toolkit)";

export interface KnotSignArgs extends KeystoreArgs {
  ksr: string;
  config: string;
  schema: string;
  now: string | undefined;
  yes: boolean;
  force: boolean;
  output: string | undefined;
  /** Refused when given: a Knot KSR chains to no SKR in the file. */
  previousSkr: string | false | undefined;
}

/** `ksk skr sign` of a Knot KSR: @ksk/signer's signQuarter with Knot's checks, the SKR written in Knot's format. */
export async function signKnotKsr(ctx: CliContext, argv: KnotSignArgs): Promise<void> {
  if (typeof argv.previousSkr === "string") {
    throw new KskError(
      "usage",
      "USAGE-PREVIOUS-SKR",
      "--previous-skr is for IANA's XML KSRs: a Knot KSR chains to no SKR (Knot keeps its chain in the KASP database)",
    );
  }
  const now = timeOption(ctx, argv.now, "--now");
  const configInput = await readInput(ctx, argv.config);
  const config: SignerConfig = parseSignerConfig(decodeUtf8(configInput), configInput.name);
  const configured = config.filenames.outputSkr;
  const outputFile = argv.output ?? (configured === undefined ? undefined : path.resolve(path.dirname(argv.config), configured));
  if (outputFile === undefined) throw new KskError("usage", "USAGE-OUTPUT", "give the SKR file to write with -o (or filenames.output_skr in the config)");
  await checkOutputWritable(outputFile, argv.force);
  const named = config.schemas.get(argv.schema);
  if (!named) throw new KskError("usage", "USAGE-SCHEMA", `--schema: no schema "${argv.schema}"; known: ${[...config.schemas.keys()].join(", ")}`);

  const ksrInput = await readInput(ctx, argv.ksr, DEFAULT_MAX_KSR_BYTES);
  const knot = parseKnotText(ksrInput.bytes, { fileName: ksrInput.name, kind: "ksr" });
  const slicing = knotSlicing(config.kskPolicy);
  const ksr = knotKsrToRequest(knot, slicing);
  const show = witnessPrinter(ctx);
  show([
    "== Files (compare the SHA-256 and PGP words with the ones received)",
    ...fileWitnessLines("Knot KSR", ksrInput),
    ...fileWitnessLines("Config", configInput),
    `Knot KSR: ${knot.periods.length} periods from ${formatIsoZ(knot.periods[0]?.startEpochSeconds ?? 0)}, written by ${knot.generator}`,
    ...knotPeriodTable(knot),
    "Previous SKR: none (a Knot KSR chains to no SKR in the file; the chain checks are not run)",
  ]);

  // The PIN first (when asked for), then the whole display, then the Yes: nothing comes between them.
  const ksks = await openKsks(ctx, config, argv.config, fitSchemaToBundles(named, ksr.bundles.length), argv);
  try {
    show(["", ...keyWitnessLines(ksks, ksr.domain)]);
    const done = await signQuarter(
      {
        ksr,
        config,
        // knotPreflight lays the schema over the Knot KSR's bundles itself (SCHEMA-FITS-KSR).
        schema: named,
        ksks: ksks.materials,
        signers: ksks.signers,
        nowEpochSeconds: now,
        outputName: outputFile,
        checks: KNOT_CHECKS,
        format: knotSkrFormat(slicing, GENERATOR, now),
      },
      signingHooks(ctx, { nowEpochSeconds: now, outputFile, force: argv.force, yes: argv.yes, beforeNote: "SKIP: cannot apply to a Knot KSR" }),
    );
    show(signedLines("SKR written (Knot format)", outputFile, done));
  } finally {
    await ksks.close();
  }
}

export interface KnotImportArgs {
  skr: string;
  output: string;
  force: boolean;
}

/** `ksk skr import --format knot`: a Knot SKR as KSR/SKR XML, checked to read back as the same model. */
export async function importKnotSkr(ctx: CliContext, argv: KnotImportArgs): Promise<void> {
  await checkOutputWritable(argv.output, argv.force);
  const input = await readInput(ctx, argv.skr, DEFAULT_MAX_KSR_BYTES);
  const knot = parseKnotText(input.bytes, { fileName: input.name, kind: "skr" });
  const skr = knotSkrToResponse(knot, input.name);
  const bytes = writeKsrXml(skr);
  await writeOutput(argv.output, bytes, {
    force: argv.force,
    verify: (written) => {
      const reread = parseKsrXml(written, { fileName: argv.output }).document;
      if (reread.kind !== "response" || reread.bundles.length !== skr.bundles.length) {
        throw new KskError("input", "KSR-WRITE-MISMATCH", "the SKR written does not read back as the Knot SKR imported", { where: argv.output });
      }
    },
  });
  for (const line of fileWitnessLines("Knot SKR", input)) ctx.out(`${line}\n`);
  ctx.out(`wrote ${argv.output}: SKR ${skr.id} for ${skr.domain}, ${skr.bundles.length} periods written by ${knot.generator}\n`);
  for (const line of knotPeriodTable(knot)) ctx.out(`${line}\n`);
}

export type KsrFormat = "auto" | "iana" | "knot";

/**
 * Whether `skr sign` is given a Knot KSR: `--ksr-format knot`, or (auto) a file whose first line is
 * Knot's KSR header. Standard input is read once, so it is taken as IANA's XML unless named knot.
 */
export async function isKnotKsr(ctx: CliContext, file: string, format: KsrFormat = "auto"): Promise<boolean> {
  if (format !== "auto") return format === "knot";
  if (file === "-" || file === STDIN_ARGUMENT) return false;
  return knotFileKind((await readInput(ctx, file, DEFAULT_MAX_KSR_BYTES)).bytes) === "ksr";
}

export interface KnotExportArgs {
  ksr: string;
  output: string;
  force: boolean;
  now: string | undefined;
}

/** `ksk ksr export --format knot`: a KSR's bundles as Knot's KSR periods, for `keymgr sign-ksr`. */
export async function exportKnotKsr(ctx: CliContext, argv: KnotExportArgs): Promise<void> {
  const now = timeOption(ctx, argv.now, "--now");
  await checkOutputWritable(argv.output, argv.force);
  const loaded = await loadKsr(ctx, argv.ksr);
  const knot = requestToKnotKsr(loaded.document, GENERATOR, now);
  const bytes = writeKnotText(knot);
  await writeOutput(argv.output, bytes, {
    force: argv.force,
    verify: (written) => {
      const reread = parseKnotText(written, { fileName: argv.output, kind: "ksr" });
      if (reread.periods.length !== knot.periods.length) {
        throw new KskError("input", "KSR-WRITE-MISMATCH", "the Knot KSR written does not read back with every period", { where: argv.output });
      }
    },
  });
  ctx.out(`wrote ${argv.output}: Knot KSR of ${knot.periods.length} periods from KSR ${loaded.document.id} (${loaded.name})\n`);
  for (const line of fileWitnessLines("Knot KSR", { name: argv.output, bytes })) ctx.out(`${line}\n`);
}
