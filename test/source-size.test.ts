/**
 * The size rule of docs/architecture.md's house style: no source file under packages/*\/src over
 * 550 lines, and no function over 100 lines. A file's size is its line count (a final newline
 * ends the last line, it does not start another). A function's size is counted from the line its
 * first token stands on (after any leading comment) to the line of its last token, both inclusive,
 * so a body that opens on line 1 and closes on line 100 is 100 lines. "Function" is every kind the
 * TypeScript compiler parses as one: function declarations and expressions, arrow functions,
 * methods, constructors, getters and setters; a function nested in another counts on its own and
 * as part of the one around it. Declarations without a body (overloads, abstract, ambient) are
 * not functions here.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const maxFileLines = 550;
const maxFunctionLines = 100;

interface FunctionSpan {
  readonly name: string;
  readonly startLine: number;
  readonly lines: number;
}

/** Lines in a text: a final newline ends the last line rather than starting an empty one. */
function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

/** A readable name for a function node: its own, the variable or property it is assigned to, or its kind. */
function nameOf(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): string {
  const kind = ts.isConstructorDeclaration(node)
    ? "constructor"
    : ts.isGetAccessorDeclaration(node)
      ? "get"
      : ts.isSetAccessorDeclaration(node)
        ? "set"
        : ts.isArrowFunction(node)
          ? "arrow function"
          : ts.isMethodDeclaration(node)
            ? "method"
            : "function";
  if (ts.isConstructorDeclaration(node)) return kind;
  const own = node.name?.getText(file);
  if (own !== undefined) return `${kind} ${own}`;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) {
    return `${kind} ${parent.name.getText(file)}`;
  }
  return `${kind} (anonymous)`;
}

/** Every function with a body in a TypeScript source, with its 1-based start line and inclusive line span. */
function functionSpans(fileName: string, text: string): FunctionSpan[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isConstructorDeclaration(node) ||
        ts.isGetAccessorDeclaration(node) ||
        ts.isSetAccessorDeclaration(node)) &&
      node.body !== undefined
    ) {
      const startLine = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
      const endLine = file.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      spans.push({ name: nameOf(node, file), startLine, lines: endLine - startLine + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return spans;
}

/** The rule's findings for one source, one line each, naming the file and line. */
function sizeViolations(relativePath: string, text: string): string[] {
  const found: string[] = [];
  const lines = lineCount(text);
  if (lines > maxFileLines) found.push(`${relativePath}: ${lines} lines (over ${maxFileLines})`);
  for (const span of functionSpans(relativePath, text)) {
    if (span.lines > maxFunctionLines) found.push(`${relativePath}:${span.startLine}: ${span.name} is ${span.lines} lines (over ${maxFunctionLines})`);
  }
  return found;
}

/** packages/*\/src/**\/*.ts, as paths relative to the repository root. */
function packageSources(): string[] {
  const packagesDir = path.join(root, "packages");
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const src = path.join(packagesDir, d.name, "src");
      let entries: string[];
      try {
        entries = readdirSync(src, { recursive: true }).map(String);
      } catch {
        return [];
      }
      return entries.filter((f) => f.endsWith(".ts")).map((f) => path.posix.join("packages", d.name, "src", f.split(path.sep).join("/")));
    })
    .sort();
}

/** A function declaration whose first line is `line 1` and whose closing brace is on line `lines`. */
function functionOfLines(name: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`function ${name}(): void {`, ...body, "}"].join("\n");
}

describe("source size", () => {
  it("counts a function from its first line to its last, inclusive, for every kind of function", () => {
    const source = [
      "/** A leading comment is not part of the function. */",
      functionOfLines("hundred", 100),
      functionOfLines("hundredAndOne", 101),
      "const arrow = (x: number): number => {",
      "  return x;",
      "};",
      "class C {",
      "  constructor() {}",
      "  get g(): number {",
      "    return 1;",
      "  }",
      "  set s(v: number) {}",
      "  m(): void {}",
      "  declare(): void;",
      "}",
      "const expr = function named() {};",
      "declare function ambient(): void;",
      "",
    ].join("\n");
    const spans = functionSpans("inline.ts", source);
    expect(spans).toEqual([
      { name: "function hundred", startLine: 2, lines: 100 },
      { name: "function hundredAndOne", startLine: 102, lines: 101 },
      { name: "arrow function arrow", startLine: 203, lines: 3 },
      { name: "constructor", startLine: 207, lines: 1 },
      { name: "get g", startLine: 208, lines: 3 },
      { name: "set s", startLine: 211, lines: 1 },
      { name: "method m", startLine: 212, lines: 1 },
      { name: "function named", startLine: 215, lines: 1 },
    ]);
    expect(sizeViolations("inline.ts", source)).toEqual(["inline.ts:102: function hundredAndOne is 101 lines (over 100)"]);
  });

  it("counts a file's lines with or without a final newline, and flags 551 but not 550", () => {
    const of = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join("\n");
    expect(sizeViolations("f.ts", `${of(550)}\n`)).toEqual([]);
    expect(sizeViolations("f.ts", of(550))).toEqual([]);
    expect(sizeViolations("f.ts", `${of(551)}\n`)).toEqual(["f.ts: 551 lines (over 550)"]);
  });

  it("walks every package's sources", () => {
    const sources = packageSources();
    expect(sources).toEqual(expect.arrayContaining(["packages/cli/src/main.ts", "packages/core/src/index.ts"]));
    expect(sources.some((f) => f.split("/").length > 4)).toBe(true);
  });

  it("finds no file over 550 lines and no function over 100 lines in packages/*/src", () => {
    const violations = packageSources().flatMap((f) => sizeViolations(f, readFileSync(path.join(root, f), "utf8")));
    expect(violations).toEqual([]);
  });
});
