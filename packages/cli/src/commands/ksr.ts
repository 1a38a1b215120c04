/**
 * `ksk ksr build | validate | show` — the ZSK operator's Key Signing Request: build one from the
 * ZSKs in a keystore, validate one (every IANA check, optionally chained to SKR(n-1)), and show
 * one (bundle table and policy, or every bundle as DNS presentation records for auditors).
 * Exit codes: 0 all enabled checks pass, 1 a check failed, 3 bad input (nothing written).
 */
import { KskError, type Signer, checkLine, formatIsoZ } from "@ksk/core";
import { ianaLabelTime } from "@ksk/keygen";
import { openKeystore } from "@ksk/keystore";
import {
  type KsrCheckReport,
  type KsrPolicyFile,
  anchoredSkrKsks,
  buildCheckedKsr,
  checkKsrReadsBack,
  runKsrChecks,
  zsksInRoleOrder,
  defaultKsrPolicy,
  parseKsrPolicyYaml,
  parseQuarter,
} from "@ksk/ksr";
import { loadAnchors } from "../anchors-input.js";
import type { CliContext } from "../context.js";
import { keystoreOpenOptions, withKeystoreArguments } from "../keystore-args.js";
import { EXIT } from "../exit-codes.js";
import { checkOutputWritable, decodeUtf8, printJson, readInput, writeOutput } from "../io.js";
import { loadKsr, loadKsrOrSkr, loadSkr } from "../ksr-files.js";
import { timeOption } from "../options.js";
import { documentBundlesJson, documentTable } from "@ksk/signer";
import { fingerprintJson, printFingerprint, showDocument } from "../document-show.js";
import { exportKnotKsr } from "./knot-offline-ksk.js";
import { type CommandFactory, command } from "./command.js";

async function loadPolicy(ctx: CliContext, file: string | undefined): Promise<KsrPolicyFile> {
  if (file === undefined) return defaultKsrPolicy();
  const input = await readInput(ctx, file, 1024 * 1024);
  return parseKsrPolicyYaml(decodeUtf8(input), input.name);
}

function printReport(ctx: CliContext, report: KsrCheckReport): void {
  for (const w of report.warnings) ctx.err(`WARNING: ${w}\n`);
  for (const r of report.results) ctx.out(`${checkLine(r)}\n`);
}

async function buildKsr(
  ctx: CliContext,
  argv: {
    now: string | undefined;
    keystore: string;
    quarter: string;
    previousSkr: string | undefined;
    policy: string | undefined;
    zsk: string[] | undefined;
    output: string;
    force: boolean;
    pinFile: string | undefined;
    passphraseFile: string | undefined;
    module: string | undefined;
  },
): Promise<void> {
  const quarter = parseQuarter(argv.quarter);
  const now = timeOption(ctx, argv.now, "--now");
  const policy = await loadPolicy(ctx, argv.policy);
  const previous = argv.previousSkr === undefined ? undefined : await loadSkr(ctx, argv.previousSkr);
  // Before any ZSK signs a proof of possession: a KSR that could not be kept is refused now.
  await checkOutputWritable(argv.output, argv.force);
  const keystore = await openKeystore(argv.keystore, keystoreOpenOptions(ctx, argv));
  try {
    let labels = argv.zsk;
    if (labels === undefined || labels.length === 0) labels = zsksInRoleOrder(await keystore.list(), ianaLabelTime, argv.keystore);
    const zsks: Signer[] = [];
    for (const label of labels) zsks.push(await keystore.signer(label));
    const built = await buildCheckedKsr({
      quarter,
      zsks,
      policy,
      nowEpochSeconds: now,
      newId: ctx.newId,
      ...(previous ? { previousSkr: previous.document } : {}),
    });
    if (!built.ok) {
      printReport(ctx, built.report);
      const failed = built.report.results.filter((r) => r.status === "fail").map((r) => r.code);
      throw new KskError("refused", "KSR-BUILD-CHECKS", `the built KSR fails ${failed.join(", ")}; nothing written`, { where: argv.output });
    }
    const { ksr, bytes, report } = built;
    for (const w of report.warnings) ctx.err(`WARNING: ${w}\n`);
    await writeOutput(argv.output, bytes, { force: argv.force, verify: (written) => checkKsrReadsBack(written, ksr, argv.output) });
    ctx.out(`wrote ${argv.output}: KSR ${ksr.id} for ${argv.quarter}, ZSKs ${zsks.map((z) => `${z.label} (${z.keyTag})`).join(", ")}\n`);
    ctx.out(`${documentTable(`KSR ${ksr.id}`, ksr).join("\n")}\n`);
    printFingerprint(ctx, "KSR", bytes);
  } finally {
    await keystore.close();
  }
}

