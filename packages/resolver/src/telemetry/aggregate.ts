/**
 * Trust-anchor telemetry (pure): the RFC 8145 signals of many queries, per resolver (source
 * address) and overall — the root operators' view of a roll that delayed the 2017 KSK roll by a
 * year, when too many resolvers still signalled only the old key.
 *
 * Implements: `TelemetryCollector` — fed dnstap events one at a time, it keeps per resolver the
 * queries seen, each key tag signalled (by a `_ta-` query, RFC 8145 §5, or the edns-key-tag
 * option, §4), how often, first and last time seen, and the resolver's latest signal (the tags it
 * trusts now); memory grows with resolvers × tags, never with the number of events. `summary()`:
 * per tag the share of signalling resolvers that signal it; with a root-anchors.xml view, each
 * tag's standing (valid, pending, retired — its KeyDigest's validUntil passed — or revoked) and the
 * resolvers whose latest signal names only retired or revoked keys. `formatTelemetry`: lines for people.
 * Leaves out: responses, signals for other trust anchors than the root's (counted only), rates
 * over time (a report per file — per phase in the rehearsal — gives the trend).
 */
import { revokedKeyTag } from "@ksk/core";
import { isValidAt, keyDigestDnskey, type TrustAnchorDocument } from "@ksk/trust-anchor";
import type { DnstapEvent } from "./dnstap.js";
import { querySignals } from "./signals.js";

export type SignalVia = "ta-query" | "edns-key-tag";
export type AnchorStanding = "valid" | "pending" | "retired" | "revoked" | "not in the anchors";

/** How a root-anchors.xml sees key tags at a time (`anchorView`). */
export interface AnchorView {
  readonly file: string;
  readonly atEpochSeconds: number;
  readonly standing: ReadonlyMap<number, Exclude<AnchorStanding, "not in the anchors">>;
}

export interface TagSignal {
  readonly keyTag: number;
  readonly via: readonly SignalVia[];
  readonly signals: number;
  readonly firstSeenUtc: string;
  readonly lastSeenUtc: string;
  readonly anchor?: AnchorStanding;
}

export interface ResolverTelemetry {
  readonly address: string;
  readonly queries: number;
  readonly signals: number;
  readonly keyTags: readonly TagSignal[];
  /** The last signal seen from it: the tags it trusted then. */
  readonly latest: { readonly keyTags: readonly number[]; readonly via: SignalVia; readonly atUtc: string } | undefined;
  /** With anchors: its latest signal names only retired or revoked keys. */
  readonly onlyRetiredOrRevoked?: boolean;
}

export interface TelemetrySummary {
  /** dnstap events read, and those that were queries. */
  readonly events: number;
  readonly queries: number;
  /** Queries carrying a root signal (a `_ta-` query or an edns-key-tag option, counted once). */
  readonly signals: number;
  /** `_ta-` queries for trust anchors other than the root's (not read further). */
  readonly otherAnchorSignals: number;
  readonly firstSeenUtc: string | undefined;
  readonly lastSeenUtc: string | undefined;
  /** Resolvers that sent a root signal. */
  readonly signallingResolvers: number;
  readonly keyTags: readonly {
    readonly keyTag: number;
    readonly resolvers: number;
    /** Of the signalling resolvers, the share (0-1) that signal this tag. */
    readonly share: number;
    readonly signals: number;
    readonly firstSeenUtc: string;
    readonly lastSeenUtc: string;
    readonly anchor?: AnchorStanding;
  }[];
  readonly resolvers: readonly ResolverTelemetry[];
  readonly anchors?: { readonly file: string; readonly atUtc: string; readonly onlyRetiredOrRevoked: readonly string[] };
}

interface TagState {
  via: Set<SignalVia>;
  signals: number;
  first: number | undefined;
  last: number | undefined;
}

interface ResolverState {
  queries: number;
  signals: number;
  tags: Map<number, TagState>;
  latest: { keyTags: number[]; via: SignalVia; at: number | undefined } | undefined;
}

const utc = (epochSeconds: number) => new Date(Math.round(epochSeconds * 1000)).toISOString();

