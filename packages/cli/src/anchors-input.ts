/**
 * Reading a trust anchor given on the command line: a zone-format file of DS and/or DNSKEY
 * records. (root-anchors.xml support is added with @ksk/trust-anchor.)
 */
import { type AnchorRecord, KskError, checkDsDigestLength, isKind } from "@ksk/core";
import type { CliContext } from "./context.js";
import { decodeUtf8, readInput } from "./io.js";
import { ZoneReader } from "@ksk/core";

export interface LoadedAnchors {
  readonly name: string;
  readonly records: readonly AnchorRecord[];
}

export async function loadAnchors(ctx: CliContext, file: string, _nowEpochSeconds: number): Promise<LoadedAnchors> {
  const input = await readInput(ctx, file);
  const text = decodeUtf8(input);
  const reader = new ZoneReader({ fileName: input.name });
  const records: AnchorRecord[] = [];
  for (const line of text.split("\n")) {
    for (const rr of reader.line(line)) {
      if (isKind(rr, "DS")) {
        checkDsDigestLength(rr.rdata);
        records.push(rr);
      } else if (isKind(rr, "DNSKEY")) {
        records.push(rr);
      }
    }
  }
  if (records.length === 0) throw new KskError("input", "NO-ANCHOR", "holds no DS or DNSKEY record to use as a trust anchor", { where: input.name });
  return { name: input.name, records };
}
