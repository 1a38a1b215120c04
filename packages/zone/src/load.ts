/**
 * Reading a zone's records with the location of each (`file:line`), through core's one zone-file
 * reader. `$INCLUDE` (RFC 1035 §5.1) is followed through a caller-given `readInclude` — this
 * package reads no files — and only for files below the top zone file's own directory
 * (`resolveIncludePath`), so a zone handed over for signing cannot pull in `/etc/…` or a sibling
 * directory's keys. The included file starts with the directive's origin (or the current one) and
 * `$TTL`; its own `$ORIGIN` does not leak back (RFC 1035 §5.1).
 *
 * Left out: `$GENERATE` (BIND only).
 */
import path from "node:path";
import { type IncludeDirective, KskError, type Name, ROOT, ZoneReader, inputError } from "@ksk/core";
import type { LocatedRR } from "./zone.js";

export interface ZoneSource {
  /** The file name as shown in messages (and resolved against, for `$INCLUDE`). */
  readonly name: string;
  readonly text: string;
}

export interface LoadZoneOptions {
  /** The origin relative names start from (default the root). */
  readonly origin?: Name;
  /** Read an included file, already resolved by `resolveIncludePath`. Absent: `$INCLUDE` refused. */
  readonly readInclude?: (resolvedPath: string, where: string) => ZoneSource;
  /** Nesting limit for `$INCLUDE` (a file including itself would otherwise never end). */
  readonly maxIncludeDepth?: number;
}

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

/** Every record of `source` (and of the files it includes), each with its `file:line`. */
export function loadZoneRecords(source: ZoneSource, options: LoadZoneOptions = {}): LocatedRR[] {
  const out: LocatedRR[] = [];
  const maxDepth = options.maxIncludeDepth ?? 8;
  const read = (src: ZoneSource, origin: Name | undefined, defaultTtlSeconds: number | undefined, depth: number) => {
    const includes: IncludeDirective[] = [];
    const reader = new ZoneReader({
      fileName: src.name,
      ...(origin ? { origin } : {}),
      ...(defaultTtlSeconds === undefined ? {} : { defaultTtlSeconds }),
      ...(options.readInclude ? { onInclude: (d: IncludeDirective) => includes.push(d) } : {}),
    });
    for (const line of src.text.split("\n")) {
      for (const rr of reader.line(line)) out.push({ rr, where: reader.entryWhere });
      for (const d of includes.splice(0)) {
        if (depth >= maxDepth) throw inputError("ZONE-INCLUDE", `$INCLUDE nested more than ${maxDepth} deep`, d.where);
        const resolved = resolveIncludePath(source.name, d.fileName, d.where);
        let included: ZoneSource;
        try {
          included = (options.readInclude as NonNullable<LoadZoneOptions["readInclude"]>)(resolved, d.where);
        } catch (e) {
          if (e instanceof KskError) throw e;
          throw inputError("ZONE-INCLUDE", `$INCLUDE ${d.fileName}: ${(e as Error).message}`, d.where);
        }
        read(included, d.origin, d.defaultTtlSeconds, depth + 1);
      }
    }
    reader.end();
  };
  read(source, options.origin ?? ROOT, undefined, 0);
  return out;
}
