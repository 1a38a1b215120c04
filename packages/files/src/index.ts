/**
 * @ksk/files — the toolkit's file I/O, used by every package that writes (keystore, ceremony, lab)
 * and by the command line without importing the keystore: the one atomic, exclusive writer
 * (temporary file, fsync, read-back check, link or rename; stale temporaries swept) and the reader
 * of inputs that must be regular files of bounded size.
 */
export {
  type AtomicOutput,
  type StreamedOutput,
  abandonPendingWrites,
  checkOutputPath,
  describeFsError,
  sweepStaleTemporaries,
  temporaryNameFor,
  writeFileStreamed,
  writeFilesAtomically,
} from "./atomic-file.js";
export { INPUT_MAX_BYTES, checkOutputDirectory, fileKind, readRegularFile } from "./regular-file.js";
