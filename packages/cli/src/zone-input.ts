/**
 * Reading zone-format files for commands, through core's one zone loader (`loadZone`, or
 * `loadZoneWire` for the records in canonical wire form): the main file and every `$INCLUDE` go
 * through the same reader, which opens a path without blocking
 * (O_NONBLOCK: a FIFO is never waited on), accepts only a regular file (fstat on the descriptor
 * it reads, so nothing can be swapped in between), refuses one larger than what is left of the
 * command's octet budget before reading it, and reads it in 256 KiB chunks, each decoded as strict
 * UTF-8 and parsed before the next is read. The reads go through the event loop, so SIGINT and
 * SIGTERM are handled while a large zone loads. Standard input is read whole (capped) and then
 * parsed in the same chunks, yielding to the event loop between them.
 *
 * `$INCLUDE` is followed only below the top zone file's own directory (core checks the path as
 * written; here the real path, symlinks resolved, must stay there too); the same file (device and
 * inode) is never read twice; the number of includes, their depth and the octets of all files
 * together are capped (core's `ZoneLoadLimits`).
 *
 * Left out: writing (./io.ts), other input formats.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import {
  type IncludeRequest,
  KskError,
  type LoadZoneOptions,
  type LocatedRR,
  type WireRecord,
  type ZoneLoadLimits,
  type ZoneReaderOptions,
  type ZoneSource,
  inputError,
  loadZone,
  loadZoneWire,
} from "@ksk/core";
import { describeFsError } from "@ksk/files";
import type { CliContext } from "./context.js";
import { MAX_INPUT_BYTES, STDIN_ARGUMENT, keyTtlFallback, openInputFile, refuseXmlAsZone } from "./io.js";

/**
 * The octets a zone and its includes may have for `ksk zone sign | verify | digest` (other
 * zone-format inputs — key files, anchors — keep the 64 MiB of every input). The zone commands
 * hold records compactly and cap their number by the heap (./commands/zone.ts), so the cap is about
 * what is reasonable to read, not what fits: a signed zone of fifty roots' size is over 100 MB.
 */
export const ZONE_MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** Parsed before the next is read: small enough that a signal is handled within a fraction of a second. */
const CHUNK_BYTES = 256 * 1024;

async function* decodeChunks(name: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let first = true;
  const decode = (bytes: Uint8Array | undefined) => {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch {
      throw new KskError("input", "INPUT-ENCODING", "is not valid UTF-8 text", { where: name });
    }
  };
  for await (const bytes of chunks) {
    const text = decode(bytes);
    if (first) refuseXmlAsZone(text, name);
    first = false;
    yield text;
  }
  yield decode(undefined);
}

/**
 * Open `file` as zone text: a regular file of at most `maxBytes` octets (./io.ts's
 * `openInputFile`), read in chunks; `refuse` makes the error for a file that is not.
 */
export async function openZoneFile(file: string, shownName: string, maxBytes: number, refuse: (code: string, detail: string) => KskError): Promise<ZoneSource> {
  const { handle, stat } = await openInputFile(file, maxBytes, refuse);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      let total = 0;
      for (;;) {
        const buffer = new Uint8Array(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) return;
        total += bytesRead;
        // The file grew after fstat: the cap still holds.
        if (total > maxBytes) throw refuse("INPUT-TOO-LARGE", `is over ${maxBytes} bytes; at most ${maxBytes} accepted`);
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
  return {
    name: shownName,
    text: decodeChunks(shownName, chunks()),
    byteLength: stat.size,
    identity: `${stat.dev}:${stat.ino}`,
    close: () => handle.close(),
  };
}

/** Bytes already in memory (standard input) as chunks, yielding to the event loop between them. */
async function* inMemoryChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    if (offset > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    yield bytes.subarray(offset, offset + CHUNK_BYTES);
  }
}

export interface ZoneInputOptions extends ZoneLoadLimits, Pick<ZoneReaderOptions, "fallbackTtlSeconds" | "onFallbackTtl"> {
  /** Follow `$INCLUDE` (below the file's directory); else it is refused. */
  readonly includes?: boolean;
}