/** Tag standings in a root-anchors.xml at a time; `revokedKeyTags` adds keys known revoked (e.g. from the served DNSKEY RRset). */
export function anchorView(doc: TrustAnchorDocument, file: string, atEpochSeconds: number, revokedKeyTags: readonly number[] = []): AnchorView {
  const standing = new Map<number, Exclude<AnchorStanding, "not in the anchors">>();
  for (const kd of doc.keyDigests) {
    const s = isValidAt(kd, atEpochSeconds) ? "valid" : kd.validFromEpochSeconds > atEpochSeconds ? "pending" : "retired";
    // A tag with one KeyDigest valid and another not is valid: a resolver signalling it is current.
    if (standing.get(kd.keyTag) !== "valid") standing.set(kd.keyTag, s);
    const dnskey = keyDigestDnskey(kd);
    // RFC 5011 §2.1: the REVOKE bit changes the tag; that tag signalled means the revoked key.
    if (dnskey) standing.set(revokedKeyTag(dnskey), "revoked");
  }
  for (const tag of revokedKeyTags) standing.set(tag, "revoked");
  return { file, atEpochSeconds, standing };
}

const QUERY_TYPES = new Set(["AUTH_QUERY", "CLIENT_QUERY", "RESOLVER_QUERY", "FORWARDER_QUERY", "STUB_QUERY", "TOOL_QUERY"]);

export class TelemetryCollector {
  private events = 0;
  private queries = 0;
  private signals = 0;
  private otherAnchorSignals = 0;
  private first: number | undefined;
  private last: number | undefined;
  private readonly resolvers = new Map<string, ResolverState>();

  /** Count one event; a query that does not parse is an input error (the caller names the frame). */
  add(event: DnstapEvent): void {
    this.events++;
    if (!QUERY_TYPES.has(event.messageType) || event.queryMessageBytes === undefined) return;
    const s = querySignals(event.queryMessageBytes);
    this.queries++;
    const at = event.queryTimeEpochSeconds;
    if (at !== undefined) {
      this.first = Math.min(this.first ?? at, at);
      this.last = Math.max(this.last ?? at, at);
    }
    const address = event.queryAddress ?? "(no address)";
    let r = this.resolvers.get(address);
    if (!r) {
      r = { queries: 0, signals: 0, tags: new Map(), latest: undefined };
      this.resolvers.set(address, r);
    }
    r.queries++;
    if (s.otherAnchor !== undefined) this.otherAnchorSignals++;
    if (s.taQuery === undefined && s.ednsKeyTags === undefined) return;
    this.signals++;
    r.signals++;
    for (const [via, tags] of [
      ["ta-query", s.taQuery],
      ["edns-key-tag", s.ednsKeyTags],
    ] as const) {
      if (tags === undefined) continue;
      for (const tag of new Set(tags)) {
        let t = r.tags.get(tag);
        if (!t) {
          t = { via: new Set(), signals: 0, first: undefined, last: undefined };
          r.tags.set(tag, t);
        }
        t.via.add(via);
        t.signals++;
        if (at !== undefined) {
          t.first = Math.min(t.first ?? at, at);
          t.last = Math.max(t.last ?? at, at);
        }
      }
      // The latest signal: a dnstap file is in time order; a tie keeps the later event.
      const previous = r.latest?.at;
      if (previous === undefined || at === undefined || at >= previous) r.latest = { keyTags: [...new Set(tags)].sort((a, b) => a - b), via, at };
    }
  }

