/**
 * `ksk zone sign | verify | digest` — the Root Zone Maintainer's side of the lab: sign a zone with
 * the ZSK and the SKR bundle in use at a time, validate a signed zone from a trust anchor, and
 * compute or check its ZONEMD. The DNS decisions are @ksk/zone's; this module reads the files
 * (following `$INCLUDE` only below the zone file's own directory, symlinks resolved), opens the
 * keystore, shows progress on a terminal, and writes the signed zone atomically.
 */
import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { KskError, type RR, type SoaRdata, bytesToHex, checkLine, formatIsoZ, keyTag, nameToString, parseZone } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { type KsrResponseDocument, documentDomain, sameDnskey } from "@ksk/ksr";
import {
  type LocatedRR,
  type SerialMode,
  ZONEMD_HASH,
  buildZone,
  checkZonemd,
  formatSignedZone,
  loadZoneRecords,
  parseZoneSigningPolicy,
  planZoneSigning,
  signZone,
  verifyZone,
  zoneDigest,
  zoneOrigin,
} from "@ksk/zone";
import { loadAnchors } from "../anchors-input.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { checkOutputWritable, decodeUtf8, printJson, readInput, writeOutput } from "../io.js";
import { keystoreOpenOptions, withKeystoreArguments } from "../keystore-args.js";
import { timeOption } from "../options.js";
import { type CommandFactory, handle } from "./command.js";
import { loadSkr } from "../ksr-files.js";

/** The root's SOA TTL, for a SOA given with --soa. */
const SOA_TTL_SECONDS = 86400;

/** A zone file's records with their `file:line`; `$INCLUDE` only below the file's directory. */
async function readZoneRecords(ctx: CliContext, file: string): Promise<{ name: string; records: LocatedRR[] }> {
  const input = await readInput(ctx, file);
  const top = input.name === "stdin" ? path.join(process.cwd(), "stdin") : input.name;
  const base = input.name === "stdin" ? process.cwd() : realpathSync(path.dirname(path.resolve(input.name)));
  const records = loadZoneRecords(
    { name: top, text: decodeUtf8(input) },
    {
      readInclude: (resolved, where) => {
        // The package checked the path as written; a symlink must not lead out of the directory either.
        let real: string;
        try {
          real = realpathSync(resolved);
        } catch (e) {
          throw new KskError("input", "ZONE-INCLUDE", `$INCLUDE ${resolved}: ${(e as Error).message}`, { where });
        }
        if (path.relative(base, real).startsWith("..")) {
          throw new KskError("input", "ZONE-INCLUDE", `$INCLUDE ${resolved} leads to ${real}, outside the zone file's directory`, { where });
        }
        const bytes = readFileSync(real);
        return { name: path.relative(process.cwd(), resolved) || resolved, text: decodeUtf8({ name: resolved, bytes: new Uint8Array(bytes) }) };
      },
    },
  );
  return { name: input.name, records };
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

async function signCommand(
  ctx: CliContext,
  argv: {
    zone: string;
    keystore: string;
    skr: string;
    at?: string;
    policy?: string;
    soa?: string;
    serial: SerialMode;
    sentinels: boolean;
    knownKeys?: string;
    threads: number;
    output: string;
    force: boolean;
    pinFile?: string;
    passphraseFile?: string;
    module?: string;
  },
): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  if (!Number.isInteger(argv.threads) || argv.threads < 1 || argv.threads > 64) {
    throw new KskError("usage", "USAGE-THREADS", "--threads must be a whole number from 1 to 64");
  }
  if (argv.knownKeys !== undefined && !argv.sentinels) throw new KskError("usage", "USAGE-KNOWN-KEYS", "--known-keys is for --sentinels");
  await checkOutputWritable(argv.output, argv.force);
  const { document: skr } = await loadSkr(ctx, argv.skr);
  const policy = argv.policy === undefined ? undefined : parseZoneSigningPolicy(decodeUtf8(await readInput(ctx, argv.policy)), argv.policy);
  const knownKeys = argv.knownKeys === undefined ? [] : (await loadAnchors(ctx, argv.knownKeys, at)).records;
  const { records } = await readZoneRecords(ctx, argv.zone);
  const plan = planZoneSigning({
    records,
    origin: documentDomain(skr),
    skr,
    atEpochSeconds: at,
    serial: argv.serial,
    sentinels: argv.sentinels,
    knownKeys,
    ...(policy ? { policy } : {}),
    ...(argv.soa === undefined ? {} : { soa: parseSoaOption(argv.soa, skr) }),
  });
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
    const signed = await signZone(plan, signer, { concurrency: 64 * argv.threads, ...(bar ? { onProgress: bar } : {}) });
    const text = formatSignedZone(signed);
    const bytes = new TextEncoder().encode(text);
    await writeOutput(argv.output, bytes, {
      force: argv.force,
      verify: (written) => {
        if (Buffer.compare(written, bytes) !== 0)
          throw new KskError("input", "OUTPUT-MISMATCH", "the written file differs from the signed zone", { where: argv.output });
      },
    });
    const b = plan.bundle;
    ctx.out(
      `wrote ${argv.output}: zone ${nameToString(signed.origin)} serial ${plan.serial}, SKR ${skr.id} bundle ${b.index + 1} (${b.bundle.id}, ${formatIsoZ(b.bundle.inceptionEpochSeconds)} to ${formatIsoZ(b.bundle.expirationEpochSeconds)}), ZSK ${info.label} (${keyTag(zsk)}), ${plan.tasks.length + 1} signatures at ${formatIsoZ(at)}\n`,
    );
    if (plan.droppedRecords > 0) ctx.err(`note: ${plan.droppedRecords} RRSIG/NSEC/ZONEMD records of the input were replaced\n`);
  } finally {
    await keystore.close();
  }
}

