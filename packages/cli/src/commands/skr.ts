/**
 * `ksk skr sign | verify | show` — the KSK side of the ceremony.
 *
 * `sign` runs the ceremony's signing act: read the KSR, SKR(n-1) and the config (keeping their
 * bytes), open the KSKs the schema names, run every check before signing, show the witnesses each
 * file's SHA-256 and PGP words and the bundle tables (previous SKR, KSR, planned SKR, with the DNSKEY
 * answer size of each slot), ask for an exact "Yes", sign through the HSM (each signature verified in
 * software), write the SKR to a temporary file, read it back and run every check after signing on
 * what was written, and only then rename it into place. Any failure leaves no SKR behind.
 */
import path from "node:path";
import { KskError, checkLine, formatIsoZ } from "@ksk/core";
import type { KsrResponseDocument } from "@ksk/ksr";
import { type SignerConfig, parseSignerConfig, signQuarter, verifySkr } from "@ksk/signer";
import { loadAnchors } from "../anchors-input.js";
import { showDocument } from "../document-show.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { checkOutputWritable, decodeUtf8, printJson, readInput } from "../io.js";
import { type KeystoreArgs, withKeystoreArguments } from "../keystore-args.js";
import { openKsks } from "../ksk-keys.js";
import { loadKsr, loadSkr } from "../ksr-files.js";
import { timeOption } from "../options.js";
import { keyWitnessLines, signedLines, signingHooks, witnessPrinter } from "../signing-display.js";
import { fileWitnessLines, sha256Hex } from "@ksk/ceremony";
import { type CommandFactory, type SetExitCode, command } from "./command.js";
import { type KsrFormat, importKnotSkr, isKnotKsr, signKnotKsr } from "./knot-offline-ksk.js";

interface SignArgs extends KeystoreArgs {
  ksr: string;
  config: string;
  /** A file, or false for an explicit --no-previous-skr. */
  previousSkr: string | false | undefined;
  schema: string;
  now: string | undefined;
  yes: boolean;
  force: boolean;
  output: string | undefined;
  ksrFormat: KsrFormat | undefined;
}

async function sign(ctx: CliContext, argv: SignArgs): Promise<void> {
  if (await isKnotKsr(ctx, argv.ksr, argv.ksrFormat)) return signKnotKsr(ctx, argv);
  const now = timeOption(ctx, argv.now, "--now");
  const configInput = await readInput(ctx, argv.config);
  const config: SignerConfig = parseSignerConfig(decodeUtf8(configInput), configInput.name);
  const configDir = path.dirname(argv.config);
  const fromConfig = (file: string | undefined) => (file === undefined ? undefined : path.resolve(configDir, file));
  const outputFile = argv.output ?? fromConfig(config.filenames.outputSkr);
  if (outputFile === undefined) throw new KskError("usage", "USAGE-OUTPUT", "give the SKR file to write with -o (or filenames.output_skr in the config)");
  // Before any key is opened or any witness asked: a signing whose result cannot be kept is refused now.
  await checkOutputWritable(outputFile, argv.force);
  const previousFile = argv.previousSkr === false ? undefined : (argv.previousSkr ?? fromConfig(config.filenames.previousSkr));
  if (previousFile === undefined && argv.previousSkr !== false) {
    throw new KskError(
      "usage",
      "USAGE-PREVIOUS-SKR",
      "give the previous SKR with --previous-skr (or filenames.previous_skr); --no-previous-skr signs without the chain checks, e.g. for a first quarter",
    );
  }
  if (previousFile === undefined) {
    ctx.err(
      "ksk: WARNING: --no-previous-skr: KSR-ID, the bundle-id uniqueness against SKR(n-1), KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, KSK-CHAIN-SIGNER and KSR-POLICY-SAFETY across quarters are NOT run\n",
    );
  }

  const schema = config.schemas.get(argv.schema);
  if (!schema) throw new KskError("usage", "USAGE-SCHEMA", `--schema: no schema "${argv.schema}"; known: ${[...config.schemas.keys()].join(", ")}`);

  const ksrInput = await loadKsr(ctx, argv.ksr);
  const ksr = ksrInput.document;
  const previous = previousFile === undefined ? undefined : await loadSkr(ctx, previousFile);

  // The PIN first (when asked for), then the whole display, then the Yes: nothing comes between them.
  const ksks = await openKsks(ctx, config, argv.config, schema, argv);
  try {
    const show = witnessPrinter(ctx);
    show([
      "== Files (compare the SHA-256 and PGP words with the ones received)",
      ...fileWitnessLines("KSR", ksrInput),
      ...(previous ? fileWitnessLines("Previous SKR", previous) : ["Previous SKR: none given (the chain checks are not run)"]),
      ...fileWitnessLines("Config", configInput),
      "",
      ...keyWitnessLines(ksks, ksr.domain),
    ]);
    const done = await signQuarter(
      {
        ksr,
        config,
        schema,
        ksks: ksks.materials,
        signers: ksks.signers,
        nowEpochSeconds: now,
        outputName: outputFile,
        ...(previous ? { previousSkr: previous.document } : {}),
      },
      signingHooks(ctx, { nowEpochSeconds: now, outputFile, force: argv.force, yes: argv.yes }),
    );
    show(signedLines("SKR written", outputFile, done));
  } finally {
    await ksks.close();
  }
}

