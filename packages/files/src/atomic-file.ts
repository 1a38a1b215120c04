/**
 * Atomic, exclusive file output: the one way the toolkit writes a file.
 *
 * Every output is written to a temporary file in its destination's directory (so the final step is
 * a same-file-system link or rename), fsynced, read back and handed to the caller's checker, and
 * only then put in place:
 *
 * - without `force` by link(2), which fails with EEXIST if ANY entry has the name — a file, a
 *   directory, a dangling symlink — so an existing output is never replaced and two runs writing
 *   the same output cannot both succeed (a check-then-rename can; link cannot);
 * - with `force` by rename(2), which replaces the directory entry itself and never follows a
 *   symlink; but only a regular file is replaced: a device node, FIFO, directory or symlink at the
 *   output path is refused even with `force` (as root, `-o /dev/null --force` must not replace
 *   /dev/null).
 *
 * Files are created 0644 (outputs) or 0600 (keys, PINs, passphrases) exactly, whatever the umask.
 * A failure at any step removes the temporary files; SIGINT/SIGTERM handlers call
 * `abandonPendingWrites()` to do the same synchronously. A SIGKILL cannot be caught, so a temporary
 * file can outlive its process: temporaries are named `.<output name>.<pid>.<12 hex>.tmp`, and the
 * next write of the same output removes those whose process no longer exists on this host
 * (`sweepStaleTemporaries`). A temporary is never visible under the final name, so a reader sees
 * the old file or none, never a partial one.
 *
 * Left out: file systems without hard links (some FUSE and FAT mounts) fall back to rename after a
 * fresh lstat, which is exclusive only against runs that are not simultaneous; temporaries left by a
 * process on another host sharing the directory (NFS) are not swept, since its pid means nothing here.
 */
