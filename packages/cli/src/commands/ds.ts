/**
 * `ksk ds FILE` — DS records for every DNSKEY in a presentation-format file. `ksk ds --check
 * DS_FILE FILE` answers whether each DS of DS_FILE designates a DNSKEY of FILE (exit 1 when one
 * does not), naming the key or what differs.
 */
import {
  DS_FORMATS,
  type DsRdata,
  type DsRecord,
  KskError,
  type RR,
  bindStaticRootWarning,
  digestTypeInfo,
  dnskeyRecords,
  formatDsRecords,
  isKind,
  keyTag,
  makeDs,
  matchDsToKeys,
  nameToString,
} from "@ksk/core";
import { EXIT } from "../exit-codes.js";
import { readZoneFile } from "../zone-input.js";
import { type CommandFactory, command } from "./command.js";

/** `--digest 1,2,4` to digest type numbers; unknown types are refused (no fallback). */
export function parseDigestList(text: string): number[] {
  return text.split(",").map((part) => {
    const t = part.trim();
    if (!/^\d+$/.test(t)) throw new KskError("usage", "USAGE-DIGEST", `--digest: "${t}" is not a digest type number (1, 2 or 4)`);
    try {
      return digestTypeInfo(Number(t)).number;
    } catch (e) {
      throw new KskError("usage", "USAGE-DIGEST", `--digest: ${(e as Error).message}`);
    }
  });
}

export const dsCommand: CommandFactory = (ctx, setExitCode) =>
  command({
    command: "ds <file>",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "File with DNSKEY records" })
        .option("digest", { type: "string", default: "2", describe: "Digest types, comma separated: 1 (SHA-1), 2 (SHA-256), 4 (SHA-384)" })
        .option("format", { choices: DS_FORMATS, default: "zone" as const, describe: "zone lines, BIND trust-anchors, unbound anchor file, or JSON" })
        .option("bind-mode", {
          choices: ["static-ds", "initial-ds"] as const,
          default: "initial-ds" as const,
          describe: "With --format bind: initial-ds (RFC 5011 managed, as BIND recommends for the root) or static-ds",
        })
        .option("check", { type: "string", describe: "DS_FILE: does each DS in it designate a DNSKEY of FILE? (exit 1 if one does not)" }),
    handler: async (argv) => {
      if (argv.check !== undefined) {
        const dsInput = await readZoneFile(ctx, argv.check, { sayFallbackTtl: false });
        const dsRecords = dsInput.records.map((l) => l.rr).filter((rr): rr is RR<DsRdata> => isKind(rr, "DS"));
        if (dsRecords.length === 0) throw new KskError("input", "NO-DS", "holds no DS record", { where: dsInput.name });
        const keyInput = await readZoneFile(ctx, argv.file, { sayFallbackTtl: false });
        const matches = matchDsToKeys(dsRecords, dnskeyRecords(keyInput.records, keyInput.name, { trustable: true }));
        for (const m of matches) {
          const ds = `DS ${nameToString(m.owner)} ${m.ds.keyTag} ${m.ds.algorithm} ${m.ds.digestType}`;
          ctx.out(m.key ? `MATCH    ${ds}: designates key ${keyTag(m.key)} (flags ${m.key.flags}) in ${keyInput.name}\n` : `NO MATCH ${ds}: ${m.why}\n`);
        }
        if (matches.some((m) => !m.key)) setExitCode(EXIT.checkFailed);
        return;
      }
      const digestTypes = parseDigestList(argv.digest);
      const { name, records: rrs } = await readZoneFile(ctx, argv.file, { sayFallbackTtl: argv.format !== "bind" });
      const dnskeys = dnskeyRecords(rrs, name, { trustable: true });
      const records: DsRecord[] = dnskeys.flatMap((rr) =>
        digestTypes.map((type) => ({ owner: rr.owner, ttlSeconds: rr.ttlSeconds, ds: makeDs(rr.owner, rr.rdata, type) })),
      );
      ctx.out(formatDsRecords(records, argv.format, { bindMode: argv.bindMode }));
      const warning = bindStaticRootWarning(records, argv.format, { bindMode: argv.bindMode });
      if (warning) ctx.err(`ksk: WARNING: ${warning}\n`);
    },
  });
