/**
 * Property: Knot DNS's offline-KSK files (keymgr 3.2.6's own KSR and SKR, packages/ksr/test/fixtures)
 * and random edits of them — bit flips, inserted bytes, deletions, truncations — are read, and
 * turned into the KSR/SKR model, or refused with the toolkit's coded KskError; never a TypeError
 * or a RangeError. What is accepted writes back to text that reads as the same periods.
 */
import { knotKsrToRequest, knotSkrToResponse, parseKnotText, writeKnotText } from "@ksk/ksr";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceptsOrCodedError, fuzzParameters, mutatedBytes, repoBytes } from "../support/fuzz.js";

const KSR = repoBytes("packages/ksr/test/fixtures/knot-3.2.6-ksr.txt");
const SKR = repoBytes("packages/ksr/test/fixtures/knot-3.2.6-skr.txt");
const SLICING = { validitySeconds: 14 * 86400, stepSeconds: 7 * 86400, inceptionOffsetSeconds: 5400 };

function readAndConvert(bytes: Uint8Array): unknown {
  const document = parseKnotText(bytes, { fileName: "fuzz.txt" });
  const model = document.kind === "ksr" ? knotKsrToRequest(document, SLICING) : knotSkrToResponse(document, "fuzz.txt");
  const again = parseKnotText(writeKnotText(document));
  expect(again.periods.map((p) => [p.startEpochSeconds, p.dnskeys.length, p.rrsigs.length])).toEqual(
    document.periods.map((p) => [p.startEpochSeconds, p.dnskeys.length, p.rrsigs.length]),
  );
  return model;
}

describe("the Knot readers throw only coded errors", () => {
  for (const [name, seed] of [
    ["KSR", KSR],
    ["SKR", SKR],
  ] as const) {
    it(`keymgr's ${name} and its edits`, () => {
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: mutatedBytes(seed) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) }), (bytes) => {
          acceptsOrCodedError(() => readAndConvert(bytes));
        }),
        fuzzParameters(300),
      );
    });
  }
});
