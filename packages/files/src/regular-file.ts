/**
 * Reading an input that must be a regular file of bounded size. A FIFO would block forever (a
 * blocked read ignores SIGTERM), a device such as /dev/zero never ends, and a directory is not an
 * input. So the file is opened without blocking, what was opened (through any symbolic link) is
 * checked on the open descriptor — not on the path, which could be swapped between the check and
 * the read — and no more than the cap is read.
 *
 * Left out: standard input (the CLI reads `-` itself), and secret files (the keystore's
 * `readSecretFileText` has its own, smaller cap and keystore errors).
 */
import { type Stats, constants, promises as fs, lstatSync, statSync } from "node:fs";
import { KskError } from "@ksk/core";
import { describeFsError } from "./atomic-file.js";

/** The default cap: far above any KSR, SKR or zone the toolkit reads, far below harm. */
export const INPUT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * What a path is, without opening it: `undefined` when nothing is there. Used where opening could
 * block (a FIFO) or where a non-regular file must be named rather than read.
 */
export async function fileKind(file: string): Promise<"file" | "missing" | "symbolic link" | "directory" | "FIFO" | "device" | "socket" | "other"> {
  let stat: Stats;
  try {
    stat = await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ENOENT") return "missing";
    throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
  }
  if (stat.isFile()) return "file";
  if (stat.isSymbolicLink()) return "symbolic link";
  if (stat.isDirectory()) return "directory";
  if (stat.isFIFO()) return "FIFO";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "device";
  if (stat.isSocket()) return "socket";
  return "other";
}

/**
 * The bytes of `file`, refusing (input errors naming the file) anything that is not a regular file
 * (INPUT-NOT-FILE), more than `maxBytes` (INPUT-TOO-LARGE), or unreadable (INPUT-UNREADABLE).
 */
export async function readRegularFile(file: string, maxBytes = INPUT_MAX_BYTES): Promise<Uint8Array> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KskError("input", "INPUT-NOT-FILE", "not a regular file", { where: file });
    if (stat.size > maxBytes) throw new KskError("input", "INPUT-TOO-LARGE", `is ${stat.size} bytes; at most ${maxBytes} accepted`, { where: file });
    // Read to the end, whatever stat said: the file may grow while read; stop one byte past the cap.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(stat.size - length, 0) + 1, maxBytes + 1 - length, 1024 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw new KskError("input", "INPUT-TOO-LARGE", `grew past ${maxBytes} bytes while read`, { where: file });
    }
    return new Uint8Array(Buffer.concat(chunks, length));
  } catch (e) {
    if (e instanceof KskError) throw e;
    throw new KskError("input", "INPUT-UNREADABLE", describeFsError(e), { where: file });
  } finally {
    await handle.close();
  }
}

/**
 * Refuse, before anything is made or written, an output directory (`--out`) that names a regular
 * file, a dangling symbolic link or anything else but a directory (or a link to one): a usage
 * error naming it, instead of a failed mkdir. A missing directory is fine: the caller makes it.
 */
export function checkOutputDirectory(dir: string): void {
  let stat: Stats;
  try {
    stat = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ENOENT") return;
    throw new KskError("input", "OUTPUT-UNWRITABLE", describeFsError(e), { where: dir });
  }
  if (stat.isDirectory()) return;
  if (stat.isSymbolicLink()) {
    try {
      if (statSync(dir).isDirectory()) return;
    } catch {
      throw new KskError("usage", "OUTPUT-NOT-DIRECTORY", "is a dangling symbolic link, not a directory: give a directory for the outputs", { where: dir });
    }
  }
  const what = stat.isFile() ? "a file" : stat.isSymbolicLink() ? "a symbolic link to something that is not a directory" : "not a directory";
  throw new KskError("usage", "OUTPUT-NOT-DIRECTORY", `is ${what}, not a directory: give a directory for the outputs`, { where: dir });
}
