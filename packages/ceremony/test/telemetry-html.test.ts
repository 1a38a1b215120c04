/**
 * The report's trust-anchor telemetry section: a row per phase (or act 06 output), a column per
 * resolver with its latest signal named by key (old, new), a resolver signalling only retired or
 * revoked keys marked and named under the table, each tag's share; and the reading of a
 * `ksk telemetry --json` output for `ksk report` (a file that is not one is left out).
 */
import { describe, expect, it } from "vitest";
import { parseTelemetryOutput, renderTelemetrySection, type TelemetryView } from "../src/index.js";

const resolver = (address: string, tags: number[], behind = false) => ({
  address,
  signals: tags.length ? 1 : 0,
  ...(tags.length ? { latest: { keyTags: tags, atUtc: "2026-12-06T08:00:00.000Z" } } : {}),
  onlyRetiredOrRevoked: behind,
});
const view = (resolvers: TelemetryView["resolvers"], shares: [number, number, string?][]): TelemetryView => ({
  signallingResolvers: resolvers.filter((r) => r.signals > 0).length,
  keyTags: shares.map(([keyTag, n, anchor]) => ({ keyTag, resolvers: n, share: n / resolvers.length, ...(anchor ? { anchor } : {}) })),
  resolvers,
});
const names = { resolverNames: { "127.0.0.11": "RFC 5011", "127.0.0.12": "static" }, keyTagNames: { "100": "old", "200": "new" } };

describe("renderTelemetrySection", () => {
  it("one row per phase, one column per resolver; the static resolver's old key marked once retired", () => {
    const html = renderTelemetrySection([
      { label: "A normal", summary: view([resolver("127.0.0.11", [100]), resolver("127.0.0.12", [100])], [[100, 2, "valid"]]), ...names },
      {
        label: "E old KSK removed",
        summary: view(
          [resolver("127.0.0.11", [200]), resolver("127.0.0.12", [100], true)],
          [
            [100, 1, "retired"],
            [200, 1, "valid"],
          ],
        ),
        ...names,
      },
    ]);
    const cell = (entry: string, r: string) => new RegExp(`data-entry="${entry}" data-resolver="${r}" data-tags="([^"]*)"([^>]*)>([^<]*)`).exec(html);
    expect(cell("A normal", "RFC 5011")?.[1]).toBe("100");
    expect(cell("A normal", "RFC 5011")?.[3]).toBe("100 (old)");
    expect(cell("E old KSK removed", "RFC 5011")?.[3]).toBe("200 (new)");
    expect(cell("E old KSK removed", "static")?.[2]).toContain("color:#cb181d");
    expect(html).toContain("100 (old) retired: 1 of 2 (50%)");
    expect(html).toContain("In E old KSK removed, static still signals only retired or revoked keys");
    expect(html).not.toContain("127.0.0.1");
  });

  it("nothing to show: no section; a resolver without a signal is a dash", () => {
    expect(renderTelemetrySection([])).toBe("");
    const html = renderTelemetrySection([{ label: "telemetry-2026Q3.json", summary: view([resolver("127.0.0.1", [])], []) }]);
    expect(html).toContain("no signal");
    expect(html).toContain("no resolver signals only retired or revoked keys");
  });

  it("escapes what it shows", () => {
    const html = renderTelemetrySection([{ label: "<b>x</b>", summary: view([resolver("127.0.0.1", [1])], [[1, 1]]) }]);
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62;");
    expect(html).not.toContain("<b>x</b>");
  });
});

describe("parseTelemetryOutput", () => {
  it("reads a ksk telemetry --json output and refuses anything else", () => {
    const v = view([resolver("127.0.0.1", [1])], [[1, 1]]);
    expect(parseTelemetryOutput(new TextEncoder().encode(JSON.stringify({ ...v, events: 3 })))).toEqual(v);
    expect(parseTelemetryOutput(new TextEncoder().encode('{"resolvers": 1}'))).toBeUndefined();
    expect(parseTelemetryOutput(new TextEncoder().encode("not json"))).toBeUndefined();
  });
});