import { randomBytes } from "node:crypto";
import { type Stats, constants, promises as fs, unlinkSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { KskError, bytesEqual, sha256 } from "@ksk/core";

/** One file to write. */
export interface AtomicOutput {
  readonly file: string;
  readonly bytes: Uint8Array | string;
  /** 0o644 by default; 0o600 for anything secret (keys, PINs, passphrases). */
  readonly mode?: number;
  /** Called with the bytes as read back from the temporary file; throw to abandon the whole write. */
  readonly verify?: (written: Uint8Array) => void | Promise<void>;
}

/** The path the CLI hands in for `-` (standard input/output): it contains NUL, so no file has it. */
const STANDARD_STREAM_MARKER = "\u0000";

/** Temporaries currently on disk, by absolute path, so a signal handler can remove them. */
const pending = new Set<string>();

/** The temporary file name for `file`, owned by this process. */
export function temporaryNameFor(file: string): string {
  const absolute = path.resolve(file);
  return path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** The pattern of temporaries for an output named `base`; group 1 is the writing process's pid. */
function temporaryPattern(base: string): RegExp {
  return new RegExp(`^\\.${base.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}\\.([0-9]{1,10})\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Refuse early — before any key is used or anyone is asked to confirm — an output that cannot be
 * written: `-` (standard output is not a file that can be replaced atomically), an existing entry
 * without `force`, anything but a regular file with `force`, or a directory that cannot be written.
 * The write checks again, atomically.
 */
export async function checkOutputPath(file: string, force: boolean): Promise<void> {
  if (file === "-" || file.includes(STANDARD_STREAM_MARKER)) {
    throw new KskError("usage", "OUTPUT-STDOUT", "-o -: outputs are written to files, not standard output; give a file name");
  }
  refuseExisting(file, await lstatOrUndefined(file), force);
  const directory = path.dirname(path.resolve(file));
  try {
    const stat = await fs.stat(directory);
    if (!stat.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    await fs.access(directory, constants.W_OK);
  } catch (e) {
    throw new KskError("input", "OUTPUT-UNWRITABLE", `its directory cannot be written: ${describeFsError(e)}`, { where: file });
  }
}

function refuseExisting(file: string, stat: Stats | undefined, force: boolean): void {
  if (stat === undefined) return;
  if (!force) {
    const detail = stat.isFile()
      ? "exists; not overwritten (use --force to replace it)"
      : `exists as ${kindOf(stat)}; not overwritten (--force replaces only a regular file)`;
    throw new KskError("refused", "OUTPUT-EXISTS", detail, { where: file });
  }
  if (!stat.isFile()) {
    throw new KskError("refused", "OUTPUT-NOT-REGULAR", `is ${kindOf(stat)}, not a regular file; not replaced, even with --force`, { where: file });
  }
}

function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isDirectory()) return "a directory";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Write files that belong together (a key and its certificate) all or none. Each is staged and
 * verified first; only when every one is ready are they linked (or, with `force`, renamed) into
 * place. If one cannot be placed, those already placed by this call are removed again.
 */
export async function writeFilesAtomically(outputs: readonly AtomicOutput[], options: { readonly force: boolean }): Promise<void> {
  for (const o of outputs) await checkOutputPath(o.file, options.force);
  const staged: { temporary: string; output: AtomicOutput }[] = [];
  const placed: string[] = [];
  try {
    for (const output of outputs) {
      await sweepStaleTemporaries(output.file);
      const temporary = temporaryNameFor(output.file);
      pending.add(temporary);
      staged.push({ temporary, output });
      await writeSynced(temporary, output.bytes, output.mode ?? 0o644);
      if (output.verify) await output.verify(new Uint8Array(await fs.readFile(temporary)));
    }
    for (const { temporary, output } of staged) {
      await place(temporary, output.file, options.force);
      placed.push(output.file);
    }
    for (const directory of new Set(outputs.map((o) => path.dirname(path.resolve(o.file))))) await syncDirectory(directory);
  } catch (e) {
    // Only files this call linked are removed; a forced rename cannot be undone (the old file is gone).
    if (!options.force) for (const file of placed) await fs.rm(file, { force: true });
    if (e instanceof KskError) throw e;
    throw new KskError("input", "OUTPUT-UNWRITABLE", describeFsError(e), { where: outputs.map((o) => o.file).join(", ") });
  } finally {
    for (const { temporary } of staged) {
      await fs.rm(temporary, { force: true });
      pending.delete(temporary);
    }
  }
}

/** A file being written piece by piece (`writeFileStreamed`). */
export interface StreamedOutput {
  /** Write `bytes` at `position` (octets from the start of the file). */
  write(bytes: Uint8Array, position: number): Promise<void>;
}

/**
 * Write one file whose content is produced piece by piece — a signed zone too large to hold whole
 * — with the guarantees of `writeFilesAtomically`: a temporary file in the destination's directory,
 * fsynced, read back, then linked (or with `force` renamed) into place; on any failure or signal
 * the temporary is removed and no output appears. `produce` may write out of order (a signed zone's
 * apex is written last, at the start). The read-back check needs nothing from the caller: each
 * piece's SHA-256 is kept as it is written, and the file must be exactly those pieces, covering it
 * without gap or overlap.
 */
export async function writeFileStreamed(
  file: string,
  options: { readonly force: boolean; readonly mode?: number },
  produce: (output: StreamedOutput) => Promise<void>,
): Promise<void> {
  await checkOutputPath(file, options.force);
  await sweepStaleTemporaries(file);
  const temporary = temporaryNameFor(file);
  const mode = options.mode ?? 0o644;
  pending.add(temporary);
  try {
    const pieces: Piece[] = [];
    const handle = await openTemporary(temporary, mode);
    try {
      await produce({
        async write(bytes, position) {
          pieces.push({ position, length: bytes.length, sha256: sha256(bytes) });
          let done = 0;
          while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
        },
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await checkPieces(temporary, file, pieces);
    await place(temporary, file, options.force);
    await syncDirectory(path.dirname(path.resolve(file)));
  } catch (e) {
    if (e instanceof KskError) throw e;
    throw new KskError("input", "OUTPUT-UNWRITABLE", describeFsError(e), { where: file });
  } finally {
    await fs.rm(temporary, { force: true });
    pending.delete(temporary);
  }
}

/** A piece `writeFileStreamed` wrote: where, how long, its SHA-256. */
interface Piece {
  readonly position: number;
  readonly length: number;
  readonly sha256: Uint8Array;
}

/** The file read back is exactly the pieces written (see `writeFileStreamed`). */
async function checkPieces(temporary: string, file: string, pieces: readonly Piece[]): Promise<void> {
  const mismatch = (why: string) => new KskError("input", "OUTPUT-MISMATCH", `the written file differs from what was written to it: ${why}`, { where: file });
  const sorted = [...pieces].sort((a, b) => a.position - b.position);
  const handle = await fs.open(temporary, constants.O_RDONLY);
  try {
    const { size } = await handle.stat();
    let expected = 0;
    for (const piece of sorted) {
      if (piece.position !== expected)
        throw mismatch(
          `octets ${Math.min(expected, piece.position)} to ${Math.max(expected, piece.position)} were written ${piece.position > expected ? "never" : "twice"}`,
        );
      const buffer = Buffer.alloc(piece.length);
      let read = 0;
      while (read < piece.length) {
        const { bytesRead } = await handle.read(buffer, read, piece.length - read, piece.position + read);
        if (bytesRead === 0) throw mismatch(`the file ends at octet ${piece.position + read}`);
        read += bytesRead;
      }
      if (!bytesEqual(sha256(buffer), piece.sha256)) throw mismatch(`octets ${piece.position} to ${piece.position + piece.length} read back differently`);
      expected += piece.length;
    }
    if (size !== expected) throw mismatch(`the file has ${size} octets, ${expected} were written`);
  } finally {
    await handle.close();
  }
}

/** Create the temporary file `temporary` for writing, its mode exactly `mode`. */
async function openTemporary(temporary: string, mode: number): Promise<FileHandle> {
  // O_EXCL|O_NOFOLLOW: the random name is ours alone; never write through a planted symlink.
  const handle = await fs.open(temporary, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, mode);
  try {
    await handle.chmod(mode); // the umask may have removed bits; outputs are exactly 0644 / 0600
  } catch (e) {
    await handle.close();
    throw e;
  }
  return handle;
}

async function writeSynced(temporary: string, bytes: Uint8Array | string, mode: number): Promise<void> {
  const handle = await openTemporary(temporary, mode);
  try {
    await handle.writeFile(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function place(temporary: string, file: string, force: boolean): Promise<void> {
  if (force) {
    refuseExisting(file, await lstatOrUndefined(file), true);
    await fs.rename(temporary, file);
    return;
  }
  try {
    await fs.link(temporary, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === "EEXIST") {
      throw new KskError("refused", "OUTPUT-EXISTS", "appeared while writing (another run?); not overwritten", { where: file });
    }
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
    // No hard links on this file system: the best left is a fresh check just before the rename.
    refuseExisting(file, await lstatOrUndefined(file), false);
    await fs.rename(temporary, file);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the new name durable; some file systems refuse to open a directory for it, which is harmless.
  try {
    const handle = await fs.open(directory, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* durability of the name is best effort where the platform cannot fsync a directory */
  }
}

/**
 * Remove the temporaries of `file` left by processes that no longer exist (killed with SIGKILL, or
 * the machine lost power). A live process's temporaries — a concurrent run — are left alone.
 * Returns the names removed.
 */
export async function sweepStaleTemporaries(file: string): Promise<string[]> {
  const absolute = path.resolve(file);
  const directory = path.dirname(absolute);
  const pattern = temporaryPattern(path.basename(absolute));
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || processExists(Number(pid))) continue;
    const stale = path.join(directory, name);
    const stat = await lstatOrUndefined(stale);
    if (!stat?.isFile()) continue;
    await fs.rm(stale, { force: true });
    removed.push(stale);
  }
  return removed;
}

function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException)?.code === "EPERM";
  }
}

/**
 * Remove every temporary this process has on disk, synchronously: for SIGINT/SIGTERM handlers,
 * which exit right after. Returns the names removed.
 */
export function abandonPendingWrites(): string[] {
  const removed: string[] = [];
  for (const temporary of pending) {
    try {
      unlinkSync(temporary);
      removed.push(temporary);
    } catch {
      /* not created yet, or already gone */
    }
  }
  pending.clear();
  return removed;
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ENOENT") return undefined;
    throw new KskError("input", "OUTPUT-UNWRITABLE", describeFsError(e), { where: file });
  }
}

/** A file-system error in words an operator understands. */
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
    case "ENOTDIR":
      return "not a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    default:
      return (e as Error)?.message ?? String(e);
  }
}
