/**
 * The one zone loader: every record of a zone file (and of the files it includes) with the
 * location it was read at (`file:line`), through ./zonefile.ts's reader. Every command and
 * package that reads zone-format records uses it: a zone to sign or verify, a DNSKEY or DS file.
 *
 * `$INCLUDE` (RFC 1035 §5.1) is followed through a caller-given `openInclude` — core reads no
 * files — and only for files below the top zone file's own directory (`resolveIncludePath`), so a
 * zone handed over for signing cannot pull in `/etc/…` or a sibling directory's keys. The included
 * file starts with the directive's origin (or the current one) and `$TTL`; its own `$ORIGIN` does
 * not leak back (RFC 1035 §5.1). Includes are bounded like the main file, so that no input makes
 * the loader run or grow without end: nesting depth, the number of includes, the total octets of
 * all files (each include is offered only what is left), and the number of records; the same file
 * (by the identity its opener gives, else its path) is never read twice, which also ends a file
 * including itself.
 *
 * Text may come as chunks (a file read piece by piece): each chunk's complete lines are parsed
 * before the next is awaited, so a caller that reads asynchronously lets other work (a signal
 * handler) run between chunks, and a refusal comes before the rest is read.
 *
 * Also `dnskeyRecords`, the DNSKEYs of a key file (none is refused, weak keys at their `file:line`).
 *
 * Left out: `$GENERATE` (BIND only); reading files (the caller's `openInclude`).
 */
import path from "node:path";
import { checkTrustableKey } from "./algorithms.js";
import { KskError, checkAt, inputError } from "./errors.js";
import { type Name, ROOT } from "./name.js";
import type { DnskeyRdata } from "./rdata.js";
import { type RR, isKind } from "./rr.js";
import { type IncludeDirective, ZoneReader, type ZoneReaderOptions } from "./zonefile.js";

/** A record and where it was read (`file:line`), so later checks can point at it. */
export interface LocatedRR {
  readonly rr: RR;
  readonly where: string;
}

export interface ZoneSource {
  /** The file name as shown in messages (and resolved against, for `$INCLUDE`). */
  readonly name: string;
  /** The text whole, or its pieces in order (a piece may end anywhere within a line). */
  readonly text: string | AsyncIterable<string>;
  /** Its size in octets, counted against `maxTotalBytes` (else the text's length). */
  readonly byteLength?: number;
  /** What makes two paths the same file (e.g. device and inode); else the resolved path. */
  readonly identity?: string;
  /** Release what the opener holds when the loader refuses the file before reading it. */
  readonly close?: () => Promise<void>;
}

export interface IncludeRequest {
  /** The path, already checked by `resolveIncludePath`. */
  readonly resolvedPath: string;
  /** `file:line` of the `$INCLUDE` directive. */
  readonly where: string;
  /** The octets left of `maxTotalBytes`: a larger file is to be refused before it is read. */
  readonly maxBytes: number;
}

/** The bounds of one load (the defaults suit a root-sized zone; the CLI sets its own). */
export interface ZoneLoadLimits {
  /** `$INCLUDE` nesting (default 8). */
  readonly maxIncludeDepth?: number;
  /** `$INCLUDE` directives followed in all (default 64). */
  readonly maxIncludes?: number;
  /** Octets of all files together (default unbounded). */
  readonly maxTotalBytes?: number;
  /** Records in all (default unbounded). */
  readonly maxRecords?: number;
}

export interface LoadZoneOptions extends ZoneLoadLimits, Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> {
  /** The origin relative names start from (default the root). */
  readonly origin?: Name;
  /** The path `$INCLUDE`s resolve against (default the source's name): the top file's. */
  readonly includeBase?: string;
  /** Open an included file. Absent: `$INCLUDE` refused. */
  readonly openInclude?: (request: IncludeRequest) => ZoneSource | Promise<ZoneSource>;
}

export const DEFAULT_MAX_INCLUDE_DEPTH = 8;
export const DEFAULT_MAX_INCLUDES = 64;

/**
 * The path of an `$INCLUDE`d file: relative names against the directory of the top zone file,
 * and the result must lie below that directory. `where` names the directive in the error.
 */
export function resolveIncludePath(topZoneFile: string, includeName: string, where: string): string {
  const base = path.resolve(path.dirname(topZoneFile));
  const resolved = path.resolve(base, includeName);
  const relative = path.relative(base, resolved);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw inputError("ZONE-INCLUDE", `$INCLUDE ${includeName}: only files below the zone file's directory ${base} may be included`, where);
  }
  return resolved;
}

interface LoadState {
  readonly out: LocatedRR[];
  readonly seen: Set<string>;
  includes: number;
  bytes: number;
}

