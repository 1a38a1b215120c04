/**
 * `ksk rollover check SKR… [--anchors FILE[@TIME]]…` — a KSK roll seen as an RFC 5011 resolver lives
 * it: the SKRs of consecutive quarters (in any order) and the root-anchors.xml files published along
 * the way, checked slot by slot by @ksk/signer's rollover rules (add and remove hold-down, revoked
 * self-signature, DNSKEY answer size, gaps between SKRs, anchor files in force). Prints the key × slot
 * timeline and every finding, or `--json`. Exit 1 if a rule fails, 3 for a file that does not read.
 *
 * An anchors file counts as published at the TIME after its last `@` (ISO 8601, RRSIG form or
 * @epoch), or, without one, at the latest validFrom of its KeyDigests — when its newest key came into
 * force. Its Digests are checked against its PublicKeys (TA-DIGEST-KEY) as it is read.
 */
import { KskError, parseDuration } from "@ksk/core";
import {
  type AnchorPublication,
  DEFAULT_ROLLOVER_POLICY,
  type NamedSkr,
  type RolloverPolicy,
  checkRollover,
  defaultPublicationTime,
  formatRolloverReport,
  rolloverReportJson,
} from "@ksk/signer";
import { checkDigestMatchesKey, parseRootAnchors } from "@ksk/trust-anchor";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { printJson, readInput } from "../io.js";
import { timeOption } from "../options.js";
import { type CommandFactory, command } from "./command.js";
import { loadSkr } from "../ksr-files.js";

interface CheckArgs {
  skr: string[];
  anchors: string[];
  json: boolean;
  allowOversize: boolean;
  addHoldDown: string | undefined;
  removeHoldDown: string | undefined;
}

/** `FILE@TIME`: the file and its publication time, when what follows the last `@` reads as a time. */
function splitPublication(ctx: CliContext, arg: string): { file: string; publishedEpochSeconds?: number } {
  const at = arg.lastIndexOf("@");
  if (at <= 0) return { file: arg };
  try {
    return { file: arg.slice(0, at), publishedEpochSeconds: timeOption(ctx, arg.slice(at + 1), "--anchors") };
  } catch {
    return { file: arg };
  }
}

async function readAnchors(ctx: CliContext, arg: string): Promise<AnchorPublication> {
  const { file, publishedEpochSeconds } = splitPublication(ctx, arg);
  const input = await readInput(ctx, file);
  const doc = parseRootAnchors(input.bytes, input.name);
  try {
    for (const kd of doc.keyDigests) checkDigestMatchesKey(doc, kd);
  } catch (e) {
    throw e instanceof KskError ? e.within(input.name) : e;
  }
  if (doc.keyDigests.length === 0) throw new KskError("input", "TA-NO-KEYDIGEST", "holds no KeyDigest", { where: input.name });
  return {
    name: input.name,
    publishedEpochSeconds: publishedEpochSeconds ?? defaultPublicationTime(doc.keyDigests),
    zone: doc.zone,
    keyDigests: doc.keyDigests,
  };
}

function holdDown(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseDuration(text, option);
  } catch (e) {
    throw new KskError("usage", "USAGE-DURATION", (e as KskError).detail ?? String(e));
  }
}

async function check(ctx: CliContext, argv: CheckArgs, setExitCode: (code: number) => void): Promise<void> {
  const policy: RolloverPolicy = {
    ...DEFAULT_ROLLOVER_POLICY,
    addHoldDownSeconds: holdDown(argv.addHoldDown, "--add-hold-down", DEFAULT_ROLLOVER_POLICY.addHoldDownSeconds),
    removeHoldDownSeconds: holdDown(argv.removeHoldDown, "--remove-hold-down", DEFAULT_ROLLOVER_POLICY.removeHoldDownSeconds),
    checkDnskeyResponseSize: !argv.allowOversize,
  };
  const skrs: NamedSkr[] = [];
  for (const file of argv.skr) {
    const { name, document } = await loadSkr(ctx, file);
    skrs.push({ name, skr: document });
  }
  const anchors: AnchorPublication[] = [];
  for (const arg of argv.anchors) anchors.push(await readAnchors(ctx, arg));
  const report = checkRollover(skrs, policy, anchors);
  if (argv.json) printJson(ctx, rolloverReportJson(report));
  else ctx.out(`${formatRolloverReport(report).join("\n")}\n`);
  for (const a of report.allowed)
    ctx.err(`ksk: WARNING: ${a.code} failures ALLOWED (--allow-oversize): slots over ${policy.maxResponseBytes} octets are only warned about\n`);
  if (!report.ok) setExitCode(EXIT.checkFailed);
}

export const rolloverCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "rollover <action>",
  describe: "Check a KSK roll across quarters as an RFC 5011 resolver would live it",
  builder: (y) =>
    y.command(
      command({
        command: "check <skr..>",
        describe: "Per slot: published, signing and revoked KSKs and the DNSKEY answer size; fails where a resolver could lose the chain",
        builder: (v) =>
          v
            .positional("skr", { type: "string", array: true, demandOption: true, describe: "The SKRs of consecutive quarters, in any order" })
            .option("anchors", {
              type: "string",
              array: true,
              default: [],
              describe: "root-anchors.xml published along the way, as FILE or FILE@TIME (default time: its latest KeyDigest validFrom)",
            })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" })
            .option("allow-oversize", { type: "boolean", default: false, describe: "Warn, not fail, for a DNSKEY answer over 1452 octets" })
            .option("add-hold-down", { type: "string", describe: "RFC 5011 add hold-down (default P30D; a lab with a compressed clock uses less)" })
            .option("remove-hold-down", { type: "string", describe: "RFC 5011 remove hold-down (default P30D)" }),
        handler: (argv) => check(ctx, argv, setExitCode),
      }),
    ),
  handler: () => undefined,
});
