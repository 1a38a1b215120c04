/**
 * Canonical order (RFC 4034 §6.1, §6.3) over compact records (./wire-records.ts), without an
 * object per record: the records are grouped into runs of one owner as they were read, each run
 * gets one sort key, the runs are sorted by key (skipped when the input is already in canonical
 * order, as a zone written by a signer is), and the records of each owner name are then sorted by
 * TYPE and canonical RDATA. Identical records are merged (RFC 2181 §5); records of one RRset that
 * differ in TTL are refused (RFC 2181 §5.2), as the object zone model does.
 *
 * The sort key of a name is its labels from the rightmost, each octet `o` as the UTF-16 code unit
 * `o + 1` and each label ended by code unit 0, so that comparing two keys as strings compares the
 * names canonically: label by label from the root, octet by octet, a label that is a prefix of
 * another first, an ancestor before its descendants. The owners are lowercased already.
 *
 * Left out: the zone's structure (./wire-zone.ts).
 */
import { type Name, RRType, inputError, nameFromWire, nameToString, typeToString } from "@ksk/core";
import { FIXED_OCTETS, type WireRecords, sameWireName } from "./wire-records.js";

/** Records in canonical order, grouped by owner. */
export interface WireOrder {
  /** Record indices in canonical order, identical records merged. */
  readonly order: Uint32Array;
  /** Where each owner name's records start in `order`; one more entry than names, the last = `order.length`. */
  readonly nodeStart: Uint32Array;
  readonly nodeCount: number;
}

/** The name at `offset`, as an object, for messages only. */
export function wireName(bytes: Uint8Array, offset: number): Name {
  return nameFromWire(bytes, offset).name;
}

const keyUnits = new Uint16Array(512);

/** The sort key of the name at `offset` (see the header). */
function canonicalNameKey(bytes: Uint8Array, offset: number): string {
  const labelStarts: number[] = [];
  let at = offset;
  while (bytes[at] !== 0) {
    labelStarts.push(at);
    at += (bytes[at] as number) + 1;
  }
  let n = 0;
  for (let k = labelStarts.length - 1; k >= 0; k--) {
    const s = labelStarts[k] as number;
    const length = bytes[s] as number;
    for (let j = 1; j <= length; j++) keyUnits[n++] = (bytes[s + j] as number) + 1;
    keyUnits[n++] = 0;
  }
  return String.fromCharCode.apply(null, keyUnits.subarray(0, n) as unknown as number[]);
}

/** TYPE, then canonical RDATA (RFC 4034 §6.3: as left-justified octet strings, shorter first). */
export function compareRecords(records: WireRecords, a: number, b: number): number {
  const bytes = records.bytes;
  const fa = records.fixedAt(a);
  const fb = records.fixedAt(b);
  const typeA = ((bytes[fa] as number) << 8) | (bytes[fa + 1] as number);
  const typeB = ((bytes[fb] as number) << 8) | (bytes[fb + 1] as number);
  if (typeA !== typeB) return typeA - typeB;
  const lengthA = ((bytes[fa + 8] as number) << 8) | (bytes[fa + 9] as number);
  const lengthB = ((bytes[fb + 8] as number) << 8) | (bytes[fb + 9] as number);
  const ra = fa + FIXED_OCTETS;
  const rb = fb + FIXED_OCTETS;
  const common = Math.min(lengthA, lengthB);
  for (let k = 0; k < common; k++) {
    const d = (bytes[ra + k] as number) - (bytes[rb + k] as number);
    if (d !== 0) return d;
  }
  return lengthA - lengthB;
}

/** The runs of consecutive records with one owner: run r is records runStart[r] .. runStart[r+1]-1. */
function ownerRuns(records: WireRecords): Uint32Array {
  const starts: number[] = [];
  let head = -1;
  for (let i = 0; i < records.count; i++) {
    if (head < 0 || !sameWireName(records.bytes, records.start(head), records.bytes, records.start(i))) {
      starts.push(i);
      head = i;
    }
  }
  starts.push(records.count);
  return Uint32Array.from(starts);
}

