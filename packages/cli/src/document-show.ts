/**
 * The one presentation of a KSR or SKR, for `ksk ksr show` and `ksk skr show`: the header, the
 * declared policy, the bundle table (@ksk/signer's `documentTable`) and the file's SHA-256 and PGP
 * words; every bundle as DNSKEY + RRSIG records (`--format zone`, optionally one `--bundle`); or
 * all of it as JSON.
 */
import { fileFingerprint, sha256Hex } from "@ksk/ceremony";
import { KskError, formatIsoZ } from "@ksk/core";
import { bundleZoneText, documentPolicyLines } from "@ksk/ksr";
import { documentBundlesJson, documentTable } from "@ksk/signer";
import type { CliContext } from "./context.js";
import { printJson } from "./io.js";
import type { LoadedKsr } from "./ksr-files.js";

export type ShowFormat = "table" | "zone" | "json";

/** `KSR` or `SKR`: what a document is called in its header and fingerprint lines. */
export function documentKind(loaded: LoadedKsr): "KSR" | "SKR" {
  return loaded.document.kind === "request" ? "KSR" : "SKR";
}

/** The file's SHA-256 and PGP words, as every command prints them. */
export function printFingerprint(ctx: CliContext, label: string, bytes: Uint8Array): void {
  const f = fileFingerprint(bytes);
  ctx.out(`${label} SHA-256: ${f.sha256Grouped}\n`);
  ctx.out(`${label} PGP words: ${f.pgpWords.join(" ")}\n`);
}

/** The fingerprint in JSON output: plain hex, as other tools print it, and the words. */
export function fingerprintJson(bytes: Uint8Array): { sha256Hex: string; pgpWords: string[] } {
  return { sha256Hex: sha256Hex(bytes), pgpWords: fileFingerprint(bytes).pgpWords };
}

export function showDocument(ctx: CliContext, loaded: LoadedKsr, format: ShowFormat, bundle?: number): void {
  const d = loaded.document;
  if (bundle !== undefined && (!Number.isInteger(bundle) || bundle < 1 || bundle > d.bundles.length)) {
    throw new KskError("usage", "USAGE-BUNDLE", `--bundle must be 1..${d.bundles.length}`);
  }
  if (format === "zone") {
    ctx.out(bundleZoneText(d, bundle === undefined ? undefined : bundle - 1));
    return;
  }
  if (format === "json") {
    printJson(ctx, {
      file: loaded.name,
      kind: d.kind,
      id: d.id,
      serial: d.serial,
      domain: d.domain,
      ...fingerprintJson(loaded.bytes),
      policy: documentPolicyLines(d),
      bundles: documentBundlesJson(d),
    });
    return;
  }
  const kind = documentKind(loaded);
  ctx.out(
    `${kind} ${loaded.name} id ${d.id} serial ${d.serial} domain ${d.domain}, ${d.bundles.length} bundles${d.timestampEpochSeconds === undefined ? "" : `, timestamp ${formatIsoZ(d.timestampEpochSeconds)}`}\n`,
  );
  for (const line of documentPolicyLines(d)) ctx.out(`${line}\n`);
  ctx.out(`\n${documentTable(`${kind} ${d.id}`, d).join("\n")}\n\n`);
  printFingerprint(ctx, kind, loaded.bytes);
}
