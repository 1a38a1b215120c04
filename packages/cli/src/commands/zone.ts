/**
 * `ksk zone sign | verify | digest` — the Root Zone Maintainer's side of the lab: sign a zone with
 * the ZSK and the SKR bundle in use at a time, validate a signed zone from a trust anchor, and
 * compute or check its ZONEMD. The DNS decisions are @ksk/zone's; this module reads the files
 * (following `$INCLUDE` only below the zone file's own directory, symlinks resolved), opens the
 * keystore, shows progress on a terminal, and writes the signed zone atomically.
 */
import { getHeapStatistics } from "node:v8";
import { KskError, type RR, type SoaRdata, type WireRecord, bytesToHex, checkLine, formatIsoZ, keyTag, nameToString, parseZone } from "@ksk/core";
import { openKeystore, verifyingPool } from "@ksk/keystore";
import { type KsrResponseDocument, documentDomain, sameDnskey } from "@ksk/ksr";
import {
  type SerialMode,
  WireSigningInput,
  WireZoneInput,
  ZONEMD_HASH,
  buildWireZone,
  checkWireZonemd,
  wireName,
  parseZoneSigningPolicy,
  planWireZoneSigning,
  positionedSink,
  signWireZone,
  verifyWireZone,
  wireZoneDigest,
} from "@ksk/zone";
import { loadAnchors } from "../anchors-input.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { checkOutputWritable, decodeUtf8, printJson, readInput, writeStreamedOutput } from "../io.js";
import { keystoreOpenOptions, withKeystoreArguments } from "../keystore-args.js";
import { timeOption } from "../options.js";
import type { CommandFactory, SetExitCode } from "./command.js";
import { loadSkr } from "../ksr-files.js";
import { withDefaultSignals } from "../signals.js";
import { ZONE_MAX_INPUT_BYTES, loadZoneInputWire } from "../zone-input.js";

/** The root's SOA TTL, for a SOA given with --soa. */
const SOA_TTL_SECONDS = 86400;

/**
 * Peak memory per record, measured with `/usr/bin/time` on zones of `h{i}. 3600 IN A …` records
 * (packages/zone/README.md, "Memory"). `zone sign` and `zone digest` keep records as canonical wire
 * octets in one buffer (@ksk/zone's compact pipeline) and stream the signed zone out: `zone digest`
 * about 180 octets per record read (a million records: 217 MB peak), `zone sign` about 600 (each
 * record gains an NSEC; 200,000 records with 400,003 signatures: 200 MB peak, the signing threads
 * included). `zone verify` keeps the same buffer and decodes one node at a time: digest's figure
 * holds (measured: a signed zone of 600,000 records, P-256, 60 MB, peaks at 240 MB RSS, 200,000 at
 * 200 MB; under a 96 MiB heap 560,000 records verify at 195 MB). A zone with more
 * records than three quarters of the V8 heap limit holds at these rates (rounded up) is refused
 * while it loads (exit 3) rather than ending in a heap abort; the heap limit
 * (`--max-old-space-size`) raises the cap with it.
 */
const DIGEST_BYTES_PER_RECORD = 256;
const SIGN_BYTES_PER_RECORD = 1024;
const VERIFY_BYTES_PER_RECORD = DIGEST_BYTES_PER_RECORD;
/** Threads verifying signatures for `zone verify` (the main thread reads and judges the zone meanwhile). */
const VERIFY_THREADS = 2;

/** The most records a zone command loads, from the heap this process may use. */
export function zoneRecordCap(bytesPerRecord: number): number {
  return Math.floor((0.75 * getHeapStatistics().heap_size_limit) / bytesPerRecord);
}

/** Read a zone and its includes into `input`, with as many records as `bytesPerRecord` of heap each allows. */
function readZoneInto(ctx: CliContext, file: string, bytesPerRecord: number, input: { add(record: WireRecord, file: string, line: number): unknown }) {
  const limits = { includes: true, maxTotalBytes: ZONE_MAX_INPUT_BYTES, maxRecords: zoneRecordCap(bytesPerRecord) };
  return loadZoneInputWire(ctx, file, limits, (r) => input.add(r, r.file, r.line));
}

function parseSoaOption(text: string, skr: KsrResponseDocument): RR<SoaRdata> {
  try {
    const [rr] = parseZone(`@ ${SOA_TTL_SECONDS} IN SOA ${text}`, { fileName: "--soa", origin: documentDomain(skr) });
    return rr as RR<SoaRdata>;
  } catch (e) {
    throw new KskError("usage", "USAGE-SOA", `--soa: ${(e as KskError).detail ?? (e as Error).message}`);
  }
}