/** An opener for `$INCLUDE`d files below `base` (the top file's real directory). */
function includeOpener(base: string, totalBytes: number): (request: IncludeRequest) => Promise<ZoneSource> {
  return async ({ resolvedPath, where, maxBytes }) => {
    const shown = path.relative(process.cwd(), resolvedPath) || resolvedPath;
    const refuse = (detail: string) => inputError("ZONE-INCLUDE", `$INCLUDE ${resolvedPath}: ${detail}`, where);
    // Core checked the path as written; a symlink must not lead out of the directory either.
    let real: string;
    try {
      real = await fs.realpath(resolvedPath);
    } catch (e) {
      throw refuse(describeFsError(e));
    }
    if (path.relative(base, real).startsWith("..")) {
      throw new KskError("input", "ZONE-INCLUDE", `$INCLUDE ${resolvedPath} leads to ${real}, outside the zone file's directory`, { where });
    }
    return openZoneFile(real, shown, maxBytes, (code, detail) =>
      refuse(code === "INPUT-TOO-LARGE" ? `${detail.replace(/accepted$/, "left of the")} ${totalBytes} octets a zone and its includes may have` : detail),
    );
  };
}

/** The source and loader options for a zone-format file (or `-`); the name shown is the path as given (or `stdin`). */
async function zoneSource(ctx: CliContext, file: string, options: ZoneInputOptions): Promise<{ name: string; source: ZoneSource; load: LoadZoneOptions }> {
  const maxBytes = options.maxTotalBytes ?? MAX_INPUT_BYTES;
  const stdin = file === STDIN_ARGUMENT || file === "-";
  const name = stdin ? "stdin" : file;
  let source: ZoneSource;
  if (stdin) {
    const bytes = await ctx.readStdin(maxBytes);
    source = { name, text: decodeChunks(name, inMemoryChunks(bytes)), byteLength: bytes.length };
  } else {
    source = await openZoneFile(file, name, maxBytes, (code, detail) => new KskError("input", code, detail, { where: file }));
  }
  const { includes, ...limits } = options;
  let openInclude: ((request: IncludeRequest) => Promise<ZoneSource>) | undefined;
  if (includes) {
    let base: string;
    try {
      base = stdin ? process.cwd() : await fs.realpath(path.dirname(path.resolve(file)));
    } catch (e) {
      throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
    }
    openInclude = includeOpener(base, maxBytes);
  }
  const load: LoadZoneOptions = {
    ...limits,
    maxTotalBytes: maxBytes,
    ...(openInclude ? { openInclude } : {}),
    // Includes of standard input resolve against the working directory.
    ...(stdin ? { includeBase: path.join(process.cwd(), "stdin") } : {}),
  };
  return { name, source, load };
}

/** The records of a zone-format file (or `-`), each with its `file:line`. */
export async function loadZoneInput(ctx: CliContext, file: string, options: ZoneInputOptions = {}): Promise<{ name: string; records: LocatedRR[] }> {
  const { name, source, load } = await zoneSource(ctx, file, options);
  return { name, records: await loadZone(source, load) };
}

/**
 * The records of a zone-format file (or `-`) handed to `sink` in canonical wire form as they are
 * read (core's `loadZoneWire`: no object per record; the sink copies what it keeps).
 */
export async function loadZoneInputWire(
  ctx: CliContext,
  file: string,
  options: ZoneInputOptions,
  sink: (record: WireRecord) => void,
): Promise<{ name: string }> {
  const { name, source, load } = await zoneSource(ctx, file, options);
  await loadZoneWire(source, load, sink);
  return { name };
}

/** Read a key or record file (presentation-format records, no `$INCLUDE`); a record without any TTL gets the root's key TTL. */
export async function readZoneFile(ctx: CliContext, file: string, options: { sayFallbackTtl?: boolean } = {}): Promise<{ name: string; records: LocatedRR[] }> {
  return loadZoneInput(ctx, file, keyTtlFallback(ctx, options.sayFallbackTtl ?? false));
}
