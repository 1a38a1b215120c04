/**
 * The built `ksk` (scripts/build-cli.mjs): what operators run is the bundle, current with the
 * sources; it reports the version defined into it; a missing build is named as such; and each
 * command loads only its own code. The last is shown on a copy of the bundle with the other
 * command groups' files (and the XML, X.509, YAML and schema libraries) deleted, outside the
 * checkout so that the pkcs11js addon cannot be found either: the commands still work.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../packages/cli/src/commands/index.js";
import { ksk } from "../packages/cli/test/harness.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const dist = path.join(root, "packages/cli/dist");
const bin = path.join(root, "packages/cli/bin/ksk");
const version = (JSON.parse(readFileSync(path.join(root, "packages/cli/package.json"), "utf8")) as { version: string }).version;
const dir = mkdtempSync(path.join(tmpdir(), "ksk-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyFile = path.join(dir, "ksk.zone");
writeFileSync(keyFile, ".\t172800\tIN\tDNSKEY\t257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");

function spawn(command: string, args: readonly string[]) {
  const r = spawnSync(command, args, { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Meta {
  readonly outputs: Readonly<Record<string, { readonly inputs: readonly string[] }>>;
}

/**
 * A copy of the bundle without every output file holding one of `inputs` (prefixes of source
 * paths). Returns the copy's entry point.
 */
function bundleWithout(name: string, inputs: readonly string[]): string {
  const copy = path.join(dir, name);
  cpSync(dist, copy, { recursive: true });
  const meta = JSON.parse(readFileSync(path.join(dist, "meta.json"), "utf8")) as Meta;
  const removed = Object.entries(meta.outputs).filter(([, o]) => o.inputs.some((i) => inputs.some((p) => i.includes(p))));
  expect(removed.length).toBeGreaterThan(0);
  for (const [file] of removed) rmSync(path.join(copy, file));
  return path.join(copy, "ksk.mjs");
}

const otherGroups = (keep: string) => COMMANDS.filter((c) => c.name !== keep).map((c) => `packages/cli/src/commands/${c.name}.ts`);
const heavyLibraries = [
  "/xmlbuilder2/",
  "/fast-xml-parser/",
  "/pkijs/",
  "/asn1js/",
  "/zod/",
  "/yaml/",
  "packages/ksr/src/",
  "packages/trust-anchor/src/",
  "packages/keystore/src/pkcs11.ts",
];

describe("the built ksk", () => {
  it("is current with the sources (the test set-up builds it when stale)", () => {
    const r = spawn(process.execPath, [path.join(root, "scripts/build-cli.mjs"), "--check"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("prints the cli package's version, defined in by the build, as a process and in-process", async () => {
    expect(spawn(bin, ["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(await ksk(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("lists every command group in --help, from the registry", () => {
    const r = spawn(bin, ["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^\\s+ksk ${c.name}\\s+${c.describe.slice(0, 20).replace(/[().*+?[\]\\]/g, "\\$&")}`, "m"));
  });

  it("says it is not built, exit 70, when the bundle is missing", () => {
    const lone = path.join(dir, "lone/bin");
    mkdirSync(lone, { recursive: true });
    cpSync(bin, path.join(lone, "ksk"));
    const r = spawn(path.join(lone, "ksk"), ["ds", keyFile]);
    expect(r.code).toBe(70);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^ksk: not built: packages\/cli\/dist\/ksk\.mjs is missing; run `pnpm build`/);
  });

  it("runs ds, keytag and words without the other groups, the heavy libraries or pkcs11js", () => {
    for (const group of ["ds", "keytag", "words"]) {
      const entry = bundleWithout(`only-${group}`, [...otherGroups(group), ...heavyLibraries]);
      const full = spawn(bin, [group, keyFile]);
      expect(full.code).toBe(0);
      expect(spawn(process.execPath, [entry, group, keyFile])).toEqual(full);
    }
  });

  it("answers --version without yargs and --help without any command group", () => {
    const noYargs = bundleWithout("no-yargs", ["/yargs/", "packages/cli/src/main.ts"]);
    expect(spawn(process.execPath, [noYargs, "--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const noGroups = bundleWithout("no-groups", [...otherGroups(""), ...heavyLibraries]);
    const r = spawn(process.execPath, [noGroups, "--help"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("opens a file: keystore without pkcs11js, and names the addon when a pkcs11: keystore needs it", () => {
    const entry = bundleWithout("no-pkcs11", ["packages/keystore/src/pkcs11.ts"]);
    const keystore = path.join(dir, "zsks");
    mkdirSync(keystore);
    const list = spawn(process.execPath, [entry, "key", "list", "--keystore", `file:${keystore}`, "--passphrase-file", keyFile]);
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
    const hsm = spawn(process.execPath, [entry, "key", "list", "--keystore", "pkcs11:token=t?module-path=/nonexistent.so"]);
    expect(hsm.code).toBe(4);
    expect(hsm.stderr).toMatch(/^ksk: pkcs11:token=t\?module-path=\/nonexistent\.so: cannot load the PKCS#11 support \(pkcs11js\): /);
  });
});
