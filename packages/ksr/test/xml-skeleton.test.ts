/**
 * The KSR and SKR this toolkit writes have the element and attribute skeleton of the real files
 * (fixtures/PROVENANCE.md): the same elements under the same parents in the same order, the same
 * attribute names on each, no namespace, and no `timestamp` on Request/Response, which IANA's
 * dnssec-keytools readers cannot take. Values are left out: they are the data, not the shape.
 */
import type { Signer } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { buildKsr, defaultKsrPolicy, parseKsrXml, parseQuarter, writeKsrXml } from "../src/index.js";
import { fixtureBytes, loadSkr, utc } from "./helpers.js";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * Every start tag as `path [attribute names]`, and every parent's children as the sequence of
 * distinct names in document order (repeats collapsed: nine bundles and one have the same shape).
 */
function skeleton(xml: string): { elements: string[]; order: string[] } {
  const elements = new Set<string>();
  const children = new Map<string, string[]>();
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name = "", rest = "", selfClose] = m;
    if (close) {
      stack.pop();
      continue;
    }
    const parent = stack.join("/");
    const path = parent ? `${parent}/${name}` : name;
    const attributes = [...rest.matchAll(/([\w:.-]+)\s*=/g)].map((a) => a[1]).sort();
    elements.add(`${path} [${attributes.join(" ")}]`);
    const seen = children.get(parent) ?? [];
    if (seen[seen.length - 1] !== name) seen.push(name);
    children.set(parent, seen);
    if (!selfClose) stack.push(name);
  }
  return {
    elements: [...elements].sort(),
    order: [...children].map(([p, c]) => `${p}: ${c.join(" ")}`).sort(),
  };
}

const zsks: Signer[] = ["retiring", "current", "next"].map((label) => testSigner({ algorithm: 8, label }));

describe("the skeleton of the files written", () => {
  it("a built KSR has the skeleton of ksr-root-2017-q2-0.xml, and no timestamp", async () => {
    let n = 0;
    const ksr = await buildKsr({
      quarter: parseQuarter("2027Q1"),
      zsks,
      policy: defaultKsrPolicy(),
      nowEpochSeconds: utc(2026, 11, 28),
      newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    });
    const ours = dec(writeKsrXml(ksr));
    expect(ours).not.toContain("timestamp");
    expect(skeleton(ours)).toEqual(skeleton(dec(fixtureBytes("ksr-root-2017-q2-0.xml"))));
  });

  it("an SKR has the skeleton of skr-root-2017-q2-0.xml, and no timestamp even when the model holds one", () => {
    // executePlan puts the signing time into the model; the writer leaves it out by default.
    const skr = { ...loadSkr("skr-root-2017-q2-0.xml"), timestampEpochSeconds: utc(2027, 1, 5) };
    const ours = dec(writeKsrXml(skr));
    expect(ours).not.toContain("timestamp");
    expect(skeleton(ours)).toEqual(skeleton(dec(fixtureBytes("skr-root-2017-q2-0.xml"))));
  });

  it("writes the timestamp when asked, and reads it back", () => {
    const skr = { ...loadSkr("skr-root-2017-q2-0.xml"), timestampEpochSeconds: utc(2027, 1, 5) };
    const written = writeKsrXml(skr, { timestamp: true });
    expect(dec(written)).toContain('<Response timestamp="2027-01-05T00:00:00+00:00">');
    expect(parseKsrXml(written).document.timestampEpochSeconds).toBe(utc(2027, 1, 5));
    expect(skeleton(dec(written))).not.toEqual(skeleton(dec(fixtureBytes("skr-root-2017-q2-0.xml"))));
  });
});