/** A one-line progress bar on standard error, drawn only when it is a terminal. */
function progressBar(ctx: CliContext): ((done: number, total: number) => void) | undefined {
  const draw = ctx.progress;
  if (!ctx.stderrIsTerminal || draw === undefined) return undefined;
  let last = -1;
  return (done, total) => {
    const percent = Math.floor((done * 100) / total);
    if (percent === last && done !== total) return;
    last = percent;
    const width = 30;
    const filled = Math.round((done * width) / total);
    draw(`\rsigning [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
  };
}

interface SignArgs {
  zone: string;
  keystore: string;
  skr: string;
  at: string | undefined;
  policy: string | undefined;
  soa: string | undefined;
  serial: SerialMode;
  sentinels: boolean;
  knownKeys: string | undefined;
  threads: number;
  output: string;
  force: boolean;
  pinFile: string | undefined;
  passphraseFile: string | undefined;
  module: string | undefined;
}

/** `ksk zone sign`: read, plan, sign through the keystore, stream the signed zone to its file. */
async function signCommand(ctx: CliContext, argv: SignArgs): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  if (!Number.isInteger(argv.threads) || argv.threads < 1 || argv.threads > 64) {
    throw new KskError("usage", "USAGE-THREADS", "--threads must be a whole number from 1 to 64");
  }
  if (argv.knownKeys !== undefined && !argv.sentinels) throw new KskError("usage", "USAGE-KNOWN-KEYS", "--known-keys is for --sentinels");
  await checkOutputWritable(argv.output, argv.force);
  const { document: skr } = await loadSkr(ctx, argv.skr);
  const policy = argv.policy === undefined ? undefined : parseZoneSigningPolicy(decodeUtf8(await readInput(ctx, argv.policy)), argv.policy);
  const knownKeys = argv.knownKeys === undefined ? [] : (await loadAnchors(ctx, argv.knownKeys, at)).records;
  const input = new WireSigningInput(skr, at);
  await readZoneInto(ctx, argv.zone, SIGN_BYTES_PER_RECORD, input);
  const plan = withDefaultSignals(() =>
    planWireZoneSigning(input, {
      serial: argv.serial,
      sentinels: argv.sentinels,
      knownKeys,
      ...(policy ? { policy } : {}),
      ...(argv.soa === undefined ? {} : { soa: parseSoaOption(argv.soa, skr) }),
    }),
  );
  const zsk = plan.bundle.signingZsk.dnskey;
  const keystore = await openKeystore(argv.keystore, keystoreOpenOptions(ctx, argv));
  try {
    const info = (await keystore.list()).find((k) => k.dnskey && k.hasPrivateKey && sameDnskey(k.dnskey, zsk));
    if (!info) {
      throw new KskError(
        "keystore",
        "ZONE-ZSK-MISSING",
        `the ZSK ${keyTag(zsk)} that the SKR's bundle ${plan.bundle.index + 1} signs with is not in the keystore`,
        {
          where: argv.keystore,
        },
      );
    }
    const signer = await keystore.signer(info.label, { threads: argv.threads });
    const bar = progressBar(ctx);
    await writeStreamedOutput(argv.output, argv.force, (write) =>
      signWireZone(plan, signer, positionedSink(write), { concurrency: 64 * argv.threads, ...(bar ? { onProgress: bar } : {}) }),
    );
    const b = plan.bundle;
    ctx.out(
      `wrote ${argv.output}: zone ${nameToString(plan.origin)} serial ${plan.serial}, SKR ${skr.id} bundle ${b.index + 1} (${b.bundle.id}, ${formatIsoZ(b.bundle.inceptionEpochSeconds)} to ${formatIsoZ(b.bundle.expirationEpochSeconds)}), ZSK ${info.label} (${keyTag(zsk)}), ${plan.signatureCount} signatures at ${formatIsoZ(at)}\n`,
    );
    if (plan.droppedRecords > 0) ctx.err(`note: ${plan.droppedRecords} RRSIG/NSEC/ZONEMD records of the input were replaced\n`);
  } finally {
    await keystore.close();
  }
}

/** `ksk zone verify`: validate a signed zone from a trust anchor and report. */
async function verifyCommand(
  ctx: CliContext,
  setExitCode: SetExitCode,
  argv: { zone: string; anchor: string; at: string | undefined; json: boolean },
): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  const anchors = await loadAnchors(ctx, argv.anchor, at);
  // The threads start while the zone is read; signatures are verified on them (@ksk/keystore).
  const pool = verifyingPool({ threads: VERIFY_THREADS });
  let name: string;
  let result: Awaited<ReturnType<typeof verifyWireZone>>;
  try {
    const input = new WireZoneInput(undefined);
    ({ name } = await readZoneInto(ctx, argv.zone, VERIFY_BYTES_PER_RECORD, input));
    result = await verifyWireZone(input, { anchors: anchors.records, atEpochSeconds: at, verify: pool.verify });
  } finally {
    await pool.close();
  }
  if (argv.json) {
    printJson(ctx, {
      zone: nameToString(result.origin),
      file: name,
      at: formatIsoZ(at),
      ok: result.ok,
      anchoredKeyTags: result.anchoredKeyTags,
      counts: result.counts,
      zonemd: result.zonemd.map((z) => ({ status: z.status, reason: z.reason })),
      problems: result.problems,
    });
  } else {
    for (const p of result.problems) ctx.out(`${checkLine(p)}\n`);
    const zonemd = result.zonemd.length === 0 ? "no ZONEMD" : result.zonemd.map((z) => z.reason).join("; ");
    ctx.out(
      `${result.ok ? "valid" : "NOT valid"}: zone ${nameToString(result.origin)} at ${formatIsoZ(at)}, ${result.counts.rrsets} signed RRsets, ${result.counts.rrsigs} RRSIGs, ${result.counts.nsec} NSEC, ${zonemd}; DNSKEY signed by anchored ${result.anchoredKeyTags.join(", ") || "none"}; ${result.problems.length} problems\n`,
    );
  }
  if (!result.ok) setExitCode(EXIT.checkFailed);
}

