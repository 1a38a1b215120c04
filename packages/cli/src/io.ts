/**
 * File input and output for commands. Reading keeps the original bytes (they are hashed and shown
 * to witnesses as read). Writing goes through @ksk/files' one atomic writer: a temporary file
 * in the same directory, fsynced, verified by the caller, then linked (or with `force` renamed)
 * into place — so a failure leaves nothing behind and an existing file is never replaced unasked.
 */
import { type Stats, constants, promises as fs } from "node:fs";
import { KskError, type LocatedRR, ROOT_KEY_TTL_SECONDS, type ZoneReaderOptions, loadZoneRecords } from "@ksk/core";
import { type AtomicOutput, checkOutputPath, describeFsError, writeFileStreamed, writeFilesAtomically } from "@ksk/files";
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

/** The largest input file a command reads (and, for a zone, all its included files together). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** What a file is, for a refusal: "a FIFO", "a directory", … */
function describeType(stat: Stats): string {
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isDirectory()) return "a directory";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Open an input file for reading: without blocking (O_NONBLOCK, so a FIFO is never waited on),
 * only a regular file (fstat on the descriptor that is read, so nothing can be swapped in
 * between), at most `maxBytes` octets — else `refuse(code, detail)` is thrown.
 */
export async function openInputFile(
  file: string,
  maxBytes: number,
  refuse: (code: string, detail: string) => KskError,
): Promise<{ handle: fs.FileHandle; stat: Stats }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw refuse("INPUT-UNREADABLE", describeFsError(e));
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refuse("INPUT-NOT-FILE", `is ${describeType(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw refuse("INPUT-TOO-LARGE", `is ${stat.size} bytes; at most ${maxBytes} accepted`);
    return { handle, stat };
  } catch (e) {
    await handle.close();
    throw e instanceof KskError ? e : refuse("INPUT-UNREADABLE", describeFsError(e));
  }
}

/** Read a file (or `-` for standard input) whole. */
export async function readInput(ctx: CliContext, file: string, maxBytes = MAX_INPUT_BYTES): Promise<InputFile> {
  if (file === STDIN_ARGUMENT || file === "-") return { name: "stdin", bytes: await ctx.readStdin(maxBytes) };
  const { handle } = await openInputFile(file, maxBytes, (code, detail) => new KskError("input", code, detail, { where: file }));
  try {
    return { name: file, bytes: new Uint8Array(await handle.readFile()) };
  } catch (e) {
    throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
  } finally {
    await handle.close();
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
 * For DNSKEY/DS input: a record with no TTL, no `$TTL` and no previous record (a `.key` file from
 * dnssec-keygen or ldns-keygen) gets the root's key TTL; `say` tells the operator once, on stderr,
 * where that TTL reaches the output.
 */
export function keyTtlFallback(ctx: CliContext, say: boolean): Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> {
  const note = (where: string) =>
    ctx.err(`ksk: note: ${where}: the record has no TTL and there is no $TTL; using the root's ${ROOT_KEY_TTL_SECONDS} seconds\n`);
  return { fallbackTtlSeconds: ROOT_KEY_TTL_SECONDS, ...(say ? { onFallbackTtl: note } : {}) };
}

/** Zone-format input that begins as XML is the wrong file (root-anchors.xml given as a DNSKEY file). */
export function refuseXmlAsZone(start: string, name: string): void {
  if (/^\s*<(\?xml|TrustAnchor)\b/.test(start.slice(0, 256))) {
    throw new KskError("input", "INPUT-IS-XML", "is XML, not zone-format records (for root-anchors.xml use ksk anchors ds)", { where: name });
  }
}

/** The records of zone-format input already in memory (a key file just written), each with its `file:line`. */
export function zoneRecordsOf(input: InputFile, options: Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> = {}): LocatedRR[] {
  refuseXmlAsZone(new TextDecoder().decode(input.bytes.subarray(0, 256)), input.name);
  return loadZoneRecords({ name: input.name, text: decodeUtf8(input) }, options);
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

/**
 * Write a file produced piece by piece (a signed zone streamed as it is signed), atomically like
 * `writeOutput`: `produce` gets a function that writes octets at a position.
 */
export async function writeStreamedOutput(
  file: string,
  force: boolean,
  produce: (write: (bytes: Uint8Array, position: number) => Promise<void>) => Promise<void>,
): Promise<void> {
  await writeFileStreamed(file, { force }, (output) => produce((bytes, position) => output.write(bytes, position)));
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
