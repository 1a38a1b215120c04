/**
 * Gate tests on the independent tools they drive (ldns, BIND, Knot, unbound, openssl, SoftHSM).
 * Outside CI a missing tool skips the tests that need it (`it.runIf(hasTool(…))`); with CI=true a
 * missing tool is a failure, because `.ci/run` installs every tool and a silent skip would hide it.
 */
import { execFileSync, spawnSync } from "node:child_process";

const cache = new Map<string, boolean>();

export function hasTool(command: string): boolean {
  let found = cache.get(command);
  if (found === undefined) {
    try {
      execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
      found = true;
    } catch {
      found = false;
    }
    cache.set(command, found);
  }
  if (!found && process.env.CI === "true") {
    throw new Error(`required tool "${command}" is not installed (CI=true: a missing tool fails instead of skipping)`);
  }
  return found;
}

/** Run a tool, returning stdout, stderr and its exit status (never throws on a non-zero exit). */
export function runTool(
  command: string,
  args: readonly string[],
  options: { input?: string | Uint8Array; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd,
    env: options.env ?? process.env,
    maxBuffer: 256 * 1024 * 1024,
    encoding: "utf8",
  });
  if (r.error) throw r.error;
  if (r.status === null) throw new Error(`${command} was killed by ${r.signal}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `openssl cms -verify` of a detached DER signature over a file, as unbound-anchor and IANA's
 * get-trust-anchor check root-anchors.p7s: `-binary` (no line-ending rewrite), the
 * signer chained to `caFile`, optionally at a fixed time (`-attime`).
 */
export function opensslCmsVerify(options: { p7sFile: string; contentFile: string; caFile: string; atEpochSeconds?: number; purposeAny?: boolean }): {
  status: number;
  stdout: string;
  stderr: string;
} {
  const args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", options.p7sFile, "-content", options.contentFile, "-CAfile", options.caFile];
  if (options.atEpochSeconds !== undefined) args.push("-attime", String(options.atEpochSeconds));
  if (options.purposeAny) args.push("-purpose", "any");
  return runTool("openssl", [...args, "-out", "/dev/null"]);
}
