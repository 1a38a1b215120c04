/**
 * The README's contract with users and CI: its first section is `## Quick start`, holding one `sh`
 * block of exactly two lines (install + lab job; all tests), and `.ci/run` runs that second line.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

describe("README quick start", () => {
  const firstSection = readme.split("\n").find((l) => l.startsWith("## "));
  const block = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trimEnd().split("\n") ?? [];

  it("is the first section and holds exactly two lines", () => {
    expect(firstSection).toBe("## Quick start");
    expect(block).toHaveLength(2);
    expect(block[0]).toMatch(/scripts\/install\.sh/);
  });

  it("is the line .ci/run executes", () => {
    const awk = /line2=\$\(awk '([^']+)' README\.md\)/.exec(readFileSync(path.join(root, ".ci/run"), "utf8"))?.[1];
    expect(awk).toBeDefined();
    const extracted = execFileSync("awk", [awk as string, path.join(root, "README.md")], { encoding: "utf8" }).trim();
    expect(extracted).toBe(block[1]);
  });
});
