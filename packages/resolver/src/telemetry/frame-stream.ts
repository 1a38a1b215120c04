/**
 * Frame Streams (pure): the framing of a dnstap file, read incrementally so a file of any size
 * goes through in bounded memory — at most one frame (`maxFrameBytes`) plus one chunk is held.
 *
 * Implements the unidirectional form a dnstap file has (the fstrm library's "Frame Streams"
 * protocol, as written by knotd's mod-dnstap and `fstrm_capture`): every frame is a 32-bit
 * big-endian length and that many octets; a length of 0 escapes a control frame — a second 32-bit
 * length (at most 512 octets), a 32-bit control type, then fields of 32-bit type, 32-bit length
 * and payload. The stream is START (with at most one CONTENT_TYPE field, which must be the one
 * expected), data frames, STOP, and nothing after. Each fault is a KskError of kind input naming
 * the octet offset of the frame it is in.
 * Leaves out: the bidirectional handshake (READY, ACCEPT, FINISH: a socket's, never a file's),
 * several content types in one START, writing.
 */
import { inputError, type KskError } from "@ksk/core";

/** The content type of a dnstap stream (the dnstap protobuf's Dnstap message). */
export const DNSTAP_CONTENT_TYPE = "protobuf:dnstap.Dnstap";
/** fstrm's limit on a control frame's length. */
export const MAX_CONTROL_FRAME_BYTES = 512;
/** A data frame larger than this is refused: a dnstap event carries at most two DNS messages of 65,535 octets. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

const CONTROL = { ACCEPT: 1, START: 2, STOP: 3, READY: 4, FINISH: 5 } as const;
const CONTROL_NAMES = new Map<number, string>(Object.entries(CONTROL).map(([k, v]) => [v, k]));
const FIELD_CONTENT_TYPE = 1;

/** One data frame: its payload and the octet offset of its length field in the stream. */
export interface DataFrame {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface FrameStreamOptions {
  /** The content type START must name (default dnstap's). */
  readonly contentType?: string;
  readonly maxFrameBytes?: number;
}

function frameError(code: string, offset: number, detail: string): KskError {
  return inputError(code, `frame at octet ${offset}: ${detail}`);
}

function u32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) >>> 0) + (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
}

/** The printable form of a content type for a message (non-printable octets as \xNN). */
function shown(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
}

/**
 * Feed chunks with `push`, in order; each call returns the whole data frames completed by it. The
 * returned bytes are views into the chunk or an internal copy: use them before the next `push`.
 * `end()` says the input is over and checks that the stream was complete.
 */
