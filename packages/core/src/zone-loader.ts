/**
 * The one zone loader: every record of a zone file (and of the files it includes) with the
 * location it was read at (`file:line`), through ./zonefile.ts's reader. Every command and
 * package that reads zone-format records uses it: a zone to sign or verify, a DNSKEY or DS file.
 * `$INCLUDE`, chunked text and every bound (depth, number of includes, total octets, records, the
 * same file twice) are ./zone-load-driver.ts's, shared with `loadZoneWire` (./zone-wire-loader.ts),
 * which gives the same records in canonical wire form instead of RR objects.
 *
 * Also `dnskeyRecords`, the DNSKEYs of a key file (none is refused, weak keys at their `file:line`).
 *
 * Left out: `$GENERATE` (BIND only); reading files (the caller's `openInclude`).
 */
import { checkTrustableKey } from "./algorithms.js";
import { checkAt, inputError } from "./errors.js";
import { ROOT } from "./name.js";
import type { DnskeyRdata } from "./rdata.js";
import { type RR, isKind } from "./rr.js";
import { type LoadZoneOptions, type ZoneSource, driveZoneLoad, readerOptions, tooManyRecords } from "./zone-load-driver.js";
import { ZoneReader } from "./zonefile.js";

export {
  DEFAULT_MAX_INCLUDE_DEPTH,
  DEFAULT_MAX_INCLUDES,
  type IncludeRequest,
  type LoadZoneOptions,
  type ZoneLoadLimits,
  type ZoneSource,
  resolveIncludePath,
} from "./zone-load-driver.js";

/** A record and where it was read (`file:line`), so later checks can point at it. */
export interface LocatedRR {
  readonly rr: RR;
  readonly where: string;
}

/** Every record of `source` (and of the files it includes), each with its `file:line`. */
export async function loadZone(source: ZoneSource, options: LoadZoneOptions = {}): Promise<LocatedRR[]> {
  const out: LocatedRR[] = [];
  await driveZoneLoad(source, options, (fileOptions, count) => {
    const reader = new ZoneReader(fileOptions);
    return {
      line(text, start, end) {
        for (const rr of reader.line(text.slice(start, end))) {
          count(reader.entryLine);
          out.push({ rr, where: reader.entryWhere });
        }
      },
      end: () => reader.end(),
    };
  });
  return out;
}

/** The same for a text in memory without `$INCLUDE` (a key file, a test's zone). */
export function loadZoneRecords(source: { readonly name: string; readonly text: string }, options: Omit<LoadZoneOptions, "openInclude"> = {}): LocatedRR[] {
  const out: LocatedRR[] = [];
  const reader = new ZoneReader({ ...readerOptions(source.name, options.origin ?? ROOT, undefined, options) });
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  for (const line of source.text.split("\n")) {
    for (const rr of reader.line(line)) {
      out.push({ rr, where: reader.entryWhere });
      if (out.length > maxRecords) throw tooManyRecords(maxRecords, reader.entryWhere);
    }
  }
  reader.end();
  return out;
}

/**
 * The DNSKEY records of a key file; a file without one is bad input at `fileName`. With
 * `trustable`, each key of a supported algorithm is checked for form and strength (an RSA key with
 * an 8-bit modulus, an exponent of 1 or an even modulus is not a key to print a DS for), a fault
 * reported at the record's `file:line`; keys of other algorithms pass as they are (their DS and
 * tag are still defined).
 */
export function dnskeyRecords(records: readonly LocatedRR[], fileName: string, options: { readonly trustable?: boolean } = {}): RR<DnskeyRdata>[] {
  const keys: RR<DnskeyRdata>[] = [];
  for (const record of records) {
    const rr = record.rr;
    if (!isKind(rr, "DNSKEY")) continue;
    if (options.trustable) checkAt(record.where, () => checkTrustableKey(rr.rdata.algorithm, rr.rdata.publicKeyBytes));
    keys.push(rr);
  }
  if (keys.length === 0) throw inputError("NO-DNSKEY", "holds no DNSKEY record", fileName);
  return keys;
}
