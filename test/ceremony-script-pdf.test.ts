/**
 * The printed ceremony script, print-ready: `ksk ceremony script` of the lab's acts 00-06 and the
 * annotated script `ksk report` writes after a run, each rendered to PDF by headless Chromium
 * (--print-to-pdf) and read back page by page with poppler (pdftotext, pdftoppm): numbered steps,
 * roles, the commands, the blanks to fill in, the sign-off with the people's names; and, annotated,
 * the hash and words of what the run wrote, its exit code and time.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hexToBytes, pgpWords } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { runChromium } from "./support/chromium.js";
import { REPO_ROOT } from "./support/cli-process.js";
import { hasTool, runTool } from "./support/tools.js";

const bin = path.join(REPO_ROOT, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-script-pdf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = hasTool("chromium") && hasTool("pdftotext") && hasTool("pdftoppm");
const LAB_ACTS = ["00-toolkit", "01-hsm-and-ksk", "02-zsk-operator", "03-key-signing", "04-trust-anchor", "05-test-root-zone", "06-resolve"];

function ksk(args: string[]) {
  const r = spawnSync(bin, args, { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Print `html` to PDF; the PDF's text (layout kept) and its page count from the page images. */
async function printed(html: string, name: string): Promise<{ text: string; pages: number }> {
  const pdf = path.join(dir, `${name}.pdf`);
  const r = await runChromium([`--print-to-pdf=${pdf}`, "--no-pdf-header-footer", `file://${html}`]);
  expect(existsSync(pdf), r.stderr).toBe(true);
  const text = runTool("pdftotext", ["-layout", pdf, "-"]);
  expect(text.status).toBe(0);
  const images = path.join(dir, `${name}-page`);
  expect(runTool("pdftoppm", ["-r", "20", "-png", pdf, images]).status).toBe(0);
  const pages = readdirSync(dir).filter((f) => f.startsWith(`${name}-page`) && f.endsWith(".png")).length;
  // Lines wrap where the page is narrow: the text as one run of words.
  return { text: text.stdout.split(/\s+/).join(" "), pages };
}

describe.runIf(tools)("the printed ceremony script", { timeout: 240_000 }, () => {
  it("ksk ceremony script: every act and step numbered, roles, commands, blanks and the sign-off, in print", async () => {
    const html = path.join(dir, "script.html");
    const acts = LAB_ACTS.map((a) => path.join(REPO_ROOT, "ceremony-scripts/acts", `${a}.yaml`));
    const r = ksk(["ceremony", "script", ...acts, "--ceremony", path.join(REPO_ROOT, "keys-example/lab-ceremony.yaml"), "-o", html]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { text, pages } = await printed(html, "script");
    // One act a page at least, then the sign-off page.
    expect(pages).toBeGreaterThanOrEqual(LAB_ACTS.length + 1);
    for (const a of LAB_ACTS) expect(text).toContain(`Act ${a}`);
    expect(text).toContain("0.1 SHA-256 and PGP words of the code ksk runs");
    expect(text).toMatch(/3\.\d+ .*(sign|Sign)/);
    expect(text).toMatch(/ksk skr sign ksr-2026Q3\.xml/);
    expect(text).toContain("a witness types Yes");
    expect(text).toContain("write down");
    expect(text).toContain("Done at (UTC)");
    expect(text).toContain("Sign-off");
    for (const person of ["Lab Ceremony Administrator", "Lab Internal Witness 1", "Lab Internal Witness 2"]) expect(text).toContain(person);
  });

  it("ksk report writes the annotated script: what each step wrote, its hash and words, exit code and time, in print", async () => {
    const ceremony = path.join(dir, "ceremony.yaml");
    writeFileSync(
      ceremony,
      "operator: Test Operator\nwitnesses: [Witness One]\nhsm: { module: /usr/lib/softhsm/libsofthsm2.so, token: none }\nquarter_done: skr-\u0024{quarter}.xml\nquarters:\n  - { quarter: 2026Q3, schema: publish+, at: 2026-05-15T00:00:00Z, zsk_labels: [Z1] }\n",
    );
    const out = path.join(dir, "out");
    expect(ksk(["ceremony", "run", path.join(REPO_ROOT, "ceremony-scripts/acts/00-toolkit.yaml"), "--ceremony", ceremony, "--out", out, "--yes"]).code).toBe(0);
    expect(ksk(["report", out]).code).toBe(0);
    const html = path.join(out, "script-annotated.html");
    expect(existsSync(html)).toBe(true);
    const { text, pages } = await printed(html, "annotated");
    expect(pages).toBeGreaterThanOrEqual(2);
    const step = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((e) => e.type === "step");
    const written = step.outputs[0] as { path: string; sha256Hex: string };
    expect(text).toContain("0.1 SHA-256 and PGP words of the code ksk runs");
    expect(text).toContain("ksk integrity");
    expect(text).toContain(written.path);
    if (process.env.KSK_SHOW_PDF_TEXT) process.stderr.write(text);
    // The words may wrap in print: compare them as a sequence of words.
    expect(text).toContain(pgpWords(hexToBytes(written.sha256Hex)).slice(0, 4).join(" "));
    expect(text).toMatch(/ok, exit 0; started \S+, done \S+/);
    expect(text).toContain("Test Operator");
    expect(text).toContain("Witness One");
  });
});
