/**
 * The toolkit's fingerprint, for `ksk integrity` and act 00 of a ceremony: one SHA-256 over
 * exactly the code `ksk` runs — the launcher (packages/cli/bin/ksk), the bundle
 * (packages/cli/dist/ksk.mjs), every chunk it loads (packages/cli/dist/chunks/), and the lockfile
 * that pins every dependency the build bundled and the one it loads at run time (pkcs11js).
 *
 * The fingerprint is the SHA-256 of a manifest in `sha256sum` format — one line per file,
 * `HEX␠␠PATH\n`, paths relative to the checkout, sorted bytewise — so anyone can recompute it
 * without the toolkit:
 *
 *   sha256sum packages/cli/bin/ksk packages/cli/dist/ksk.mjs packages/cli/dist/chunks/*.mjs \
 *     pnpm-lock.yaml | LC_ALL=C sort -k2 | sha256sum
 *
 * The build is reproducible (scripts/build-cli.mjs), so a witness who rebuilds from the same
 * commit gets the same value. Left out: the build's bookkeeping (dist/meta.json,
 * dist/build-info.json: not code), node itself and the native pkcs11js addon built at install
 * (named by the lockfile, compiled per machine).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { KskError, bytesToHex, pgpWords, sha256 } from "@ksk/core";

export interface FingerprintFile {
  /** Relative to the checkout, with / separators. */
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
}

export interface ToolkitFingerprint {
  /** The checkout the files were read from. */
  readonly root: string;
  readonly files: readonly FingerprintFile[];
  /** The `sha256sum` manifest the fingerprint is the hash of. */
  readonly manifest: string;
  readonly sha256Hex: string;
  readonly pgpWords: readonly string[];
}

/**
 * The built command's directory (…/packages/cli/dist) for a module at `modulePath`: the bundle's
 * own directory when running built (ksk.mjs or a chunk), else the cli package's dist beside the
 * sources (the in-process test harness runs the sources).
 */
export function locateBuiltCommand(modulePath: string): string {
  let dir = path.dirname(modulePath);
  for (;;) {
    if (path.basename(dir) === "dist" && existsSync(path.join(dir, "ksk.mjs"))) return dir;
    if (existsSync(path.join(dir, "dist", "ksk.mjs")) && existsSync(path.join(dir, "package.json"))) return path.join(dir, "dist");
    const up = path.dirname(dir);
    if (up === dir)
      throw new KskError("input", "INTEGRITY-NOT-BUILT", "no built ksk (packages/cli/dist/ksk.mjs) above this module: run `pnpm build`", { where: modulePath });
    dir = up;
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fingerprint of the built command in `distDir` (…/packages/cli/dist) and its checkout's lockfile. */
export function toolkitFingerprint(distDir: string): ToolkitFingerprint {
  const cliDir = path.dirname(distDir);
  const root = path.resolve(cliDir, "..", "..");
  const chunksDir = path.join(distDir, "chunks");
  const chunks = existsSync(chunksDir)
    ? readdirSync(chunksDir)
        .filter((f) => f.endsWith(".mjs"))
        .map((f) => path.join(chunksDir, f))
    : [];
  const absolute = [path.join(cliDir, "bin", "ksk"), path.join(distDir, "ksk.mjs"), ...chunks, path.join(root, "pnpm-lock.yaml")];
  const files: FingerprintFile[] = absolute
    .map((file) => {
      if (!existsSync(file) || !statSync(file).isFile()) {
        throw new KskError("input", "INTEGRITY-MISSING", "is not a regular file: the toolkit is not installed whole", { where: file });
      }
      const bytes = new Uint8Array(readFileSync(file));
      return { path: path.relative(root, file).split(path.sep).join("/"), sizeBytes: bytes.length, sha256Hex: bytesToHex(sha256(bytes)) };
    })
    .sort((a, b) => byteOrder(a.path, b.path));
  const manifest = files.map((f) => `${f.sha256Hex}  ${f.path}\n`).join("");
  const digest = sha256(new TextEncoder().encode(manifest));
  return { root, files, manifest, sha256Hex: bytesToHex(digest), pgpWords: pgpWords(digest) };
}

/** The fingerprint as a witness reads it: the hex and the PGP words, eight a line. */
export function fingerprintLines(fingerprint: ToolkitFingerprint): string[] {
  const lines = [`ksk toolkit fingerprint (${fingerprint.files.length} files: launcher, bundle, chunks, lockfile)`, `SHA-256 ${fingerprint.sha256Hex}`];
  for (let i = 0; i < fingerprint.pgpWords.length; i += 8) lines.push(fingerprint.pgpWords.slice(i, i + 8).join(" "));
  return lines;
}