async function verifyCommand(
  ctx: CliContext,
  setExitCode: (code: number) => void,
  argv: { zone: string; anchor: string; at?: string; json: boolean },
): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  const anchors = await loadAnchors(ctx, argv.anchor, at);
  const { name, records } = await readZoneRecords(ctx, argv.zone);
  const result = verifyZone({ records, anchors: anchors.records, atEpochSeconds: at });
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
            .option("serial", { choices: ["keep", "increment", "unixtime"], default: "keep", describe: "SOA serial, as dnssec-signzone -N" })
            .option("sentinels", {
              type: "boolean",
              default: false,
              describe: "Add RFC 8509 root-key-sentinel names for every KSK of the SKR and --known-keys",
            })
            .option("known-keys", { type: "string", describe: "More KSKs for --sentinels: DS/DNSKEY file or root-anchors.xml" })
            .option("threads", { type: "number", default: 2, describe: "Signing threads (software keystore)" })
            .option("output", { alias: "o", type: "string", demandOption: true, describe: "Signed zone file to write" })
            .option("force", { type: "boolean", default: false, describe: "Replace an existing output" }),
        handler: handle((argv: Parameters<typeof signCommand>[1]) => signCommand(ctx, argv)),
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
        handler: handle((argv: Parameters<typeof verifyCommand>[2]) => verifyCommand(ctx, setExitCode, argv)),
      })
      .command({
        command: "digest <zone>",
        describe: "Compute the zone's ZONEMD (SHA-384, simple scheme) and check the ZONEMD it carries",
        builder: (v) =>
          v
            .positional("zone", { type: "string", demandOption: true, describe: "Zone file" })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        handler: handle(async (argv: { zone: string; json: boolean }) => {
          const { records } = await readZoneRecords(ctx, argv.zone);
          const zone = buildZone(records, zoneOrigin(records));
          const computed = bytesToHex(zoneDigest(zone, ZONEMD_HASH.SHA384), true);
          const verdicts = checkZonemd(zone);
          const ok = verdicts.every((v) => v.status === "valid" || v.status === "unsupported");
          if (argv.json) {
            printJson(ctx, { zone: nameToString(zone.origin), sha384Hex: computed, ok, zonemd: verdicts.map((v) => ({ status: v.status, reason: v.reason })) });
          } else {
            ctx.out(`${nameToString(zone.origin)} ZONEMD SHA-384 (simple): ${computed}\n`);
            for (const v of verdicts) ctx.out(`${v.status === "valid" ? "OK  " : "FAIL"} ${v.reason}\n`);
            if (verdicts.length === 0) ctx.out("the zone carries no ZONEMD\n");
          }
          if (!ok) setExitCode(EXIT.checkFailed);
        }),
      })
      .demandCommand(1, "Give an action: sign, verify or digest"),
  handler: () => undefined,
});