/** `ksk skr verify`: every signature of an SKR in its bundle's window, and what is given to hold it to. */
function skrVerifyCommand(ctx: CliContext, setExitCode: SetExitCode) {
  return command({
    command: "verify <skr>",
    describe: "Verify every signature of an SKR in its bundle's window; optionally against an anchor, a KSR and a time",
    builder: (v) =>
      v
        .positional("skr", { type: "string", demandOption: true, describe: "The SKR file (- for stdin)" })
        .option("anchor", { type: "string", describe: "DS/DNSKEY zone-format file or root-anchors.xml: each bundle must be signed by an anchored key" })
        .option("ksr", { type: "string", describe: "The KSR the SKR must answer (same ids, ZSKs, windows)" })
        .option("now", { type: "string", describe: "Also require a bundle valid at this time or later" })
        .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
    handler: async (argv) => {
      const input = await loadSkr(ctx, argv.skr);
      const { document } = input;
      const skr = document as KsrResponseDocument;
      const nowEpochSeconds = argv.now === undefined ? undefined : timeOption(ctx, argv.now, "--now");
      const anchors = argv.anchor === undefined ? undefined : await loadAnchors(ctx, argv.anchor, nowEpochSeconds ?? ctx.now());
      const ksr = argv.ksr === undefined ? undefined : (await loadKsr(ctx, argv.ksr)).document;
      const report = verifySkr(skr, {
        ...(anchors ? { anchors: anchors.records } : {}),
        ...(ksr ? { ksr } : {}),
        ...(nowEpochSeconds === undefined ? {} : { nowEpochSeconds }),
      });
      if (argv.json) {
        printJson(ctx, { file: input.name, sha256Hex: sha256Hex(input.bytes), ...report });
      } else {
        for (const b of report.bundles) {
          const status = b.problems.length === 0 ? "OK  " : "FAIL";
          const sigs = b.signatures.map((s) => `${s.keyTag}${s.valid ? "" : "(bad)"}`).join(" ");
          ctx.out(
            `${status} bundle ${b.index + 1} ${formatIsoZ(b.inceptionEpochSeconds)}..${formatIsoZ(b.expirationEpochSeconds)} signed by ${sigs || "nobody"}\n`,
          );
          for (const p of b.problems) ctx.out(`       ${p.code}: ${p.detail}\n`);
        }
        for (const c of report.checks) ctx.out(`${checkLine(c)}\n`);
        ctx.out(`${report.ok ? "SKR verified" : "SKR NOT verified"}: ${input.name}\n`);
      }
      if (!report.ok) setExitCode(EXIT.checkFailed);
    },
  });
}

export const skrCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "skr <action>",
  builder: (y) =>
    y
      .command(
        command({
          command: "sign <ksr>",
          describe: "Sign a KSR with the KSK(s) in the HSM, after every check and a witness's typed Yes",
          builder: (v) =>
            withKeystoreArguments(v)
              .positional("ksr", { type: "string", demandOption: true, describe: "The KSR to sign" })
              .option("config", { type: "string", demandOption: true, describe: "ksrsigner.yaml (IANA's layout)" })
              .option("previous-skr", {
                type: "string",
                describe: "SKR(n-1), for the chain checks (default: filenames.previous_skr); --no-previous-skr to sign without them",
              })
              .option("schema", {
                type: "string",
                default: "normal",
                describe: "Rollover schema: normal, pre-publish, publish+, rollover, rollover+, revoke, revoke+ or one from the config",
              })
              .option("now", { type: "string", describe: "The ceremony time for the checks (default now)" })
              .option("yes", { type: "boolean", default: false, describe: "Scripted lab runs: take the witness's Yes as given (recorded in the output)" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
              .option("output", { alias: "o", type: "string", describe: "The SKR to write (default: filenames.output_skr)" })
              .option("ksr-format", {
                choices: ["auto", "iana", "knot"] as const,
                default: "auto" as const,
                describe: "The KSR's format: IANA's XML, or Knot DNS's keymgr generate-ksr text (the SKR is then written as Knot's); auto reads the first line",
              }),
          handler: (argv) => sign(ctx, argv),
        }),
      )
      .command(
        command({
          command: "import <skr>",
          describe: "Convert an SKR written by another tool (Knot DNS's keymgr sign-ksr) into KSR/SKR XML for skr verify, rollover check and zone sign",
          builder: (v) =>
            v
              .positional("skr", { type: "string", demandOption: true, describe: "The SKR file (- for stdin)" })
              .option("format", { choices: ["knot"] as const, demandOption: true, describe: "The SKR's format" })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "The SKR XML to write" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" }),
          handler: (argv) => importKnotSkr(ctx, argv),
        }),
      )
      .command(skrVerifyCommand(ctx, setExitCode))
      .command(
        command({
          command: "show <skr>",
          describe: "Show an SKR: bundle table and policy, each bundle as zone records, or JSON",
          builder: (v) =>
            v
              .positional("skr", { type: "string", demandOption: true, describe: "The SKR file (- for stdin)" })
              .option("format", { choices: ["table", "zone", "json"] as const, default: "table" as const, describe: "Output format" })
              .option("bundle", { type: "number", describe: "Only this bundle (1-based), for --format zone: pipe it into ksk rrset verify -" }),
          handler: async (argv) => {
            showDocument(ctx, await loadSkr(ctx, argv.skr), argv.format, argv.bundle);
          },
        }),
      ),
  handler: () => undefined,
});
