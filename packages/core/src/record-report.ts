/**
 * A verdict on a file of signed records, line by line, as `ksk rrset verify` prints it: for each
 * RRset, each RRSIG's verdict (RFC 4035 §5.3 via ./verify.ts) and whether any is valid; and, given
 * a trust anchor (DS or DNSKEY records), for each owner the anchor names, whether its DNSKEY RRset
 * is validly signed by a key the anchor designates (RFC 4035 §5: the chain from the anchor to the
 * RRset). The file is valid only if every line is.
 *
 * Left out: chasing delegations below the anchored owners, NSEC denial (a single file of RRsets).
 */
import { keyTag } from "./keytag.js";
import { nameToString, namesEqual } from "./name.js";
import type { DnskeyRdata } from "./rdata.js";
import { type RR, isKind } from "./rr.js";
import { RRType, typeToString } from "./rrtype.js";
import { type AnchorRecord, anchoredKeys, verifyRecords } from "./verify.js";

export interface RecordReportLine {
  readonly ok: boolean;
  /** `owner TYPE` of the RRset the line is about. */
  readonly subject: string;
  readonly detail: string;
}

export interface TrustAnchorInput {
  /** Where the anchor came from, for the report (a file name). */
  readonly name: string;
  readonly records: readonly AnchorRecord[];
}

/** Every RRset's signatures at `nowEpochSeconds`, then (with an anchor) the chain of each anchored DNSKEY RRset. */
export function verifyRecordsReport(rrs: readonly RR[], nowEpochSeconds: number, anchor?: TrustAnchorInput): RecordReportLine[] {
  const verdicts = verifyRecords(rrs, nowEpochSeconds);
  const lines: RecordReportLine[] = [];
  for (const verdict of verdicts) {
    const subject = `${nameToString(verdict.rrset.owner)} ${typeToString(verdict.rrset.type)}`;
    if (verdict.verdicts.length === 0) lines.push({ ok: false, subject, detail: "no RRSIG covers this RRset" });
    for (const v of verdict.verdicts) lines.push({ ok: v.status === "valid", subject, detail: v.reason });
    if (verdict.verdicts.length > 0 && !verdict.signed) lines.push({ ok: false, subject, detail: "no valid signature" });
  }
  if (anchor === undefined) return lines;
  const owners = new Map(anchor.records.map((a) => [nameToString(a.owner), a.owner]));
  for (const [ownerText, owner] of owners) {
    const subject = `${ownerText} DNSKEY`;
    const dnskeys = rrs.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY") && namesEqual(rr.owner, owner));
    if (dnskeys.length === 0) {
      lines.push({ ok: false, subject, detail: `the anchor names ${ownerText} but the file has no DNSKEY RRset there` });
      continue;
    }
    const designated = anchoredKeys(dnskeys, anchor.records);
    const verdict = verdicts.find((v) => v.rrset.type === RRType.DNSKEY && namesEqual(v.rrset.owner, owner));
    const signer = verdict?.verdicts.find((v) => v.status === "valid" && v.key && designated.includes(v.key));
    if (signer?.key) {
      lines.push({ ok: true, subject, detail: `chains to the anchor ${anchor.name}: signed by ${keyTag(signer.key.rdata)}` });
    } else {
      const detail =
        designated.length === 0
          ? `no key in the RRset matches the anchor ${anchor.name}`
          : `no valid signature by an anchored key (${designated.map((k) => keyTag(k.rdata)).join(", ")})`;
      lines.push({ ok: false, subject, detail });
    }
  }
  return lines;
}
