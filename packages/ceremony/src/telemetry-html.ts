/**
 * The report's trust-anchor telemetry section: what the lab root (knotd with mod-dnstap) heard
 * resolvers signal (RFC 8145) — per phase of a rehearsed roll, or per act 06 run of a lab ceremony
 * — beside the resolvers' answers. Each row is one dnstap summary (a phase, or one
 * `ksk telemetry --json` output); each cell a resolver's latest signal (the KSKs it trusted then),
 * red when those are only retired or revoked keys: the view that made the root's operators
 * postpone the 2017 roll. Also reads a `ksk telemetry --json` output for `ksk report`.
 * Leaves out: charts over time within one file (rows are the time axis), responses.
 */
import { z } from "zod";

/** The part of a telemetry summary (`ksk telemetry --json`, @ksk/resolver's TelemetrySummary) the section shows. */
export interface TelemetryView {
  readonly signallingResolvers: number;
  readonly keyTags: readonly { readonly keyTag: number; readonly resolvers: number; readonly share: number; readonly anchor?: string | undefined }[];
  readonly resolvers: readonly {
    readonly address: string;
    readonly signals: number;
    readonly latest?: { readonly keyTags: readonly number[]; readonly atUtc: string } | undefined;
    readonly onlyRetiredOrRevoked?: boolean | undefined;
  }[];
}

/** One row of the section. */
export interface TelemetryReportEntry {
  /** The phase (`C roll`) or the file (`telemetry-2026Q3.json`). */
  readonly label: string;
  readonly summary: TelemetryView;
  /** Names for source addresses (the rehearsal's resolvers); others are shown by address. */
  readonly resolverNames?: Readonly<Record<string, string>>;
  /** Names for key tags, e.g. `old`, `new`. */
  readonly keyTagNames?: Readonly<Record<string, string>>;
}

const viewSchema: z.ZodType<TelemetryView> = z.object({
  signallingResolvers: z.number(),
  keyTags: z.array(z.object({ keyTag: z.number(), resolvers: z.number(), share: z.number(), anchor: z.string().optional() })),
  resolvers: z.array(
    z.object({
      address: z.string(),
      signals: z.number(),
      latest: z.object({ keyTags: z.array(z.number()), atUtc: z.string() }).optional(),
      onlyRetiredOrRevoked: z.boolean().optional(),
    }),
  ),
});

/** A `ksk telemetry --json` output, or undefined when the bytes are not one. */
export function parseTelemetryOutput(bytes: Uint8Array): TelemetryView | undefined {
  try {
    const parsed = viewSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tagText(tag: number, names: TelemetryReportEntry["keyTagNames"]): string {
  const name = names?.[String(tag)];
  return name === undefined ? String(tag) : `${tag} (${name})`;
}

export function renderTelemetrySection(entries: readonly TelemetryReportEntry[]): string {
  if (!entries.length) return "";
  const nameOf = (e: TelemetryReportEntry, address: string) => e.resolverNames?.[address] ?? address;
  const columns = [...new Set(entries.flatMap((e) => e.summary.resolvers.filter((r) => r.signals > 0).map((r) => nameOf(e, r.address))))];
  const rows = entries.map((e) => {
    const cells = columns.map((column) => {
      const r = e.summary.resolvers.find((x) => nameOf(e, x.address) === column && x.signals > 0);
      if (!r?.latest) return `<td class="signal" data-entry="${esc(e.label)}" data-resolver="${esc(column)}" data-tags="">—</td>`;
      const behind = r.onlyRetiredOrRevoked === true;
      const style = behind ? ' style="color:#cb181d;font-weight:bold"' : "";
      return `<td class="signal" data-entry="${esc(e.label)}" data-resolver="${esc(column)}" data-tags="${r.latest.keyTags.join(" ")}"${style}>${esc(
        r.latest.keyTags.map((t) => tagText(t, e.keyTagNames)).join(", "),
      )}${behind ? "<br><small>only retired or revoked keys</small>" : ""}</td>`;
    });
    const shares = e.summary.keyTags
      .map(
        (t) =>
          `${tagText(t.keyTag, e.keyTagNames)}${t.anchor ? ` ${t.anchor}` : ""}: ${t.resolvers} of ${e.summary.signallingResolvers} (${Math.round(t.share * 100)}%)`,
      )
      .join("; ");
    return `<tr><td>${esc(e.label)}</td>${cells.join("")}<td class="share">${esc(shares || "no signal")}</td></tr>`;
  });
  const last = entries.at(-1) as TelemetryReportEntry;
  const behind = last.summary.resolvers.filter((r) => r.onlyRetiredOrRevoked).map((r) => nameOf(last, r.address));
  const verdict = behind.length
    ? `In ${last.label}, ${behind.join(", ")} still signal${behind.length === 1 ? "s" : ""} only retired or revoked keys: resolvers the root would lose. Too many such signals delayed the 2017 roll.`
    : `In ${last.label}, no resolver signals only retired or revoked keys.`;
  return `<h2 id="telemetry">Trust-anchor signals at the root (RFC 8145)</h2>
<p>What the lab root's knotd received (dnstap): each resolver's latest key-tag signal — the KSKs it trusted then — and the share of signalling resolvers per key tag.</p>
<table class="telemetry"><tr><th></th>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}<th>key tags signalled</th></tr>${rows.join("")}</table>
<p class="telemetry-verdict">${esc(verdict)}</p>`;
}
