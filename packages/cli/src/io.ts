/**
 * File input and output for commands. Reading keeps the original bytes (they are hashed and shown
 * to witnesses as read). Writing never overwrites without `force`, writes to a temporary file in
 * the same directory, lets the caller verify what was written, then renames it into place — so a
 * failure leaves nothing behind.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, KskError, ROOT_KEY_TTL_SECONDS, type RR, ZoneReader, type ZoneReaderOptions, checkTrustableKey, isKind } from "@ksk/core";
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
    try {
      checkTrustableKey(rr.rdata.algorithm, rr.rdata.publicKeyBytes);
    } catch (e) {
      throw e instanceof KskError ? e.within(where) : e;
    }
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

/** Read a zone file (presentation-format records); a record without any TTL gets the root's key TTL. */
export async function readZoneFile(ctx: CliContext, file: string, options: { sayFallbackTtl?: boolean } = {}): Promise<{ input: InputFile; rrs: RR[] }> {
  const input = await readInput(ctx, file);
  if (/^\s*<(\?xml|TrustAnchor)\b/.test(new TextDecoder().decode(input.bytes.subarray(0, 256)))) {
    throw new KskError("input", "INPUT-IS-XML", "is XML, not zone-format records (for root-anchors.xml use ksk anchors ds)", { where: input.name });
  }
  const reader = new ZoneReader({ fileName: input.name, ...keyTtlFallback(ctx, options.sayFallbackTtl ?? false) });
  const rrs: RR[] = [];
  for (const line of decodeUtf8(input).split("\n")) rrs.push(...reader.line(line));
  rrs.push(...reader.end());
  return { input, rrs };
}

export interface WriteOptions {
  /** Replace an existing file. */
  readonly force?: boolean;
  /** File mode for a new file (0o600 for anything secret). */
  readonly mode?: number;
  /** Called with the bytes as read back from the temporary file; throw to abandon the write. */
  readonly verify?: (written: Uint8Array) => void | Promise<void>;
}

export interface OutputFile {
  readonly file: string;
  readonly bytes: Uint8Array | string;
  readonly mode?: number;
  readonly verify?: (written: Uint8Array) => void | Promise<void>;
}

/** Write `bytes` to `file` atomically, refusing to overwrite unless `force`. */
export async function writeOutput(file: string, bytes: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
  await writeOutputs(
    [{ file, bytes, ...(options.mode === undefined ? {} : { mode: options.mode }), ...(options.verify ? { verify: options.verify } : {}) }],
    options.force ?? false,
  );
}

/**
 * Write files that belong together (a key and its certificate) all or none: each is written to a
 * temporary file beside its destination and verified, and only when every one is ready are they
 * renamed into place. A failure leaves no temporary file and no half of the set behind.
 */
export async function writeOutputs(outputs: readonly OutputFile[], force: boolean): Promise<void> {
  for (const o of outputs) await checkOutputWritable(o.file, force);
  const staged: { temporary: string; file: string }[] = [];
  try {
    for (const o of outputs) {
      const data = typeof o.bytes === "string" ? new TextEncoder().encode(o.bytes) : o.bytes;
      const temporary = path.join(path.dirname(path.resolve(o.file)), `.${path.basename(o.file)}.${randomBytes(6).toString("hex")}.tmp`);
      await fs.writeFile(temporary, data, { mode: o.mode ?? 0o644, flag: "wx" });
      staged.push({ temporary, file: o.file });
      if (o.verify) await o.verify(new Uint8Array(await fs.readFile(temporary)));
    }
    if (!force) {
      for (const o of outputs) {
        if (await exists(o.file)) throw new KskError("refused", "OUTPUT-EXISTS", "appeared while writing; not overwritten", { where: o.file });
      }
    }
    for (const s of staged.splice(0)) await fs.rename(s.temporary, s.file);
  } catch (e) {
    for (const s of staged) await fs.rm(s.temporary, { force: true });
    if (e instanceof KskError) throw e;
    throw new KskError("input", "OUTPUT-UNWRITABLE", describeFsError(e), { where: outputs.map((o) => o.file).join(", ") });
  }
}

/**
 * Refuse early, before any key is used or anyone is asked to confirm, an output that exists (unless
 * `force`) or a directory that cannot be written. `writeOutput` checks again when it writes.
 */
export async function checkOutputWritable(file: string, force: boolean): Promise<void> {
  if (!force && (await exists(file))) {
    throw new KskError("refused", "OUTPUT-EXISTS", "exists; not overwritten (use --force to replace it)", { where: file });
  }
  try {
    await fs.access(path.dirname(path.resolve(file)), constants.W_OK);
  } catch (e) {
    throw new KskError("input", "OUTPUT-UNWRITABLE", `its directory cannot be written: ${describeFsError(e)}`, { where: file });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return (e as Error)?.message ?? String(e);
  }
}

/** Print a JSON document (for `--json`). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(`${JSON.stringify(value, null, 2)}\n`);
}
