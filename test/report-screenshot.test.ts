/**
 * The report as a browser shows it, at 1,400 and 900 px: the 2024-2027 root roll signed with the
 * real signer on lab keys (eleven quarters, KSK-2024 published, signing, KSK-2017 revoked), rendered
 * by renderReportHtml and opened in headless Chromium. Screenshots are taken (kept with
 * KSK_KEEP_SCREENSHOTS=dir to look at), and a measuring copy of the page — the same HTML with a
 * script added that writes each element's box into the DOM — is dumped to check that every year of
 * the timeline and every bundle table lies inside the window, nothing cut at its right edge.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderReportHtml } from "@ksk/ceremony";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labKsks } from "../packages/signer/test/helpers.js";
import { ROOT_ROLL_CALENDAR, labRollConfig, labZsks, signQuarters } from "../packages/signer/test/roll-sequence.js";
import { runChromium } from "./support/chromium.js";
import { hasTool } from "./support/tools.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-report-screenshot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let html = "";

/** Reads every measured box back out of the dumped DOM. */
const MEASURE = `<script>
const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth }; };
const out = {
  viewport: window.innerWidth,
  page: document.documentElement.scrollWidth,
  years: [...document.querySelectorAll("#timeline svg.timeline-year")].map((e) => ({ year: e.dataset.year, ...box(e) })),
  dates: [...document.querySelectorAll("#timeline text.slot-date")].map((e) => box(e).right),
  bundles: [...document.querySelectorAll("pre.bundles")].map(box),
};
const p = document.createElement("pre"); p.id = "measured"; p.textContent = JSON.stringify(out); document.body.append(p);
</script>`;

interface Measured {
  viewport: number;
  page: number;
  years: { year: string; left: number; right: number }[];
  dates: number[];
  bundles: { right: number; scrollWidth: number; clientWidth: number }[];
}

async function measure(width: number): Promise<Measured> {
  const file = path.join(dir, `measure-${width}.html`);
  writeFileSync(file, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, "").replace("</body>", `${MEASURE}</body>`));
  const r = await runChromium(["--dump-dom", `--window-size=${width},1000`, `file://${file}`]);
  const json = /<pre id="measured">([^<]*)<\/pre>/.exec(r.stdout)?.[1];
  expect(json, r.stderr.slice(-500)).toBeDefined();
  return JSON.parse((json ?? "{}").replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as Measured;
}

async function screenshot(width: number): Promise<string> {
  const file = path.join(dir, `report-${width}.png`);
  const page = path.join(dir, "report.html");
  const r = await runChromium([`--screenshot=${file}`, `--window-size=${width},2400`, "--hide-scrollbars", `file://${page}`]);
  expect(existsSync(file), r.stderr.slice(-500)).toBe(true);
  const keep = process.env.KSK_KEEP_SCREENSHOTS;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    copyFileSync(file, path.join(keep, `report-${width}.png`));
  }
  return file;
}

describe.runIf(hasTool("chromium"))("the report of the 2024-2027 roll in a browser", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    const ksks = labKsks();
    const quarters = await signQuarters(ksks, labRollConfig(ksks), labZsks(ROOT_ROLL_CALENDAR.length), ROOT_ROLL_CALENDAR);
    const verification = { ok: true, entryCount: 0, artefactCount: 0, headSha256Hex: "00".repeat(32), problems: [], incomplete: false };
    html = renderReportHtml({
      title: "KSK ceremony report: 2024-2027 roll",
      generatedEpochSeconds: 1_800_000_000,
      entries: [],
      verification,
      skrs: quarters.map((q) => ({ path: q.name, document: q.skr })),
      texts: new Map(),
      resolverRuns: [],
      verdict: { ok: true, line: "PASS: eleven quarters signed on lab keys" },
      transcriptNote: "Signed by the test, no ceremony transcript.",
      generatedBy: "test/report-screenshot.test.ts",
    });
    writeFileSync(path.join(dir, "report.html"), html);
  }, 120_000);

  for (const width of [1400, 900]) {
    it(`at ${width} px: every year of the timeline, every slot date and every bundle table inside the window`, async () => {
      await screenshot(width);
      const m = await measure(width);
      expect(m.viewport).toBe(width);
      expect(m.years.map((y) => y.year)).toEqual(["2024", "2025", "2026", "2027"]);
      for (const y of m.years) {
        expect(y.left, `year ${y.year}`).toBeGreaterThanOrEqual(0);
        expect(y.right, `year ${y.year}`).toBeLessThanOrEqual(width);
      }
      // Eleven quarters of nine or ten slots, each dated.
      expect(m.dates.length).toBeGreaterThanOrEqual(11 * 9);
      for (const right of m.dates) expect(right).toBeLessThanOrEqual(width);
      expect(m.bundles).toHaveLength(ROOT_ROLL_CALENDAR.length);
      for (const b of m.bundles) {
        expect(b.right).toBeLessThanOrEqual(width);
        // Nothing hidden behind a scroll: the table wraps inside its box.
        expect(b.scrollWidth).toBeLessThanOrEqual(b.clientWidth);
      }
      expect(m.page).toBeLessThanOrEqual(width);
    });
  }
});
