/**
 * TEST ONLY: fast-check settings shared by the property tests. The seed is fixed, so CI runs the
 * same cases every time and a failure can be replayed; `pnpm fuzz` runs many more cases
 * (KSK_FUZZ_RUNS) and may take another seed (KSK_FUZZ_SEED). Also: byte mutations of real files,
 * the usual way to reach deep into a strict reader.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { KskError } from "@ksk/core";
import fc from "fast-check";
import { REPO_ROOT } from "./cli-process.js";

/** The bytes of a file of the repository (a fixture), by its path from the repository root. */
export function repoBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(REPO_ROOT, file)));
}

/** Parameters for `fc.assert`: the fixed seed, and `runs` cases unless `pnpm fuzz` asks for more. */
export function fuzzParameters(runs = 100): fc.Parameters<unknown> {
  const scale = Number(process.env.KSK_FUZZ_RUNS ?? 0);
  return {
    seed: Number(process.env.KSK_FUZZ_SEED ?? 20261129),
    numRuns: scale > 0 ? Math.max(runs, scale) : runs,
    endOnFailure: true,
  };
}

/** One edit of a byte string: flip bits of a byte, insert a byte, delete a run, or truncate. */
export type Mutation =
  | { readonly op: "flip"; readonly at: number; readonly mask: number }
  | { readonly op: "insert"; readonly at: number; readonly byte: number }
  | { readonly op: "delete"; readonly at: number; readonly length: number }
  | { readonly op: "truncate"; readonly at: number };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    byte: fc.constantFrom(0x00, 0x1b, 0x22, 0x26, 0x3c, 0x3e, 0x0a, 0x20, 0xff, 0x2d, 0x3a, 0x2a),
  }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

/** `bytes` with each mutation applied in turn (positions wrap around the current length). */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.op === "flip" && out.length > 0) out[at] = (out[at] as number) ^ m.mask;
    else if (m.op === "insert") out = new Uint8Array([...out.subarray(0, at), m.byte, ...out.subarray(at)]);
    else if (m.op === "delete") out = new Uint8Array([...out.subarray(0, at), ...out.subarray(at + m.length)]);
    else if (m.op === "truncate") out = out.slice(0, at);
  }
  return out;
}

/** A few mutations of `bytes`, as an arbitrary. */
export function mutatedBytes(bytes: Uint8Array, maxMutations = 4): fc.Arbitrary<Uint8Array> {
  return fc.array(mutationArbitrary, { minLength: 1, maxLength: maxMutations }).map((ms) => mutate(bytes, ms));
}

/**
 * Run a reader; it may accept or throw the toolkit's coded KskError, nothing else (no TypeError,
 * RangeError, stack overflow or a library's own error). Returns the value when accepted.
 */
export function acceptsOrCodedError<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof KskError && e.code.length > 0) return undefined;
    throw new Error(`threw something other than a coded KskError: ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}
