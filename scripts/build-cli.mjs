#!/usr/bin/env node
// Build the `ksk` command: one esbuild bundle of packages/cli/src/bin.ts into packages/cli/dist/
// (ksk.mjs plus one chunk per command group, loaded when that group runs), with the version
// defined in. packages/cli/bin/ksk runs it; nothing at run time transpiles TypeScript.
//
//   node scripts/build-cli.mjs             build
//   node scripts/build-cli.mjs --if-stale  build only if the sources changed since the last build
//   node scripts/build-cli.mjs --check     exit 0 if the build is current, 1 (saying why) if not
//
// "Current" means dist/build-info.json records the SHA-256 of today's inputs: every file under
// packages/*/src, every package.json, the lockfile and this script. Plain JavaScript so that it
// runs on a fresh clone with nothing but Node. The output is reproducible: the same commit built
// in any directory gives the same bytes (test/build-reproducible.test.ts).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "packages/cli");
const dist = path.join(cli, "dist");
const infoFile = path.join(dist, "build-info.json");

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** SHA-256 over the sorted input paths and their contents. */
export function inputsSha256() {
  const packages = readdirSync(path.join(root, "packages")).map((p) => path.join(root, "packages", p));
  const files = [
    ...packages.flatMap((p) => filesUnder(path.join(p, "src"))),
    ...packages.map((p) => path.join(p, "package.json")),
    path.join(root, "package.json"),
    path.join(root, "pnpm-lock.yaml"),
    fileURLToPath(import.meta.url),
  ].sort();
  const hash = createHash("sha256");
  for (const f of files) {
    hash.update(`${path.relative(root, f)}\0`);
    hash.update(readFileSync(f));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Why the build is not current, or undefined when it is. */
function staleness() {
  if (!existsSync(path.join(dist, "ksk.mjs")) || !existsSync(infoFile)) return "packages/cli/dist/ksk.mjs has not been built";
  const info = JSON.parse(readFileSync(infoFile, "utf8"));
  return info.inputsSha256 === inputsSha256() ? undefined : "the sources changed since packages/cli/dist was built";
}

async function build() {
  // esbuild comes with tsx (the same pinned version); it is a root devDependency too.
  const esbuild = createRequire(import.meta.url)("esbuild");
  const { version } = JSON.parse(readFileSync(path.join(cli, "package.json"), "utf8"));
  const inputs = inputsSha256();
  // Build beside dist/ and swap it in, so a `ksk` already running keeps finding its chunks.
  const staging = `${dist}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    // Reproducible: paths in the bundle's comments and chunk hashes are relative to the checkout,
    // never to where the build was started or where the checkout lies, so two clones of one
    // commit build the same bytes (`ksk integrity` gives the same fingerprint).
    absWorkingDir: root,
    entryPoints: { ksk: path.join(cli, "src/bin.ts") },
    outdir: staging,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The PKCS#11 addon is native (a compiled .node file esbuild cannot bundle): the bundle loads it
    // with require("pkcs11js") from packages/cli/dist when a pkcs11: keystore is opened, and Node
    // resolves that from packages/cli/node_modules — which is why @ksk/cli lists pkcs11js among its
    // dependencies although its sources never import it (@ksk/keystore does).
    external: ["pkcs11js"],
    define: { KSK_BUILD_VERSION: JSON.stringify(version) },
    // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
    banner: { js: 'import { createRequire as kskCreateRequire } from "node:module"; const require = kskCreateRequire(import.meta.url);' },
    metafile: true,
    logLevel: "warning",
  });
  // Which sources each output file holds: the tests use it to show a command loads only its own.
  // Output paths relative to dist/, input paths relative to the checkout.
  const outputs = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, output]) => [
      path.relative(staging, path.resolve(root, file)),
      { bytes: output.bytes, inputs: Object.keys(output.inputs) },
    ]),
  );
  writeFileSync(path.join(staging, "meta.json"), `${JSON.stringify({ outputs })}\n`);
  writeFileSync(path.join(staging, "build-info.json"), `${JSON.stringify({ version, inputsSha256: inputs }, null, 2)}\n`);
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
}

const mode = process.argv[2];
if (mode === "--check") {
  const why = staleness();
  if (why) {
    process.stderr.write(`build-cli: ${why}: run \`pnpm build\`\n`);
    process.exit(1);
  }
} else if (mode === "--if-stale") {
  if (staleness()) await build();
} else if (mode === undefined) {
  await build();
} else {
  process.stderr.write(`build-cli: unknown option ${mode} (use --if-stale or --check)\n`);
  process.exit(2);
}
