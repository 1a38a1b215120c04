/**
 * SLOW (two clones, two installs, two builds): the build of `ksk` is reproducible and `ksk
 * integrity` names it. Two fresh clones of this checkout's HEAD, at different paths and depths,
 * installed from the pnpm store (offline) and built (one from inside, one from elsewhere), give byte-identical bundles and chunks, and
 * `ksk integrity --json` prints the same fingerprint in both — the value `sha256sum` gives over the
 * same files, recomputed here without the toolkit. A changed byte in one chunk changes it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-repro-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Clone HEAD into `into`, install from the store without the network, build from `buildCwd`. */
function cloneAndBuild(into: string, buildCwd: string): void {
  mkdirSync(path.dirname(into), { recursive: true });
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", REPO_ROOT, into], { stdio: "pipe" });
  execFileSync("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=silent"], {
    cwd: into,
    stdio: "pipe",
    env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? "/usr", CI: "true" },
  });
  execFileSync(process.execPath, [path.join(into, "scripts/build-cli.mjs")], { cwd: buildCwd, stdio: "pipe" });
}

function distFiles(clone: string): Map<string, Buffer> {
  const dist = path.join(clone, "packages/cli/dist");
  const files = new Map<string, Buffer>();
  for (const e of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) files.set(path.relative(dist, path.join(e.parentPath, e.name)), readFileSync(path.join(e.parentPath, e.name)));
  }
  return files;
}

function integrity(clone: string): { sha256: string; pgpWords: string[]; files: { path: string }[] } {
  const r = spawnSync(process.execPath, [path.join(clone, "packages/cli/bin/ksk"), "integrity", "--json"], { cwd: tmpdir(), encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** The fingerprint recomputed with coreutils, as the module header tells a witness to. */
function sha256sumFingerprint(clone: string): string {
  const script = "sha256sum packages/cli/bin/ksk packages/cli/dist/ksk.mjs packages/cli/dist/chunks/*.mjs pnpm-lock.yaml | LC_ALL=C sort -k2 | sha256sum";
  return execFileSync("sh", ["-c", script], { cwd: clone, encoding: "utf8" }).split(" ")[0] as string;
}

describe("two fresh clones build the same ksk", () => {
  const a = path.join(dir, "a");
  const b = path.join(dir, "elsewhere/deeper/b");

  it("gives identical bytes and the same ksk integrity fingerprint", { timeout: 600_000 }, () => {
    // Built from inside the clone, and from a directory outside it.
    cloneAndBuild(a, a);
    cloneAndBuild(b, dir);
    const filesA = distFiles(a);
    const filesB = distFiles(b);
    expect([...filesA.keys()].sort()).toEqual([...filesB.keys()].sort());
    expect([...filesA.keys()].some((f) => f.startsWith("chunks/"))).toBe(true);
    for (const [name, bytes] of filesA) expect(bytes.equals(filesB.get(name) as Buffer), `dist/${name} differs between the clones`).toBe(true);
    // Nothing in the code names the directory it was built in.
    for (const [name, bytes] of filesA) expect(bytes.includes(dir), `dist/${name} names the build directory`).toBe(false);

    const fingerprintA = integrity(a);
    const fingerprintB = integrity(b);
    expect(fingerprintA.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintB.sha256).toBe(fingerprintA.sha256);
    expect(fingerprintA.pgpWords).toHaveLength(32);
    expect(fingerprintA.files.map((f) => f.path)).toEqual(expect.arrayContaining(["packages/cli/dist/ksk.mjs", "pnpm-lock.yaml", "packages/cli/bin/ksk"]));
    expect(sha256sumFingerprint(a)).toBe(fingerprintA.sha256);

    // One byte more in one chunk: another fingerprint.
    const chunk = [...filesB.keys()].find((f) => f.startsWith("chunks/")) as string;
    appendFileSync(path.join(b, "packages/cli/dist", chunk), "\n");
    expect(integrity(b).sha256).not.toBe(fingerprintA.sha256);
  });
});
