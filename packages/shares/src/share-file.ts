/**
 * The share file: what a crypto officer keeps (written 0600 by the caller), in UTF-8 text lines.
 *
 *   # ksk officer share: secret, never copy it into a transcript, a ticket or a chat
 *   format: ksk-share 1
 *   set: 3f2a9c01d4e5b6a7
 *   index: 2
 *   threshold: 3
 *   count: 5
 *   kind: pin
 *   officer: alice                  (optional)
 *   fingerprint: 9c2e4f1a0b3d5e6f
 *   record: 013f2a9c01d4e5b6a7…     (the share record of ./record.ts in hex)
 *   words: aardvark adroitness …    (the same record as PGP words, for typing at a terminal)
 *
 * The record is authoritative; every other line must agree with it, so a file edited by hand
 * (an index changed to pass a share as another officer's) is refused. Lines starting with "#"
 * and blank lines are ignored; unknown fields are refused. Pure: text in, values out.
 */
import { KskError, bytesEqual, hexToBytes, pgpWords } from "@ksk/core";
import { type ShareRecord, decodeShareRecord, encodeShareRecord, shareFingerprint } from "./record.js";
import { octetsFromPgpWords } from "./words.js";

export const SHARE_FILE_FORMAT = "ksk-share 1";
/** The largest share file read: a record for a secret of 255 octets as hex and words fits easily. */
export const SHARE_FILE_MAX_BYTES = 8192;

export interface ShareFileContents {
  readonly record: ShareRecord;
  readonly officer?: string;
}

const FIELDS = ["format", "set", "index", "threshold", "count", "kind", "officer", "fingerprint", "record", "words"] as const;
type Field = (typeof FIELDS)[number];

/** An officer's name: printable, no control characters, at most 64 characters. */
export const OFFICER_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,63}$/u;

export function formatShareFile(contents: ShareFileContents): string {
  const { record } = contents;
  const bytes = encodeShareRecord(record);
  return [
    "# ksk officer share: secret, never copy it into a transcript, a ticket or a chat",
    `format: ${SHARE_FILE_FORMAT}`,
    `set: ${record.setIdHex}`,
    `index: ${record.index}`,
    `threshold: ${record.threshold}`,
    `count: ${record.count}`,
    `kind: ${record.kind}`,
    ...(contents.officer === undefined ? [] : [`officer: ${contents.officer}`]),
    `fingerprint: ${shareFingerprint(record)}`,
    `record: ${Buffer.from(bytes).toString("hex")}`,
    `words: ${pgpWords(bytes).join(" ")}`,
    "",
  ].join("\n");
}

function bad(code: string, detail: string, where: string): KskError {
  return new KskError("input", code, detail, { where });
}

/** Read a share file's text; `where` names the file in messages (never its contents). */
export function parseShareFile(text: string, where: string): ShareFileContents {
  const fields = new Map<Field, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const m = /^([a-z]+): ?(.*)$/.exec(line);
    const name = m?.[1] as Field | undefined;
    if (!m || !name || !FIELDS.includes(name)) throw bad("SHARE-FILE", "not a share file line (NAME: value)", `${where}:${i + 1}`);
    if (fields.has(name)) throw bad("SHARE-FILE", `field ${name} given twice`, `${where}:${i + 1}`);
    fields.set(name, (m[2] ?? "").trim());
  });
  if (fields.get("format") !== SHARE_FILE_FORMAT) throw bad("SHARE-FILE", `not a share file (no "format: ${SHARE_FILE_FORMAT}" line)`, where);
  const recordHex = fields.get("record");
  if (recordHex === undefined) throw bad("SHARE-FILE", "no record: line", where);
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(recordHex, "record");
  } catch {
    throw bad("SHARE-CORRUPT", "the record: line is not hex", where);
  }
  const record = decodeShareRecord(bytes, where);
  const words = fields.get("words");
  if (words !== undefined && !bytesEqual(octetsFromPgpWords(words, where), bytes)) {
    throw bad("SHARE-CORRUPT", "the words: line and the record: line differ", where);
  }
  const expected: Partial<Record<Field, string>> = {
    set: record.setIdHex,
    index: String(record.index),
    threshold: String(record.threshold),
    count: String(record.count),
    kind: record.kind,
    fingerprint: shareFingerprint(record),
  };
  for (const [name, value] of Object.entries(expected) as [Field, string][]) {
    const given = fields.get(name);
    if (given !== undefined && given !== value) throw bad("SHARE-CORRUPT", `the ${name}: line does not match the share record`, where);
  }
  const officer = fields.get("officer");
  if (officer !== undefined && !OFFICER_PATTERN.test(officer)) throw bad("SHARE-FILE", "the officer: line is not a name", where);
  return { record, ...(officer === undefined ? {} : { officer }) };
}

/** A share typed at a terminal: its PGP words (or the record in hex), checked like a file. */
export function parseTypedShare(text: string, where: string): ShareRecord {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F\s]+$/.test(trimmed) ? hexToBytes(trimmed.replace(/\s+/g, ""), "share") : octetsFromPgpWords(trimmed, where);
  return decodeShareRecord(bytes, where);
}
