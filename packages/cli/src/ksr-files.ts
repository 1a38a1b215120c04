/**
 * Reading KSR and SKR files for every command (`ksr`, `skr`, and what reads a previous SKR): the
 * same size cap (@ksk/ksr's 1 MiB, before the bytes are read) and the same codes for a file of
 * the wrong kind, whichever command reads it.
 */
import {
  DEFAULT_MAX_KSR_BYTES,
  type KsrDocument,
  type KsrRequestDocument,
  type KsrResponseDocument,
  parseKsrRequest,
  parseKsrXml,
  parseSkrResponse,
} from "@ksk/ksr";
import type { CliContext } from "./context.js";
import { readInput } from "./io.js";

export interface LoadedKsr<D extends KsrDocument = KsrDocument> {
  /** The file as named in messages (`stdin` for `-`). */
  readonly name: string;
  /** The bytes exactly as read: what is hashed and shown to witnesses. */
  readonly bytes: Uint8Array;
  readonly document: D;
}

/** A KSR or an SKR. */
export async function loadKsrOrSkr(ctx: CliContext, file: string): Promise<LoadedKsr> {
  const input = await readInput(ctx, file, DEFAULT_MAX_KSR_BYTES);
  return { name: input.name, bytes: input.bytes, document: parseKsrXml(input.bytes, { fileName: input.name }).document };
}

/** A KSR (a request); an SKR is refused. */
export async function loadKsr(ctx: CliContext, file: string): Promise<LoadedKsr<KsrRequestDocument>> {
  const input = await readInput(ctx, file, DEFAULT_MAX_KSR_BYTES);
  return { name: input.name, bytes: input.bytes, document: parseKsrRequest(input.bytes, { fileName: input.name }).document };
}

/** An SKR (a response); a KSR is refused. */
export async function loadSkr(ctx: CliContext, file: string): Promise<LoadedKsr<KsrResponseDocument>> {
  const input = await readInput(ctx, file, DEFAULT_MAX_KSR_BYTES);
  return { name: input.name, bytes: input.bytes, document: parseSkrResponse(input.bytes, { fileName: input.name }).document };
}
