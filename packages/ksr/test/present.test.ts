/**
 * bundleZoneText (`ksk ksr show --format zone`): the bundle id goes into a `;` comment, so an id
 * that the reader would refuse (a newline, say) must not reach it from a document built in memory.
 */
import { KskError } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { type KsrRequestDocument, bundleZoneText } from "../src/index.js";
import { loadKsr } from "./helpers.js";

const KSR = loadKsr("ksr-root-2017-q2-0.xml");

function withFirstId(ksr: KsrRequestDocument, id: string): KsrRequestDocument {
  return { ...ksr, bundles: ksr.bundles.map((b, i) => (i === 0 ? { ...b, id } : b)) };
}

describe("bundleZoneText", () => {
  it("good: one comment line per bundle, then its DNSKEY and RRSIG records", () => {
    const text = bundleZoneText(KSR, 0);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^; bundle 1 dc1bc68c-b1c1-46f8-817f-ec893549f2be 2017-04-01T00:00:00Z \.\. /);
    expect(lines.slice(1).every((l) => /\sIN\s+(DNSKEY|RRSIG)\s/.test(l))).toBe(true);
  });

  it("bad: an id holding a newline would inject a record; it is refused as bad input", () => {
    const doc = withFirstId(KSR, "x\n. 172800 IN A 192.0.2.1\n;");
    let error: unknown;
    try {
      bundleZoneText(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KskError);
    expect({ kind: (error as KskError).kind, code: (error as KskError).code, where: (error as KskError).where }).toEqual({
      kind: "input",
      code: "KSR-XML-ATTRIBUTE",
      where: "bundle 1",
    });
    expect((error as KskError).message).not.toContain("\n");
    expect(() => bundleZoneText(withFirstId(KSR, "tab\there"))).toThrow(/outside printable ASCII/);
  });
});
