/**
 * The report's custody section (docs/custody.md): per run, the officers whose shares were present
 * (what `ksk custody show` recorded: set, index, officer, fingerprint — never a share), the
 * backups made (`ksk key backup`: key, file, SHA-256), the restores (`ksk key restore`: into which
 * facility's token), and which facility's HSM each private-key step used: the token its
 * `--keystore pkcs11:token=…` names, or, for `skr sign` (its keys named by the signing config),
 * the run's HSM.
 * Pure: transcript entries and output texts in, HTML out.
 */
import type { StartEntry, StepEntry, TranscriptEntry } from "./transcript.js";

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The token a step's `--keystore pkcs11:token=…` names, if any. */
function tokenOf(argv: readonly string[]): string | undefined {
  const at = argv.indexOf("--keystore");
  const uri = at >= 0 ? argv[at + 1] : undefined;
  const m = uri === undefined ? null : /^pkcs11:(?:[^?]*;)?token=([^;?]+)/.exec(uri);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

function isCustodyStep(s: StepEntry): boolean {
  return (s.argv[0] === "custody" && s.argv[1] === "show") || (s.argv[0] === "key" && (s.argv[1] === "backup" || s.argv[1] === "restore"));
}

export function custodySection(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): string {
  const rows: string[] = [];
  let run: StartEntry | undefined;
  for (const e of entries) {
    if (e.type === "start") run = e;
    if (e.type !== "step" || e.status !== "ok") continue;
    // `skr sign` reads its KSKs through the signing config, in the run's HSM; steps on a software
    // keystore (the ZSK operator's) or no keystore are not custody of the KSK.
    const signsWithConfig = e.argv[0] === "skr" && e.argv[1] === "sign";
    const runFile = run?.ceremonyFile?.path;
    const token =
      tokenOf(e.argv) ?? (signsWithConfig ? `${run?.hsm.tokenLabel ?? "?"} (the run's HSM${runFile === undefined ? "" : `, ${runFile}`})` : undefined);
    // Which module configuration (token directory, i.e. facility) the step's own env named.
    const conf = e.env?.SOFTHSM2_CONF;
    const facility = token === undefined ? undefined : conf === undefined ? token : `${token} at ${conf.split("/").slice(-3).join("/")}`;
    if (!isCustodyStep(e) && facility === undefined) continue;
    const shown = e.outputs.map((o) => texts.get(o.path)).filter((t): t is string => t !== undefined && isCustodyStep(e));
    const files = e.outputs.map((o) => `${esc(o.path)} <small>SHA-256 ${esc(o.sha256Hex.slice(0, 16))}…</small>`).join("<br>");
    rows.push(
      `<tr><td>${esc(String(run?.variables.quarter ?? ""))}</td><td>act ${String(e.act).padStart(2, "0")} step ${e.step}</td><td>${esc(e.does)}</td><td>${facility === undefined ? "" : esc(facility)}</td><td>${files}${shown.map((t) => `<pre>${esc(t)}</pre>`).join("")}</td></tr>`,
    );
  }
  if (rows.length === 0) return "";
  return `<h2 id="custody">Custody</h2><p>Officers present (their shares' set, index and fingerprint), backups made, restores, and which facility's HSM each private-key step used.</p><table><tr><th>quarter</th><th>step</th><th>what</th><th>facility (HSM token)</th><th>record</th></tr>${rows.join("")}</table>`;
}