/** The runs in canonical order of their owners; runs of one owner are adjacent, in input order. */
function sortedRuns(records: WireRecords, runStart: Uint32Array): { runs: Uint32Array; sameAsPrevious: Uint8Array } {
  const runCount = runStart.length - 1;
  const keys: string[] = new Array(runCount);
  let inOrder = true;
  for (let r = 0; r < runCount; r++) {
    keys[r] = canonicalNameKey(records.bytes, records.start(runStart[r] as number));
    if (r > 0 && !((keys[r - 1] as string) < (keys[r] as string))) inOrder = false;
  }
  const sameAsPrevious = new Uint8Array(runCount);
  if (inOrder) return { runs: Uint32Array.from({ length: runCount }, (_, r) => r), sameAsPrevious };
  // The run index after the key (behind a code unit 0, below any label octet) keeps runs of one
  // name in input order and lets the platform's string sort do the work.
  for (let r = 0; r < runCount; r++) keys[r] = `${keys[r]}\u0000${String.fromCharCode(r >>> 16, r & 0xffff)}`;
  keys.sort();
  const runs = new Uint32Array(runCount);
  for (let k = 0; k < runCount; k++) {
    const key = keys[k] as string;
    runs[k] = (key.charCodeAt(key.length - 2) << 16) | key.charCodeAt(key.length - 1);
    if (k > 0)
      sameAsPrevious[k] = sameWireName(
        records.bytes,
        records.start(runStart[runs[k - 1] as number] as number),
        records.bytes,
        records.start(runStart[runs[k] as number] as number),
      )
        ? 1
        : 0;
  }
  return { runs, sameAsPrevious };
}

function ttlMismatch(records: WireRecords, offender: number, reference: number): Error {
  const owner = nameToString(wireName(records.bytes, records.start(offender)));
  return inputError(
    "ZONE-TTL-MISMATCH",
    `${owner} ${typeToString(records.type(offender))}: TTL ${records.ttlSeconds(offender)} differs from ${records.ttlSeconds(reference)} of the same RRset (RFC 2181 §5.2)`,
    records.where(offender),
  );
}

/**
 * One owner's records (indices, input order) sorted by TYPE and RDATA into `out` from `at`,
 * identical records merged and RRset TTLs checked; returns the new end.
 */
function placeNode(records: WireRecords, members: number[], out: Uint32Array, at: number): number {
  let sorted = true;
  for (let k = 1; k < members.length; k++) if (compareRecords(records, members[k - 1] as number, members[k] as number) >= 0) sorted = false;
  // Equal records keep input order (the sort is stable), so the first written is kept.
  if (!sorted) members.sort((a, b) => compareRecords(records, a, b) || a - b);
  let end = at;
  let setFirst = -1;
  let setType = -1;
  for (const i of members) {
    const type = records.type(i);
    if (type !== setType) {
      setType = type;
      setFirst = i;
    } else if (type !== RRType.RRSIG) {
      // (RRSIGs at a name: each covers its own RRset and keeps its own TTL.)
      if (records.ttlSeconds(i) !== records.ttlSeconds(setFirst)) throw ttlMismatch(records, Math.max(i, setFirst), Math.min(i, setFirst));
      setFirst = Math.min(setFirst, i);
    }
    const previous = end > at ? (out[end - 1] as number) : -1;
    if (previous >= 0 && compareRecords(records, previous, i) === 0) {
      if (records.ttlSeconds(previous) !== records.ttlSeconds(i)) throw ttlMismatch(records, Math.max(i, previous), Math.min(i, previous));
      continue; // RFC 2181 §5: an RRset has no duplicate records
    }
    out[end++] = i;
  }
  return end;
}

/** Put `records` in canonical order, grouped by owner name. */
export function canonicalOrder(records: WireRecords): WireOrder {
  const runStart = ownerRuns(records);
  const { runs, sameAsPrevious } = sortedRuns(records, runStart);
  const order = new Uint32Array(records.count);
  const nodeStarts: number[] = [];
  let end = 0;
  let k = 0;
  while (k < runs.length) {
    const members: number[] = [];
    do {
      const r = runs[k] as number;
      for (let i = runStart[r] as number; i < (runStart[r + 1] as number); i++) if (!records.isRemoved(i)) members.push(i);
      k++;
    } while (k < runs.length && sameAsPrevious[k] === 1);
    if (members.length === 0) continue;
    nodeStarts.push(end);
    end = placeNode(records, members, order, end);
  }
  nodeStarts.push(end);
  return { order: order.subarray(0, end), nodeStart: Uint32Array.from(nodeStarts), nodeCount: nodeStarts.length - 1 };
}