/** Every record of `source` (and of the files it includes), each with its `file:line`. */
export async function loadZone(source: ZoneSource, options: LoadZoneOptions = {}): Promise<LocatedRR[]> {
  const state: LoadState = { out: [], seen: new Set(), includes: 0, bytes: 0 };
  await loadFile(source, options.includeBase ?? source.name, options.origin ?? ROOT, undefined, 0, state, options);
  return state.out;
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

function readerOptions(name: string, origin: Name | undefined, defaultTtlSeconds: number | undefined, options: LoadZoneOptions): ZoneReaderOptions {
  return {
    fileName: name,
    ...(origin ? { origin } : {}),
    ...(defaultTtlSeconds === undefined ? {} : { defaultTtlSeconds }),
    ...(options.fallbackTtlSeconds === undefined ? {} : { fallbackTtlSeconds: options.fallbackTtlSeconds }),
    ...(options.onFallbackTtl ? { onFallbackTtl: options.onFallbackTtl } : {}),
  };
}

function tooManyRecords(maxRecords: number, where: string): KskError {
  return inputError("ZONE-TOO-LARGE", `the zone has more than ${maxRecords} records, the most this command loads`, where);
}

function countBytes(source: ZoneSource, where: string, state: LoadState, options: LoadZoneOptions): void {
  const maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  state.bytes += source.byteLength ?? (typeof source.text === "string" ? source.text.length : 0);
  if (state.bytes > maxTotalBytes) {
    throw inputError("ZONE-TOO-LARGE", `the zone and its included files exceed ${maxTotalBytes} octets in all`, where);
  }
}

async function loadFile(
  source: ZoneSource,
  topName: string,
  origin: Name | undefined,
  defaultTtlSeconds: number | undefined,
  depth: number,
  state: LoadState,
  options: LoadZoneOptions,
): Promise<void> {
  state.seen.add(source.identity ?? path.resolve(source.name));
  countBytes(source, source.name, state, options);
  const includes: IncludeDirective[] = [];
  const reader = new ZoneReader({
    ...readerOptions(source.name, origin, defaultTtlSeconds, options),
    ...(options.openInclude ? { onInclude: (d: IncludeDirective) => includes.push(d) } : {}),
  });
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const lines = async (text: string) => {
    for (const line of text.split("\n")) {
      for (const rr of reader.line(line)) {
        state.out.push({ rr, where: reader.entryWhere });
        if (state.out.length > maxRecords) throw tooManyRecords(maxRecords, reader.entryWhere);
      }
      for (const d of includes.splice(0)) await include(d, topName, depth, state, options);
    }
  };
  if (typeof source.text === "string") {
    await lines(source.text);
  } else {
    let rest = "";
    for await (const chunk of source.text) {
      const text = rest + chunk;
      const last = text.lastIndexOf("\n");
      if (last < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(last + 1);
      await lines(text.slice(0, last));
    }
    await lines(rest);
  }
  reader.end();
}

async function include(d: IncludeDirective, topName: string, depth: number, state: LoadState, options: LoadZoneOptions): Promise<void> {
  const maxDepth = options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
  const maxIncludes = options.maxIncludes ?? DEFAULT_MAX_INCLUDES;
  if (depth >= maxDepth) throw inputError("ZONE-INCLUDE", `$INCLUDE nested more than ${maxDepth} deep`, d.where);
  if (++state.includes > maxIncludes) throw inputError("ZONE-INCLUDE", `more than ${maxIncludes} $INCLUDE directives in all`, d.where);
  const resolvedPath = resolveIncludePath(topName, d.fileName, d.where);
  const maxBytes = Math.max(0, (options.maxTotalBytes ?? Number.POSITIVE_INFINITY) - state.bytes);
  let included: ZoneSource;
  try {
    included = await (options.openInclude as NonNullable<LoadZoneOptions["openInclude"]>)({ resolvedPath, where: d.where, maxBytes });
  } catch (e) {
    // An opener's refusal names the directive, unless it names a place of its own.
    if (e instanceof KskError) throw e.where === undefined ? e.within(d.where) : e;
    throw inputError("ZONE-INCLUDE", `$INCLUDE ${d.fileName}: ${(e as Error).message}`, d.where);
  }
  if (state.seen.has(included.identity ?? path.resolve(included.name))) {
    await included.close?.();
    throw inputError("ZONE-INCLUDE", `$INCLUDE ${d.fileName}: the file is already part of the zone; it is not read twice`, d.where);
  }
  await loadFile(included, topName, d.origin, d.defaultTtlSeconds, depth + 1, state, options);
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
