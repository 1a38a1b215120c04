/**
 * The include and limits driver of the one zone loader (./zone-loader.ts `loadZone`,
 * ./zone-wire-loader.ts `loadZoneWire`): one file's text, whole or in chunks, fed line by line to a
 * reader the caller makes (one loader, two record outputs: RR objects or wire form); `$INCLUDE`
 * (RFC 1035 §5.1) followed through a caller-given `openInclude` — core reads no files — and only
 * for files below the top zone file's own directory (`resolveIncludePath`), so a zone handed over
 * for signing cannot pull in `/etc/…` or a sibling directory's keys. The included file starts with
 * the directive's origin (or the current one) and `$TTL`; its own `$ORIGIN` does not leak back
 * (RFC 1035 §5.1). Includes are bounded like the main file, so that no input makes the loader run
 * or grow without end: nesting depth, the number of includes, the total octets of all files (each
 * include is offered only what is left), and the number of records; the same file (by the identity
 * its opener gives, else its path) is never read twice, which also ends a file including itself.
 *
 * Text may come as chunks (a file read piece by piece): each chunk's complete lines are parsed
 * before the next is awaited, so a caller that reads asynchronously lets other work (a signal
 * handler) run between chunks, and a refusal comes before the rest is read.
 *
 * Left out: parsing records (./zonefile.ts, ./zone-wire-fast.ts), reading files (the caller's opener).
 */
import path from "node:path";
import { KskError, inputError } from "./errors.js";
import { type Name, ROOT } from "./name.js";
import type { IncludeDirective, ZoneReaderOptions } from "./zonefile.js";

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
 * One file's reader as the driver sees it: fed each line (without its newline) as the range
 * `start`..`end` of a text that holds many (so a reader that can read in place makes no string per
 * line), then told the end.
 */
export interface FileLineReader {
  line(text: string, start: number, end: number): void;
  end(): void;
}

/**
 * Makes the reader of one file from the ZoneReader options the driver set (file name, origin,
 * `$TTL`, the `$INCLUDE` hook). The reader calls `count(entryLine)` once for each record, before
 * handing it on: past `maxRecords` it throws ZONE-TOO-LARGE at that record's `file:line`.
 */
export type OpenFileLineReader = (options: ZoneReaderOptions, count: (entryLine: number) => void) => FileLineReader;

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
  readonly seen: Set<string>;
  readonly open: OpenFileLineReader;
  records: number;
  includes: number;
  bytes: number;
}

/** Feed `source` (and the files it includes) through readers made by `open`, with every bound. */
export async function driveZoneLoad(source: ZoneSource, options: LoadZoneOptions, open: OpenFileLineReader): Promise<void> {
  const state: LoadState = { seen: new Set(), open, records: 0, includes: 0, bytes: 0 };
  await loadFile(source, options.includeBase ?? source.name, options.origin ?? ROOT, undefined, 0, state, options);
}

export function readerOptions(name: string, origin: Name | undefined, defaultTtlSeconds: number | undefined, options: LoadZoneOptions): ZoneReaderOptions {
  return {
    fileName: name,
    ...(origin ? { origin } : {}),
    ...(defaultTtlSeconds === undefined ? {} : { defaultTtlSeconds }),
    ...(options.fallbackTtlSeconds === undefined ? {} : { fallbackTtlSeconds: options.fallbackTtlSeconds }),
    ...(options.onFallbackTtl ? { onFallbackTtl: options.onFallbackTtl } : {}),
  };
}

export function tooManyRecords(maxRecords: number, where: string): KskError {
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
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const count = (entryLine: number) => {
    if (++state.records > maxRecords) throw tooManyRecords(maxRecords, `${source.name}:${entryLine}`);
  };
  const reader = state.open(
    {
      ...readerOptions(source.name, origin, defaultTtlSeconds, options),
      ...(options.openInclude ? { onInclude: (d: IncludeDirective) => includes.push(d) } : {}),
    },
    count,
  );
  // The lines of `text` from `start` to `stop` (the last one ends there), read in place.
  const lines = async (text: string, start: number, stop: number) => {
    for (;;) {
      const newline = text.indexOf("\n", start);
      const end = newline < 0 || newline > stop ? stop : newline;
      reader.line(text, start, end);
      if (includes.length > 0) for (const d of includes.splice(0)) await include(d, topName, depth, state, options);
      if (end === stop) break;
      start = end + 1;
    }
  };
  if (typeof source.text === "string") {
    await lines(source.text, 0, source.text.length);
  } else {
    // A chunk's lines are read where they stand; only the line that spans two chunks is joined.
    let rest = "";
    for await (const chunk of source.text) {
      const first = chunk.indexOf("\n");
      if (first < 0) {
        rest += chunk;
        continue;
      }
      const joined = rest + chunk.slice(0, first);
      await lines(joined, 0, joined.length);
      const last = chunk.lastIndexOf("\n");
      if (last > first) await lines(chunk, first + 1, last);
      rest = chunk.slice(last + 1);
    }
    await lines(rest, 0, rest.length);
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
