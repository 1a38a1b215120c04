/**
 * DS records in the formats resolver operators paste into their software:
 * - `zone`: zone-file lines (`.	172800	IN	DS	20326 8 2 E06D…`), as ldns-key2ds and dnssec-dsfromkey print;
 * - `bind`: a BIND 9.15+ `trust-anchors { … };` clause with `initial-ds` (RFC 5011 managed, as BIND
 *   recommends for the root) or, on request, `static-ds` (with BIND's own warning, see below);
 * - `unbound`: a file for unbound's `trust-anchor-file:` / `auto-trust-anchor-file:` (DS lines, `;` comments);
 * - `json`: one object per DS.
 */
import { bytesToHex } from "./bytes.js";
import { type Name, nameToString } from "./name.js";
import type { DsRdata } from "./rdata.js";
import { makeRR, rrToString } from "./rr.js";

export const DS_FORMATS = ["zone", "bind", "unbound", "json"] as const;
export type DsFormat = (typeof DS_FORMATS)[number];

export interface DsRecord {
  readonly owner: Name;
  readonly ttlSeconds: number;
  readonly ds: DsRdata;
}

export interface DsFormatOptions {
  /** BIND: `initial-ds` (RFC 5011 managed, the form BIND ships; the default) or `static-ds` (fixed). */
  readonly bindMode?: "static-ds" | "initial-ds";
}

export function formatDsRecords(records: readonly DsRecord[], format: DsFormat, options: DsFormatOptions = {}): string {
  switch (format) {
    case "zone":
      return records.map((r) => `${rrToString(makeRR(r.owner, r.ttlSeconds, r.ds))}\n`).join("");
    case "bind": {
      const mode = options.bindMode ?? "initial-ds";
      const lines = records.map((r) => {
        const d = r.ds;
        return `\t"${nameToString(r.owner)}" ${mode} ${d.keyTag} ${d.algorithm} ${d.digestType} "${bytesToHex(d.digestBytes, true)}";\n`;
      });
      return `trust-anchors {\n${lines.join("")}};\n`;
    }
    case "unbound":
      return `; trust anchor file for unbound (trust-anchor-file: or auto-trust-anchor-file:)\n${formatDsRecords(records, "zone")}`;
    case "json":
      return `${JSON.stringify(
        records.map((r) => ({
          owner: nameToString(r.owner),
          ttlSeconds: r.ttlSeconds,
          keyTag: r.ds.keyTag,
          algorithm: r.ds.algorithm,
          digestType: r.ds.digestType,
          digestHex: bytesToHex(r.ds.digestBytes, true),
        })),
        null,
        2,
      )}\n`;
  }
}

/**
 * The warning BIND's named-checkconf gives for a static root anchor (it cannot follow a KSK
 * rollover), or undefined when the output has none.
 */
export function bindStaticRootWarning(records: readonly DsRecord[], format: DsFormat, options: DsFormatOptions = {}): string | undefined {
  if (format !== "bind" || (options.bindMode ?? "initial-ds") !== "static-ds") return undefined;
  if (!records.some((r) => nameToString(r.owner) === ".")) return undefined;
  return "static entry for the root zone WILL FAIL after key rollover - use trust-anchors with initial-key or initial-ds instead (BIND's named-checkconf)";
}