/** `ksk zone digest`: compute the zone's ZONEMD and check the one it carries. */
async function digestCommand(ctx: CliContext, setExitCode: SetExitCode, argv: { zone: string; json: boolean }): Promise<void> {
  const input = new WireZoneInput(undefined);
  await readZoneInto(ctx, argv.zone, DIGEST_BYTES_PER_RECORD, input);
  const { origin, computed, verdicts } = withDefaultSignals(() => {
    const zone = buildWireZone(input);
    // The SHA-384 digest printed is also the one the zone's SHA-384 ZONEMD is checked against.
    const sha384 = wireZoneDigest(zone, ZONEMD_HASH.SHA384);
    return { origin: wireName(zone.origin, 0), computed: bytesToHex(sha384, true), verdicts: checkWireZonemd(zone, new Map([[ZONEMD_HASH.SHA384, sha384]])) };
  });
  const ok = verdicts.every((v) => v.status === "valid" || v.status === "unsupported");
  if (argv.json) {
    printJson(ctx, { zone: nameToString(origin), sha384Hex: computed, ok, zonemd: verdicts.map((v) => ({ status: v.status, reason: v.reason })) });
  } else {
    ctx.out(`${nameToString(origin)} ZONEMD SHA-384 (simple): ${computed}\n`);
    for (const v of verdicts) ctx.out(`${v.status === "valid" ? "OK  " : "FAIL"} ${v.reason}\n`);
    if (verdicts.length === 0) ctx.out("the zone carries no ZONEMD\n");
  }
  if (!ok) setExitCode(EXIT.checkFailed);
}

export const zoneCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "zone <action>",
  describe: "Sign a zone with the SKR bundle in use, validate a signed zone, compute ZONEMD",
  builder: (y) =>
    y
      .command({
        command: "sign <zone>",
        describe: "Sign a zone as the Root Zone Maintainer: the bundle's DNSKEY RRset, the ZSK's signatures, NSEC, ZONEMD",
        builder: (v) =>
          withKeystoreArguments(v)
            .positional("zone", { type: "string", demandOption: true, describe: "Unsigned zone file" })
            .option("keystore", { type: "string", demandOption: true, describe: "Keystore URI (file:DIR or pkcs11:…) holding the ZSK" })
            .option("skr", { type: "string", demandOption: true, describe: "The quarter's SKR" })
            .option("at", { type: "string", describe: "Signing time: picks the SKR bundle (default now)" })
            .option("policy", { type: "string", describe: "Signature policy YAML (validity, jitter, inception_offset, jitter_seed)" })
            .option("soa", { type: "string", describe: `SOA RDATA for a zone without one (TTL ${SOA_TTL_SECONDS})` })
            .option("serial", { choices: ["keep", "increment", "unixtime"] as const, default: "keep" as const, describe: "SOA serial, as dnssec-signzone -N" })
            .option("sentinels", {
              type: "boolean",
              default: false,
              describe: "Add RFC 8509 root-key-sentinel names for every KSK of the SKR and --known-keys",
            })
            .option("known-keys", { type: "string", describe: "More KSKs for --sentinels: DS/DNSKEY file or root-anchors.xml" })
            .option("threads", { type: "number", default: 2, describe: "Signing threads (a software key, or a PKCS#11 session each)" })
            .option("output", { alias: "o", type: "string", demandOption: true, describe: "Signed zone file to write" })
            .option("force", { type: "boolean", default: false, describe: "Replace an existing output" }),
        handler: (argv) => signCommand(ctx, argv),
      })
      .command({
        command: "verify <zone>",
        describe: "Validate a signed zone from a trust anchor: every RRSIG, NSEC chain, delegations, ZONEMD",
        builder: (v) =>
          v
            .positional("zone", { type: "string", demandOption: true, describe: "Signed zone file" })
            .option("anchor", { type: "string", demandOption: true, describe: "Trust anchor: DS/DNSKEY file or root-anchors.xml" })
            .option("at", { type: "string", describe: "Validation time (default now)" })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        handler: (argv) => verifyCommand(ctx, setExitCode, argv),
      })
      .command({
        command: "digest <zone>",
        describe: "Compute the zone's ZONEMD (SHA-384, simple scheme) and check the ZONEMD it carries",
        builder: (v) =>
          v
            .positional("zone", { type: "string", demandOption: true, describe: "Zone file" })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        handler: (argv) => digestCommand(ctx, setExitCode, argv),
      })
      .demandCommand(1, "Give an action: sign, verify or digest"),
  handler: () => undefined,
});
