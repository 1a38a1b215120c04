/**
 * Reading a ceremony's artefacts back from its output directory, for `ksk transcript verify`, the
 * report and a run about to append to a transcript. An artefact path comes from the transcript,
 * which may be forged: one that is absolute or climbs out with `..` is not read (it is named as
 * such, not as "missing"), and anything but a regular file — a FIFO would block the read forever,
 * a device never end — is named for what it is without being opened; a regular file is then
 * opened without blocking and checked again on the open descriptor.
 *
 * Left out: comparing hashes (./transcript.ts).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The bytes of an artefact, or why it cannot be compared (a sentence fragment: "is missing", …). */
export type ArtefactRead = Uint8Array | { readonly unreadable: string };

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/** A reader of artefacts relative to `dir` (see the module comment). */
export function artefactReader(dir: string): (relativePath: string) => ArtefactRead {
  return (relative) => {
    if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes("..")) {
      return { unreadable: "is not a path inside the ceremony directory (absolute, or climbing out with ..): not read" };
    }
    const file = path.join(dir, relative);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(file);
    } catch (e) {
      return { unreadable: (e as NodeJS.ErrnoException)?.code === "ENOENT" ? "is missing" : `cannot be read (${(e as Error).message})` };
    }
    if (!stat.isFile()) return { unreadable: `is ${kindOf(stat)}, not a regular file: not opened` };
    let fd: number | undefined;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
      const opened = fstatSync(fd);
      if (!opened.isFile()) return { unreadable: `is ${kindOf(opened)}, not a regular file: not read` };
      return new Uint8Array(readFileSync(fd));
    } catch (e) {
      return { unreadable: `cannot be read (${(e as Error).message})` };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
}