export class FrameStreamReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** The stream offset of `pending[0]`. */
  private pendingOffset = 0;
  private state: "start" | "data" | "stopped" = "start";
  private readonly contentType: string;
  private readonly maxFrameBytes: number;
  /** Data frames read so far. */
  dataFrames = 0;

  constructor(options: FrameStreamOptions = {}) {
    this.contentType = options.contentType ?? DNSTAP_CONTENT_TYPE;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Octets consumed into whole frames so far (the offset of the next frame). */
  get offset(): number {
    return this.pendingOffset;
  }

  push(chunk: Uint8Array): DataFrame[] {
    let data = chunk;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending);
      data.set(chunk, this.pending.length);
    }
    const frames: DataFrame[] = [];
    let at = 0;
    for (;;) {
      const used = this.frameAt(data, at, frames);
      if (used === 0) break;
      at += used;
    }
    // Only the unfinished frame is kept: at most maxFrameBytes + 8 octets, whatever the file's size.
    this.pending = at === data.length ? new Uint8Array(0) : data.slice(at);
    this.pendingOffset += at;
    return frames;
  }

  /** The input is over: the stream must have ended with STOP, exactly at a frame boundary. */
  end(): void {
    const offset = this.pendingOffset;
    if (this.pending.length > 0) {
      const announced = this.pending.length >= 4 ? this.announced(this.pending) : undefined;
      throw frameError(
        "DNSTAP-TRUNCATED",
        offset,
        `the stream ends inside it (${this.pending.length} octets${announced === undefined ? "" : ` of ${announced}`})`,
      );
    }
    if (this.state === "start") throw frameError("DNSTAP-TRUNCATED", offset, "the stream is empty: no START control frame");
    if (this.state === "data") throw frameError("DNSTAP-TRUNCATED", offset, "the stream ends without a STOP control frame (cut short, or still being written)");
  }

  /** The length the frame at the start of `bytes` announces, escape included. */
  private announced(bytes: Uint8Array): number | undefined {
    const length = u32(bytes, 0);
    if (length > 0) return 4 + length;
    return bytes.length >= 8 ? 8 + u32(bytes, 4) : undefined;
  }

  /** Read the frame at `at`; returns the octets it used, or 0 when it is not complete yet. */
  private frameAt(data: Uint8Array, at: number, frames: DataFrame[]): number {
    const offset = this.pendingOffset + at;
    const left = data.length - at;
    if (left < 4) return 0;
    if (this.state === "stopped") throw frameError("DNSTAP-FRAME", offset, "data after the STOP control frame");
    const length = u32(data, at);
    if (length > 0) {
      if (this.state === "start") throw frameError("DNSTAP-FRAME", offset, "a data frame before the START control frame: not a Frame Streams file");
      if (length > this.maxFrameBytes) throw frameError("DNSTAP-FRAME", offset, `a data frame of ${length} octets, over the limit of ${this.maxFrameBytes}`);
      if (left < 4 + length) return 0;
      this.dataFrames++;
      frames.push({ offset, bytes: data.subarray(at + 4, at + 4 + length) });
      return 4 + length;
    }
    if (left < 8) return 0;
    const controlLength = u32(data, at + 4);
    if (controlLength < 4 || controlLength > MAX_CONTROL_FRAME_BYTES) {
      throw frameError("DNSTAP-FRAME", offset, `a control frame of ${controlLength} octets (a control frame has 4 to ${MAX_CONTROL_FRAME_BYTES})`);
    }
    if (left < 8 + controlLength) return 0;
    this.control(data.subarray(at + 8, at + 8 + controlLength), offset);
    return 8 + controlLength;
  }

  private control(frame: Uint8Array, offset: number): void {
    const type = u32(frame, 0);
    const name = CONTROL_NAMES.get(type) ?? `unknown (${type})`;
    if (type === CONTROL.START) {
      if (this.state !== "start") throw frameError("DNSTAP-FRAME", offset, "a second START control frame");
      const types = this.fields(frame, offset);
      if (types.length > 1) throw frameError("DNSTAP-FRAME", offset, `START names ${types.length} content types; a file has one`);
      const type0 = types[0];
      if (type0 === undefined) throw frameError("DNSTAP-CONTENT-TYPE", offset, `START names no content type; "${this.contentType}" expected`);
      const text = shown(type0);
      if (text !== this.contentType) throw frameError("DNSTAP-CONTENT-TYPE", offset, `content type "${text}", not "${this.contentType}"`);
      this.state = "data";
      return;
    }
    if (type === CONTROL.STOP) {
      if (this.state !== "data") throw frameError("DNSTAP-FRAME", offset, "STOP before START");
      if (frame.length !== 4) throw frameError("DNSTAP-FRAME", offset, "STOP carries fields");
      this.state = "stopped";
      return;
    }
    throw frameError("DNSTAP-FRAME", offset, `control frame ${name}: only START and STOP belong in a file`);
  }

  /** The CONTENT_TYPE payloads of a control frame (other field types are refused). */
  private fields(frame: Uint8Array, offset: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 4;
    while (at < frame.length) {
      if (at + 8 > frame.length) throw frameError("DNSTAP-FRAME", offset, `control field header at octet ${at} of the control frame is cut short`);
      const type = u32(frame, at);
      const length = u32(frame, at + 4);
      if (type !== FIELD_CONTENT_TYPE) throw frameError("DNSTAP-FRAME", offset, `control field type ${type} (only CONTENT_TYPE, 1, is defined)`);
      if (at + 8 + length > frame.length) throw frameError("DNSTAP-FRAME", offset, `control field of ${length} octets runs past the control frame`);
      out.push(frame.subarray(at + 8, at + 8 + length));
      at += 8 + length;
    }
    return out;
  }
}

/** The Frame Streams form of payloads (START with `contentType`, data frames, STOP): for tests and generators. */
export function encodeFrameStream(payloads: Iterable<Uint8Array>, contentType: string = DNSTAP_CONTENT_TYPE): Uint8Array {
  const parts: Uint8Array[] = [frameStreamStart(contentType)];
  for (const p of payloads) parts.push(dataFrame(p));
  parts.push(frameStreamStop());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function be32(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setUint32(i * 4, v);
  return out;
}

/** The escape and START control frame naming one content type. */
export function frameStreamStart(contentType: string = DNSTAP_CONTENT_TYPE): Uint8Array {
  const type = new TextEncoder().encode(contentType);
  const head = be32(0, 12 + type.length, CONTROL.START, FIELD_CONTENT_TYPE, type.length);
  const out = new Uint8Array(head.length + type.length);
  out.set(head);
  out.set(type, head.length);
  return out;
}

/** The escape and STOP control frame. */
export function frameStreamStop(): Uint8Array {
  return be32(0, 4, CONTROL.STOP);
}

/** One data frame: the 32-bit length and the payload. */
export function dataFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out.set(be32(payload.length));
  out.set(payload, 4);
  return out;
}
