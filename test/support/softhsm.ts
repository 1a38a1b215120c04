/**
 * TEST ONLY: a throwaway SoftHSM2 token in its own temporary directory, with its own
 * `softhsm2.conf` (so tests never touch /etc/softhsm or /var/lib/softhsm), made with Debian's
 * `softhsm2-util` and removed afterwards.
 *
 *   await withSoftHsmToken({ label: "ksk-lab" }, async (token) => {
 *     const keystore = await openKeystore(token.uri(), { env: token.env });
 *   });
 *
 * or `const token = createSoftHsmToken(); … token.cleanup()` in beforeAll/afterAll.
 * The PIN is also written to `pinFile` (0600) for `pin-source=file:` URIs and `--pin-file`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Debian's SoftHSM2 module (a symlink into the multiarch directory). */
export const SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

export interface SoftHsmTokenOptions {
  readonly label?: string;
  readonly pin?: string;
  readonly soPin?: string;
  /** More tokens to initialise in the same directory (same PINs), for multi-token tests. */
  readonly extraLabels?: readonly string[];
  /** Make the directory and config but no token (for `ksk hsm init` tests). */
  readonly initialize?: boolean;
}

export interface SoftHsmToken {
  /** The temporary directory holding the config, the token store and the PIN files. */
  readonly dir: string;
  /** Path of the private softhsm2.conf. */
  readonly conf: string;
  /** Environment for the CLI / keystore / child processes: `SOFTHSM2_CONF`. */
  readonly env: Record<string, string>;
  /** `process.env` plus `env`, for spawning pkcs11-tool and friends. */
  readonly processEnv: NodeJS.ProcessEnv;
  readonly module: string;
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
  readonly pinFile: string;
  readonly soPinFile: string;
  /** RFC 7512 URI of the token (or of a key on it): `pkcs11:token=L[;object=O]?module-path=…&pin-source=file:…`. */
  uri(objectLabel?: string, options?: { pinSource?: boolean; module?: boolean }): string;
  cleanup(): void;
}

export function createSoftHsmToken(options: SoftHsmTokenOptions = {}): SoftHsmToken {
  const label = options.label ?? "ksk-lab";
  const pin = options.pin ?? "123456";
  const soPin = options.soPin ?? "87654321";
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-softhsm-"));
  const tokens = path.join(dir, "tokens");
  const conf = path.join(dir, "softhsm2.conf");
  try {
    execFileSync("mkdir", ["-m", "0700", tokens]);
    writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
    const pinFile = path.join(dir, "user.pin");
    const soPinFile = path.join(dir, "so.pin");
    writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
    writeFileSync(soPinFile, `${soPin}\n`, { mode: 0o600 });
    const env = { SOFTHSM2_CONF: conf };
    const processEnv = { ...process.env, ...env };
    if (options.initialize !== false) {
      for (const l of [label, ...(options.extraLabels ?? [])]) {
        execFileSync("softhsm2-util", ["--init-token", "--free", "--label", l, "--pin", pin, "--so-pin", soPin], { env: processEnv, stdio: "pipe" });
      }
    }
    return {
      dir,
      conf,
      env,
      processEnv,
      module: SOFTHSM_MODULE,
      label,
      pin,
      soPin,
      pinFile,
      soPinFile,
      uri(objectLabel, uriOptions = {}) {
        const pathPart = [`token=${encodeURIComponent(label)}`, ...(objectLabel ? [`object=${encodeURIComponent(objectLabel)}`] : [])].join(";");
        const query = [
          ...(uriOptions.module === false ? [] : [`module-path=${SOFTHSM_MODULE}`]),
          ...(uriOptions.pinSource === false ? [] : [`pin-source=file:${pinFile}`]),
        ];
        return `pkcs11:${pathPart}${query.length ? `?${query.join("&")}` : ""}`;
      },
      cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function withSoftHsmToken<T>(options: SoftHsmTokenOptions, body: (token: SoftHsmToken) => Promise<T>): Promise<T> {
  const token = createSoftHsmToken(options);
  try {
    return await body(token);
  } finally {
    token.cleanup();
  }
}