  summary(anchors?: AnchorView): TelemetrySummary {
    const standing = (tag: number): AnchorStanding | undefined => (anchors ? (anchors.standing.get(tag) ?? "not in the anchors") : undefined);
    const time = (t: number | undefined) => (t === undefined ? "" : utc(t));
    const withStanding = (tag: number) => {
      const s = standing(tag);
      return s === undefined ? {} : { anchor: s };
    };
    const resolvers: ResolverTelemetry[] = [...this.resolvers]
      .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
      .map(([address, r]) => {
        const latest = r.latest && { keyTags: r.latest.keyTags, via: r.latest.via, atUtc: time(r.latest.at) };
        const behind = latest?.keyTags.every((t) => standing(t) === "retired" || standing(t) === "revoked") ?? false;
        return {
          address,
          queries: r.queries,
          signals: r.signals,
          keyTags: [...r.tags]
            .sort(([a], [b]) => a - b)
            .map(([keyTag, t]) => ({
              keyTag,
              via: [...t.via].sort(),
              signals: t.signals,
              firstSeenUtc: time(t.first),
              lastSeenUtc: time(t.last),
              ...withStanding(keyTag),
            })),
          latest,
          ...(anchors ? { onlyRetiredOrRevoked: behind } : {}),
        };
      });
    const signalling = resolvers.filter((r) => r.signals > 0);
    const tags = new Map<number, { resolvers: number; signals: number; first: string; last: string }>();
    for (const r of signalling) {
      for (const t of r.keyTags) {
        const x = tags.get(t.keyTag);
        if (!x) tags.set(t.keyTag, { resolvers: 1, signals: t.signals, first: t.firstSeenUtc, last: t.lastSeenUtc });
        else {
          x.resolvers++;
          x.signals += t.signals;
          if (t.firstSeenUtc !== "" && (x.first === "" || t.firstSeenUtc < x.first)) x.first = t.firstSeenUtc;
          if (t.lastSeenUtc > x.last) x.last = t.lastSeenUtc;
        }
      }
    }
    return {
      events: this.events,
      queries: this.queries,
      signals: this.signals,
      otherAnchorSignals: this.otherAnchorSignals,
      firstSeenUtc: this.first === undefined ? undefined : utc(this.first),
      lastSeenUtc: this.last === undefined ? undefined : utc(this.last),
      signallingResolvers: signalling.length,
      keyTags: [...tags]
        .sort(([a], [b]) => a - b)
        .map(([keyTag, x]) => ({
          keyTag,
          resolvers: x.resolvers,
          share: x.resolvers / signalling.length,
          signals: x.signals,
          firstSeenUtc: x.first,
          lastSeenUtc: x.last,
          ...withStanding(keyTag),
        })),
      resolvers,
      ...(anchors
        ? {
            anchors: {
              file: anchors.file,
              atUtc: utc(anchors.atEpochSeconds),
              onlyRetiredOrRevoked: resolvers.filter((r) => r.onlyRetiredOrRevoked).map((r) => r.address),
            },
          }
        : {}),
    };
  }
}

const percent = (share: number) => `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)}%`;

/** The summary for people: overall, per key tag, per resolver. */
export function formatTelemetry(s: TelemetrySummary): string {
  const lines = [
    `${s.events} dnstap events, ${s.queries} queries, ${s.signals} with RFC 8145 root key-tag signals from ${s.signallingResolvers} resolver${s.signallingResolvers === 1 ? "" : "s"}` +
      (s.firstSeenUtc ? `, ${s.firstSeenUtc} to ${s.lastSeenUtc}` : ""),
  ];
  if (s.otherAnchorSignals > 0) lines.push(`${s.otherAnchorSignals} key-tag queries for other trust anchors than the root's (not counted)`);
  for (const t of s.keyTags) {
    lines.push(
      `key tag ${t.keyTag}${t.anchor ? ` (${t.anchor})` : ""}: ${t.resolvers} of ${s.signallingResolvers} resolvers (${percent(t.share)}), ${t.signals} signals, ${t.firstSeenUtc} to ${t.lastSeenUtc}`,
    );
  }
  for (const r of s.resolvers) {
    const tags = r.keyTags.map((t) => `${t.keyTag}${t.anchor ? ` ${t.anchor}` : ""} [${t.via.join(", ")}] ×${t.signals} ${t.firstSeenUtc} to ${t.lastSeenUtc}`);
    lines.push(
      `resolver ${r.address}: ${r.queries} queries, ${r.signals} signals${r.latest ? `; latest ${r.latest.atUtc}: ${r.latest.keyTags.join(", ")}` : "; no signal"}` +
        `${r.onlyRetiredOrRevoked ? " — signals only retired or revoked keys" : ""}`,
      ...tags.map((t) => `  ${t}`),
    );
  }
  if (s.anchors) {
    const behind = s.anchors.onlyRetiredOrRevoked;
    lines.push(
      behind.length === 0
        ? `every signalling resolver names a key ${s.anchors.file} does not retire (at ${s.anchors.atUtc})`
        : `${behind.length} resolver${behind.length === 1 ? " signals" : "s signal"} only keys retired or revoked in ${s.anchors.file} at ${s.anchors.atUtc}: ${behind.join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
