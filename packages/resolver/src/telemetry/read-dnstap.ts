/**
 * Reading dnstap files from disk into a trust-anchor telemetry summary: each file streamed in
 * chunks through the Frame Streams reader, each data frame decoded and counted as it comes, so
 * memory stays bounded (one chunk, one frame, and the per-resolver counts) whatever the files'
 * sizes. `ksk telemetry` and the lab runs call `readDnstapTelemetry`.
 *
 * A fault is one KskError of kind input naming the file and the octet offset of the frame it is
 * in: framing (cut short, corrupt lengths, control frames out of place), a stream of another
 * content type, a frame that is not a dnstap event, a query that does not parse.
 * Leaves out: reading from a socket (fstrm's bidirectional mode), following a growing file.
 */
import { promises as fs } from "node:fs";
import { KskError } from "@ksk/core";
import { parseRootAnchors } from "@ksk/trust-anchor";
import { type AnchorView, anchorView, TelemetryCollector, type TelemetrySummary } from "./aggregate.js";
import { loadDnstapCodec } from "./dnstap.js";
import { FrameStreamReader } from "./frame-stream.js";

/** Octets read per chunk. */
export const DNSTAP_CHUNK_BYTES = 64 * 1024;

export interface DnstapTelemetryOptions {
  /** A root-anchors.xml to judge the tags against, at a time, and key tags known revoked. */
  readonly anchors?: {
    readonly bytes: Uint8Array;
    readonly name: string;
    readonly atEpochSeconds: number;
    readonly revokedKeyTags?: readonly number[];
  };
  readonly chunkBytes?: number;
}

/** Stream one file's frames into the collector. */
export async function collectDnstapFile(file: string, collector: TelemetryCollector, chunkBytes = DNSTAP_CHUNK_BYTES): Promise<void> {
  const codec = await loadDnstapCodec();
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new KskError("input", "INPUT-NOT-FILE", "not a regular file", { where: file });
    }
  } catch (e) {
    if (e instanceof KskError) throw e;
    throw new KskError("input", "INPUT-UNREADABLE", (e as Error).message, { where: file });
  }
  const reader = new FrameStreamReader();
  const buffer = new Uint8Array(chunkBytes);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      for (const frame of reader.push(buffer.subarray(0, bytesRead))) {
        try {
          collector.add(codec.decode(frame.bytes));
        } catch (e) {
          if (e instanceof KskError) throw new KskError("input", e.code, `frame at octet ${frame.offset}: ${e.detail}`, { where: file });
          throw e;
        }
      }
    }
    reader.end();
  } catch (e) {
    if (e instanceof KskError) throw e.where === undefined ? e.within(file) : e;
    throw new KskError("input", "INPUT-UNREADABLE", (e as Error).message, { where: file });
  } finally {
    await handle.close();
  }
}

/** The anchors view of options.anchors (a file of retired keys only is fine here: that is what it is asked about). */
export function anchorsViewOf(anchors: NonNullable<DnstapTelemetryOptions["anchors"]>): AnchorView {
  return anchorView(parseRootAnchors(anchors.bytes, anchors.name), anchors.name, anchors.atEpochSeconds, anchors.revokedKeyTags);
}

/** Read dnstap files (in order, one summary over all of them). */
export async function readDnstapTelemetry(files: readonly string[], options: DnstapTelemetryOptions = {}): Promise<TelemetrySummary> {
  if (files.length === 0) throw new KskError("usage", "USAGE", "no dnstap file given");
  // The anchors first: a bad root-anchors.xml is refused before any large file is read.
  const view = options.anchors ? anchorsViewOf(options.anchors) : undefined;
  const collector = new TelemetryCollector();
  for (const file of files) await collectDnstapFile(file, collector, options.chunkBytes);
  return collector.summary(view);
}
