/**
 * The import rules of docs/architecture.md, read from its package table: each package's
 * package.json names only the @ksk packages its row allows, its sources import only those (and
 * only ones its package.json names), and a pure package's sources touch no files, processes,
 * environment or clock.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const doc = readFileSync(path.join(root, "docs/architecture.md"), "utf8");

interface Rule {
  readonly name: string;
  readonly mayImport: readonly string[];
  readonly pure: boolean;
}

/** The rows of the "Packages and what each may import" table. */
const rules: Rule[] = [...doc.matchAll(/^\| `(@ksk\/[a-z-]+)` \| ([^|]*) \| (yes|no) \|/gm)].map((m) => ({
  name: m[1] as string,
  mayImport: [...(m[2] as string).matchAll(/`(@ksk\/[a-z-]+)`/g)].map((i) => i[1] as string),
  pure: m[3] === "yes",
}));

const directories = readdirSync(path.join(root, "packages"));
const manifest = (dir: string) =>
  JSON.parse(readFileSync(path.join(root, "packages", dir, "package.json"), "utf8")) as { name: string; dependencies?: Record<string, string> };
const packages = directories.map((dir) => ({ dir, ...manifest(dir) }));

function sourcesOf(dir: string): { file: string; text: string }[] {
  const src = path.join(root, "packages", dir, "src");
  return readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: `packages/${dir}/src/${f}`, text: readFileSync(path.join(src, f), "utf8") }));
}

/** Every module specifier a source imports: static imports, re-exports and dynamic import(). */
function importsOf(text: string): string[] {
  const specifier = '"([@\\w./:-]+)"';
  const pattern = new RegExp(`^\\s*(?:import|export)\\b[^;]*?\\bfrom\\s+${specifier}|\\bimport\\s*\\(\\s*${specifier}\\s*\\)|^import\\s+${specifier}`, "gm");
  return [...text.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

describe("docs/architecture.md's package table", () => {
  it("is read whole, and the import scan sees static, type-only, multi-line and dynamic imports", () => {
    // One row per package of the workspace: a package missing from the table fails here.
    expect(rules.map((r) => r.name).sort()).toEqual(
      readdirSync(path.join(root, "packages"))
        .map((d) => `@ksk/${d}`)
        .sort(),
    );
    const main = readFileSync(path.join(root, "packages/cli/src/main.ts"), "utf8");
    expect(importsOf(main)).toEqual(expect.arrayContaining(["yargs", "@ksk/core", "./commands/index.js", "./context.js"]));
    const registry = readFileSync(path.join(root, "packages/cli/src/commands/index.ts"), "utf8");
    expect(importsOf(registry)).toEqual(expect.arrayContaining(["./ds.js", "./ksr.js", "./command.js"]));
    const ksr = readFileSync(path.join(root, "packages/cli/src/commands/ksr.ts"), "utf8");
    expect(importsOf(ksr)).toEqual(expect.arrayContaining(["@ksk/ksr", "@ksk/keygen"]));
  });

  it("has a row for every package and none for a package that does not exist", () => {
    expect(rules.map((r) => r.name).sort()).toEqual(packages.map((p) => p.name).sort());
  });

  it.each(packages.map((p) => [p.name, p] as const))("%s: package.json names only the @ksk packages its row allows", (name, p) => {
    const rule = rules.find((r) => r.name === name) as Rule;
    const named = Object.keys(p.dependencies ?? {}).filter((d) => d.startsWith("@ksk/"));
    expect(named.filter((d) => !rule.mayImport.includes(d))).toEqual([]);
  });

  it.each(packages.map((p) => [p.name, p] as const))("%s: its sources import only allowed packages that its package.json names", (name, p) => {
    const rule = rules.find((r) => r.name === name) as Rule;
    const named = new Set(Object.keys(p.dependencies ?? {}));
    for (const { file, text } of sourcesOf(p.dir)) {
      for (const spec of importsOf(text)) {
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string);
        if (pkg.startsWith("@ksk/")) expect({ file, pkg, allowed: rule.mayImport.includes(pkg) }).toEqual({ file, pkg, allowed: true });
        expect({ file, pkg, inPackageJson: named.has(pkg) }).toEqual({ file, pkg, inPackageJson: true });
      }
    }
  });

  it.each(rules.filter((r) => r.pure).map((r) => [r.name] as const))("%s is pure: no files, processes, environment or clock", (name) => {
    const p = packages.find((q) => q.name === name) as (typeof packages)[number];
    for (const { file, text } of sourcesOf(p.dir)) {
      const impure = [
        ...text.matchAll(
          /"node:(fs|fs\/promises|child_process|os|net|http|https|readline)"|\bprocess\.(env|argv|stdin|stdout|exit)\b|\bDate\.now\(|new Date\(\)/g,
        ),
      ].map((m) => m[0]);
      expect({ file, impure }).toEqual({ file, impure: [] });
    }
  });
});
