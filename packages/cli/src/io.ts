/**
 * File input and output for commands. Reading keeps the original bytes (they are hashed and shown
 * to witnesses as read). Writing goes through @ksk/files' one atomic writer: a temporary file
 * in the same directory, fsynced, verified by the caller, then linked (or with `force` renamed)
 * into place — so a failure leaves nothing behind and an existing file is never replaced unasked.
 */
import { promises as fs } from "node:fs";
import { type DnskeyRdata, KskError, ROOT_KEY_TTL_SECONDS, type RR, ZoneReader, type ZoneReaderOptions, checkTrustableKey, isKind } from "@ksk/core";
import { type AtomicOutput, checkOutputPath, describeFsError, writeFilesAtomically } from "@ksk/files";
import type { CliContext } from "./context.js";

/**
 * How a `-` argument (standard input) reaches commands. yargs parses a bare `-` as an empty flag,
 * so main.ts replaces it with this marker first; it contains NUL, so no real path can equal it.
 */
export const STDIN_ARGUMENT = "\u0000stdin";

export interface InputFile {
  /** The name to show in messages: the path as given, or `stdin`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Read a file (or `-` for standard input) whole. */
export async function readInput(ctx: CliContext, file: string, maxBytes = 64 * 1024 * 1024): Promise<InputFile> {
  if (file === STDIN_ARGUMENT || file === "-") return { name: "stdin", bytes: await ctx.readStdin(maxBytes) };
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new KskError("input", "INPUT-NOT-FILE", "not a regular file", { where: file });
    if (stat.size > maxBytes) {
      throw new KskError("input", "INPUT-TOO-LARGE", `is ${stat.size} bytes; at most ${maxBytes} accepted`, { where: file });
    }
    return { name: file, bytes: new Uint8Array(await fs.readFile(file)) };
  } catch (e) {
    if (e instanceof KskError) throw e;
    throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
  }
}

export function decodeUtf8(input: InputFile): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(input.bytes);
  } catch {
    throw new KskError("input", "INPUT-ENCODING", "is not valid UTF-8 text", { where: input.name });
  }
}

/**
 * The DNSKEY records of a zone file, each key of a supported algorithm checked for form and
 * strength (an RSA key with an 8-bit modulus, an exponent of 1 or an even modulus is not a key to
 * print a DS for). Keys of other algorithms pass as they are: their DS and tag are still defined.
 */
export function dnskeysOf(rrs: readonly RR[], where: string): RR<DnskeyRdata>[] {
  const keys = rrs.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
  if (keys.length === 0) throw new KskError("input", "NO-DNSKEY", "holds no DNSKEY record", { where });
  for (const rr of keys) {
    within(where, rr, () => checkTrustableKey(rr.rdata.algorithm, rr.rdata.publicKeyBytes));
  }
  return keys;
}

/**
 * For DNSKEY/DS input: a record with no TTL, no `$TTL` and no previous record (a `.key` file from
 * dnssec-keygen or ldns-keygen) gets the root's key TTL; `say` tells the operator once, on stderr,
 * where that TTL reaches the output.
 */
export function keyTtlFallback(ctx: CliContext, say: boolean): Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> {
  const note = (where: string) =>
    ctx.err(`ksk: note: ${where}: the record has no TTL and there is no $TTL; using the root's ${ROOT_KEY_TTL_SECONDS} seconds\n`);
  return { fallbackTtlSeconds: ROOT_KEY_TTL_SECONDS, ...(say ? { onFallbackTtl: note } : {}) };
}

/** The line of its file that completed each record read by `zoneRecords` (for messages). */
const recordLines = new WeakMap<RR, number>();

/** Run `check` on `rr`; a coded error it throws is reported at `file:line` of the record. */
export function within<T>(file: string, rr: RR, check: () => T): T {
  try {
    return check();
  } catch (e) {
    const line = recordLines.get(rr);
    throw e instanceof KskError ? e.within(line === undefined ? file : `${file}:${line}`) : e;
  }
}

/** The records of a zone-format input, each remembered with the line that completed it. */
export function zoneRecords(input: InputFile, options: Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> = {}): RR[] {
  if (/^\s*<(\?xml|TrustAnchor)\b/.test(new TextDecoder().decode(input.bytes.subarray(0, 256)))) {
    throw new KskError("input", "INPUT-IS-XML", "is XML, not zone-format records (for root-anchors.xml use ksk anchors ds)", { where: input.name });
  }
  const reader = new ZoneReader({ fileName: input.name, ...options });
  const rrs: RR[] = [];
  const lines = decodeUtf8(input).split("\n");
  const take = (records: readonly RR[], line: number) => {
    for (const rr of records) {
      recordLines.set(rr, line);
      rrs.push(rr);
    }
  };
  for (const [i, line] of lines.entries()) take(reader.line(line), i + 1);
  take(reader.end(), lines.length);
  return rrs;
}

/** Read a zone file (presentation-format records); a record without any TTL gets the root's key TTL. */
export async function readZoneFile(ctx: CliContext, file: string, options: { sayFallbackTtl?: boolean } = {}): Promise<{ input: InputFile; rrs: RR[] }> {
  const input = await readInput(ctx, file);
  return { input, rrs: zoneRecords(input, keyTtlFallback(ctx, options.sayFallbackTtl ?? false)) };
}

export interface WriteOptions {
  /** Replace an existing regular file. */
  readonly force?: boolean;
  /** File mode for a new file (0o600 for anything secret). */
  readonly mode?: number;
  /** Called with the bytes as read back from the temporary file; throw to abandon the write. */
  readonly verify?: (written: Uint8Array) => void | Promise<void>;
}

/** Write `bytes` to `file` atomically (see @ksk/files' atomic-file), refusing to overwrite unless `force`. */
export async function writeOutput(file: string, bytes: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
  await writeFilesAtomically(
    [{ file, bytes, ...(options.mode === undefined ? {} : { mode: options.mode }), ...(options.verify ? { verify: options.verify } : {}) }],
    { force: options.force ?? false },
  );
}

/** Write files that belong together (a key and its certificate) all or none. */
export async function writeOutputs(outputs: readonly AtomicOutput[], force: boolean): Promise<void> {
  await writeFilesAtomically(outputs, { force });
}

/**
 * Refuse early, before any key is used or anyone is asked to confirm, an output that exists (unless
 * `force`), that is not a regular file, that is `-`, or whose directory cannot be written.
 * `writeOutput` checks again, atomically, when it writes.
 */
export async function checkOutputWritable(file: string, force: boolean): Promise<void> {
  await checkOutputPath(file, force);
}

/** Print a JSON document (for `--json`). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(`${JSON.stringify(value, null, 2)}\n`);
}
