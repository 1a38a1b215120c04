/**
 * Reading a trust anchor given on the command line (`--anchor FILE`): either a zone-format file of
 * DS and/or DNSKEY records, or IANA's root-anchors.xml (RFC 9718 or RFC 7958 form), whose
 * KeyDigests valid at the given time become DS anchor records — as a resolver bootstrapping from
 * the file would use it (RFC 9718 §3.1). The XML's own checks run first: a Digest that does not
 * match its PublicKey, or no KeyDigest valid at that time, fails (exit 1) rather than silently
 * leaving fewer anchors. The .p7s is not checked here; `ksk anchors verify` does that.
 *
 * @ksk/trust-anchor (with its XML and X.509 libraries, about 1.5 MB of the bundle) is loaded only
 * for an XML file, so that `zone verify --anchor KSK.dnskey` does not pay for it at start-up.
 */
import { type AnchorRecord, KskError, checkAt, checkDsDigestLength, checkTrustableKey, formatIsoZ, isKind, makeRR } from "@ksk/core";
import type { CliContext } from "./context.js";
import { keyTtlFallback, readInput, zoneRecordsOf } from "./io.js";

export interface LoadedAnchors {
  readonly name: string;
  readonly records: readonly AnchorRecord[];
}

/** Does the file look like XML (its first non-blank character is `<`)? Zone files never do. */
function looksLikeXml(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x3c;
  }
  return false;
}

export async function loadAnchors(ctx: CliContext, file: string, nowEpochSeconds: number): Promise<LoadedAnchors> {
  const input = await readInput(ctx, file);
  if (looksLikeXml(input.bytes)) {
    const { anchorDsRecords, checkRootAnchors, keyDigestsLeftOut, parseRootAnchors } = await import("@ksk/trust-anchor");
    const doc = parseRootAnchors(input.bytes, input.name);
    try {
      checkRootAnchors(doc, nowEpochSeconds);
    } catch (e) {
      throw e instanceof KskError ? e.within(input.name) : e;
    }
    const records = anchorDsRecords(doc, { atEpochSeconds: nowEpochSeconds }).map((r) => makeRR(r.owner, r.ttlSeconds, r.ds));
    // Selected by the time: say which keys that left out, and how to choose another time.
    for (const note of keyDigestsLeftOut(doc, nowEpochSeconds)) {
      ctx.err(`ksk: NOTE: ${input.name}: ${note}, so it is not an anchor at ${formatIsoZ(nowEpochSeconds)}; give --now to select at another time\n`);
    }
    return { name: input.name, records };
  }
  const records: AnchorRecord[] = [];
  // An unknown digest type (GOST, 3) or a digest of the wrong length is reported as file:line.
  for (const record of zoneRecordsOf(input, keyTtlFallback(ctx, false))) {
    const rr = record.rr;
    if (isKind(rr, "DS")) {
      checkAt(record.where, () => checkDsDigestLength(rr.rdata));
      records.push(rr);
    } else if (isKind(rr, "DNSKEY")) {
      checkAt(record.where, () => checkTrustableKey(rr.rdata.algorithm, rr.rdata.publicKeyBytes));
      records.push(rr);
    }
  }
  if (records.length === 0) throw new KskError("input", "NO-ANCHOR", "holds no DS or DNSKEY record to use as a trust anchor", { where: input.name });
  return { name: input.name, records };
}
