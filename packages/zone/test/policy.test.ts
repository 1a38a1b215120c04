/**
 * The zone signing policy file: the root-like defaults, ISO 8601 durations, and refusals of unknown
 * keys and inconsistent numbers, each naming the file.
 */
import { ROOT_ZONE_SIGNING_POLICY, parseZoneSigningPolicy } from "@ksk/zone";
import { describe, expect, it } from "vitest";

describe("zone signing policy", () => {
  it("an empty file is the root-like default: 13 days, 6 hours of jitter, inception 1 hour back", () => {
    expect(parseZoneSigningPolicy("", "p.yaml")).toEqual(ROOT_ZONE_SIGNING_POLICY);
    expect(ROOT_ZONE_SIGNING_POLICY).toMatchObject({ validitySeconds: 13 * 86400, jitterSeconds: 6 * 3600, inceptionOffsetSeconds: 3600 });
  });

  it("reads durations and the seed", () => {
    expect(parseZoneSigningPolicy("validity: P7D\njitter: PT0S\ninception_offset: PT2H\njitter_seed: lab\n", "p.yaml")).toEqual({
      validitySeconds: 7 * 86400,
      jitterSeconds: 0,
      inceptionOffsetSeconds: 7200,
      jitterSeed: "lab",
    });
  });

  it.each([
    ["an unknown key", "validty: P7D\n", /p\.yaml: unknown key "validty"/],
    ["jitter as long as the validity", "validity: P1D\njitter: P1D\n", /p\.yaml: jitter must be shorter than the validity/],
    ["a number instead of a duration", "validity: 86400\n", /p\.yaml: validity must be an ISO 8601 duration/],
    ["months", "validity: P1M\n", /p\.yaml: validity: "P1M" uses years or months/],
    ["not a mapping", "- P7D\n", /p\.yaml: must be a mapping/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseZoneSigningPolicy(text, "p.yaml")).toThrow(message);
  });
});
