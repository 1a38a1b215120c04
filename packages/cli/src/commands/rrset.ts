/**
 * `ksk rrset verify FILE [--anchor A] [--at TIME]` — verify every RRSIG in a zone-format file
 * against the DNSKEYs in it; with an anchor, the DNSKEY RRset must also be signed by a key the
 * anchor designates. Exit 0 only if every RRset is validly signed at the time.
 */
import {
  type DnskeyRdata,
  KskError,
  type RR,
  RRType,
  anchoredKeys,
  formatIsoZ,
  isKind,
  keyTag,
  nameToString,
  namesEqual,
  typeToString,
  verifyRecords,
} from "@ksk/core";
import { loadAnchors } from "../anchors-input.js";
import { EXIT } from "../exit-codes.js";
import { printJson, readZoneFile } from "../io.js";
import { timeOption } from "../options.js";
import { type CommandFactory, handle } from "./command.js";

interface Line {
  readonly ok: boolean;
  readonly subject: string;
  readonly detail: string;
}

export const rrsetCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "rrset <action>",
  builder: (y) =>
    y.command({
      command: "verify <file>",
      describe: "Verify every RRSIG in a zone-format file with the DNSKEYs in it (and an anchor)",
      builder: (v) =>
        v
          .positional("file", { type: "string", demandOption: true, describe: "Records with their RRSIGs (- for stdin)" })
          .option("anchor", { type: "string", describe: "Trust anchor: a DS/DNSKEY zone-format file" })
          .option("at", { type: "string", describe: "Validation time (ISO 8601 UTC, YYYYMMDDHHmmSS or @epoch); default now" })
          .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
      handler: handle(async (argv: { file: string; anchor?: string; at?: string; json: boolean }) => {
        const now = timeOption(ctx, argv.at, "--at");
        const { input, rrs } = await readZoneFile(ctx, argv.file);
        if (rrs.length === 0) throw new KskError("input", "NO-RECORDS", "holds no records", { where: input.name });
        const lines: Line[] = [];
        for (const verdict of verifyRecords(rrs, now)) {
          const subject = `${nameToString(verdict.rrset.owner)} ${typeToString(verdict.rrset.type)}`;
          if (verdict.verdicts.length === 0) lines.push({ ok: false, subject, detail: "no RRSIG covers this RRset" });
          for (const v of verdict.verdicts) lines.push({ ok: v.status === "valid", subject, detail: v.reason });
          if (verdict.verdicts.length > 0 && !verdict.signed) lines.push({ ok: false, subject, detail: "no valid signature" });
        }
        if (argv.anchor !== undefined) {
          const anchors = await loadAnchors(ctx, argv.anchor, now);
          const owners = [...new Set(anchors.records.map((a) => nameToString(a.owner)))];
          for (const ownerText of owners) {
            const owner = anchors.records.find((a) => nameToString(a.owner) === ownerText)?.owner;
            if (!owner) continue;
            const dnskeys = rrs.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY") && namesEqual(rr.owner, owner));
            const subject = `${ownerText} DNSKEY`;
            if (dnskeys.length === 0) {
              lines.push({ ok: false, subject, detail: `the anchor names ${ownerText} but the file has no DNSKEY RRset there` });
              continue;
            }
            const designated = anchoredKeys(dnskeys, anchors.records);
            const verdict = verifyRecords(rrs, now).find((v) => v.rrset.type === RRType.DNSKEY && namesEqual(v.rrset.owner, owner));
            const signer = verdict?.verdicts.find((v) => v.status === "valid" && v.key && designated.includes(v.key));
            lines.push(
              signer?.key
                ? { ok: true, subject, detail: `chains to the anchor ${anchors.name}: signed by ${keyTag(signer.key.rdata)}` }
                : {
                    ok: false,
                    subject,
                    detail:
                      designated.length === 0
                        ? `no key in the RRset matches the anchor ${anchors.name}`
                        : `no valid signature by an anchored key (${designated.map((k) => keyTag(k.rdata)).join(", ")})`,
                  },
            );
          }
        }
        const ok = lines.every((l) => l.ok);
        if (argv.json) {
          printJson(ctx, { file: input.name, at: formatIsoZ(now), ok, results: lines });
        } else {
          for (const l of lines) ctx.out(`${l.ok ? "OK  " : "FAIL"} ${l.subject}: ${l.detail}\n`);
          ctx.out(`${ok ? "valid" : "NOT valid"} at ${formatIsoZ(now)}\n`);
        }
        if (!ok) setExitCode(EXIT.checkFailed);
      }),
    }),
  handler: () => undefined,
});
