/**
 * `ksk rrset verify FILE [--anchor A] [--at TIME]` — verify every RRSIG in a zone-format file
 * against the DNSKEYs in it; with an anchor, the DNSKEY RRset must also be signed by a key the
 * anchor designates. Exit 0 only if every RRset is validly signed at the time.
 */
import { KskError, formatIsoZ, verifyRecordsReport } from "@ksk/core";
import { loadAnchors } from "../anchors-input.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { readZoneFile } from "../zone-input.js";
import { timeOption } from "../options.js";
import { type CommandFactory, command } from "./command.js";

export const rrsetCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "rrset <action>",
  builder: (y) =>
    y.command(
      command({
        command: "verify <file>",
        describe: "Verify every RRSIG in a zone-format file with the DNSKEYs in it (and an anchor)",
        builder: (v) =>
          v
            .positional("file", { type: "string", demandOption: true, describe: "Records with their RRSIGs (- for stdin)" })
            .option("anchor", { type: "string", describe: "Trust anchor: a DS/DNSKEY zone-format file" })
            .option("at", { type: "string", describe: "Validation time (ISO 8601 UTC, YYYYMMDDHHmmSS or @epoch); default now" })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        handler: async (argv) => {
          const now = timeOption(ctx, argv.at, "--at");
          const { name, records } = await readZoneFile(ctx, argv.file);
          if (records.length === 0) throw new KskError("input", "NO-RECORDS", "holds no records", { where: name });
          const rrs = records.map((r) => r.rr);
          const anchor = argv.anchor === undefined ? undefined : await loadAnchors(ctx, argv.anchor, now);
          const lines = verifyRecordsReport(rrs, now, anchor);
          const ok = lines.every((l) => l.ok);
          if (argv.json) {
            printJson(ctx, { file: name, at: formatIsoZ(now), ok, results: lines });
          } else {
            for (const l of lines) ctx.out(`${l.ok ? "OK  " : "FAIL"} ${l.subject}: ${l.detail}\n`);
            ctx.out(`${ok ? "valid" : "NOT valid"} at ${formatIsoZ(now)}\n`);
          }
          if (!ok) setExitCode(EXIT.checkFailed);
        },
      }),
    ),
  handler: () => undefined,
});