async function validateKsr(
  ctx: CliContext,
  setExitCode: (code: number) => void,
  argv: { ksr: string; previousSkr: string | undefined; anchor: string | undefined; policy: string | undefined; now: string | undefined; json: boolean },
): Promise<void> {
  const now = timeOption(ctx, argv.now, "--now");
  const policy = await loadPolicy(ctx, argv.policy);
  const ksr = await loadKsr(ctx, argv.ksr);
  const previous = argv.previousSkr === undefined ? undefined : await loadSkr(ctx, argv.previousSkr);
  if (argv.anchor !== undefined && !previous)
    throw new KskError("usage", "USAGE-ANCHOR", "--anchor checks who signed the previous SKR: give --previous-skr too");
  const trustedKsks =
    argv.anchor === undefined || !previous ? undefined : anchoredSkrKsks(previous.document, (await loadAnchors(ctx, argv.anchor, now)).records);
  const report = runKsrChecks({
    ksr: ksr.document,
    policy: policy.request,
    nowEpochSeconds: now,
    ...(previous ? { previousSkr: previous.document } : {}),
    ...(trustedKsks ? { trustedKsks } : {}),
  });
  if (argv.json) {
    printJson(ctx, {
      file: ksr.name,
      ...fingerprintJson(ksr.bytes),
      ...(previous ? { previousSkr: { file: previous.name, ...fingerprintJson(previous.bytes) } } : {}),
      id: ksr.document.id,
      now: formatIsoZ(now),
      ok: report.ok,
      checks: report.results,
      warnings: report.warnings,
      bundles: documentBundlesJson(ksr.document),
    });
  } else {
    ctx.out(`KSR ${ksr.name} id ${ksr.document.id} domain ${ksr.document.domain}, checked at ${formatIsoZ(now)}\n`);
    printReport(ctx, report);
    ctx.out("\n");
    ctx.out(`${documentTable(`KSR ${ksr.document.id}`, ksr.document).join("\n")}\n`);
    ctx.out("\n");
    printFingerprint(ctx, "KSR", ksr.bytes);
    if (previous) printFingerprint(ctx, "previous SKR", previous.bytes);
    const failed = report.results.filter((r) => r.status === "fail").map((r) => r.code);
    const skipped = report.results.filter((r) => r.status !== "pass" && r.status !== "fail").map((r) => r.code);
    const acceptable = skipped.length
      ? `KSR is acceptable for the checks run; ${skipped.length} skipped: ${skipped.join(", ")}`
      : "KSR is acceptable: every check passed";
    ctx.out(report.ok ? `${acceptable}\n` : `KSR is NOT acceptable: ${failed.join(", ")} failed\n`);
  }
  if (!report.ok) setExitCode(EXIT.checkFailed);
}

export const ksrCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "ksr <action>",
  builder: (y) =>
    y
      .command(
        command({
          command: "validate <ksr>",
          describe: "Run every KSR check (IANA's codes); exit 0 only if every enabled check passes",
          builder: (v) =>
            v
              .positional("ksr", { type: "string", demandOption: true, describe: "The KSR file (- for stdin)" })
              .option("previous-skr", { type: "string", describe: "SKR(n-1): enables KSR-ID, the chain checks and SKR-VERIFY of it" })
              .option("anchor", {
                type: "string",
                describe: "The KSK operator's keys (DS/DNSKEY file or root-anchors.xml): SKR(n-1) must be signed by one of them",
              })
              .option("policy", { type: "string", describe: "Policy YAML (request_policy keys as in IANA's ksrsigner.yaml); default: the root's" })
              .option("now", { type: "string", describe: "The time for KSR-POLICY-SIG-HORIZON (ISO 8601 UTC, YYYYMMDDHHmmSS or @epoch); default now" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: (argv) => validateKsr(ctx, setExitCode, argv),
        }),
      )
      .command(
        command({
          command: "show <file>",
          describe: "Show a KSR or SKR: bundle table and policy, or every bundle as DNSKEY + RRSIG records",
          builder: (v) =>
            v
              .positional("file", { type: "string", demandOption: true, describe: "The KSR or SKR file (- for stdin)" })
              .option("format", { choices: ["table", "zone", "json"] as const, default: "table" as const, describe: "Output format" })
              .option("bundle", { type: "number", describe: "Only this bundle (1-based), for --format zone" }),
          handler: async (argv) => {
            showDocument(ctx, await loadKsrOrSkr(ctx, argv.file), argv.format, argv.bundle);
          },
        }),
      )
      .command(
        command({
          command: "build",
          describe: "Build and sign a KSR for a quarter from the ZSKs in a keystore (ZSK operator side)",
          builder: (v) =>
            withKeystoreArguments(v)
              .option("keystore", { type: "string", demandOption: true, describe: "Keystore URI (pkcs11:… or file:…) holding the ZSKs" })
              .option("quarter", { type: "string", demandOption: true, describe: "The quarter, e.g. 2027Q1" })
              .option("previous-skr", { type: "string", describe: "SKR(n-1): the first bundle must carry its last bundle's ZSKs" })
              .option("policy", { type: "string", describe: "Policy YAML (request_policy and zsk_policy); default: the root's" })
              .option("zsk", {
                type: "string",
                array: true,
                describe: "ZSK labels in role order: retiring, current, next (default: the keystore's ZSKs in creation order, read from IANA-style labels)",
              })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "Where to write the KSR" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
              .option("now", { type: "string", describe: "Build time: the KSR timestamp and proof-of-possession inception (default now)" }),
          handler: (argv) => buildKsr(ctx, argv),
        }),
      )
      .command(
        command({
          command: "export <ksr>",
          describe: "Write a KSR's bundles in another tool's format: Knot DNS's KSR, for keymgr sign-ksr",
          builder: (v) =>
            v
              .positional("ksr", { type: "string", demandOption: true, describe: "The KSR (XML) to export" })
              .option("format", { choices: ["knot"] as const, demandOption: true, describe: "The format to write" })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "Where to write it" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
              .option("now", { type: "string", describe: "The time in the closing line (default now)" }),
          handler: (argv) => exportKnotKsr(ctx, argv),
        }),
      )
      .demandCommand(1, "Give an action: build, validate, show or export"),
  handler: () => undefined,
});
