/**
 * Quarters and the root's slot timetable. A KSR covers one calendar quarter with
 * nine bundles ("slots") whose inceptions fall at 00:00 UTC, `bundle_interval` (10 days) apart
 * from the quarter's first day. The last bundle is anchored to the *next* quarter instead: it
 * starts `validity - interval` (21 - 10 = 11 days) before the next quarter begins, so its
 * signatures expire exactly one interval into the next quarter, when the next KSR's second bundle
 * takes over. That is what every real root KSR does: ksr-root-2010-q1 and skr-root-2017-q1 end on
 * 03-21 (a 90-day quarter, last interval 9 days), ksr-root-2017-q2 on 06-20 (91 days, 10),
 * ksr-root-2016-q3 on 09-20 (92 days, 11) — which is why the policy allows intervals of 9 to 11
 * days and a first-to-last inception of 79 to 81 days, and why the overlap with the next KSR's
 * first bundle is always the same 10 days.
 */
import { KskError } from "@ksk/core";

export interface Quarter {
  readonly year: number;
  readonly quarter: 1 | 2 | 3 | 4;
}

export interface SlotTimes {
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
}

/** `2027Q1`, `2027-Q1` or `2027q1`. */
export function parseQuarter(text: string): Quarter {
  const m = /^(\d{4})-?[Qq]([1-4])$/.exec(text.trim());
  if (!m) throw new KskError("usage", "USAGE-QUARTER", `quarter "${text}" is not of the form 2027Q1`);
  return { year: Number(m[1]), quarter: Number(m[2]) as Quarter["quarter"] };
}

export function formatQuarter(q: Quarter): string {
  return `${q.year}Q${q.quarter}`;
}

export function quarterStartEpochSeconds(q: Quarter): number {
  return Date.UTC(q.year, (q.quarter - 1) * 3, 1) / 1000;
}

export function nextQuarter(q: Quarter): Quarter {
  return q.quarter === 4 ? { year: q.year + 1, quarter: 1 } : { year: q.year, quarter: (q.quarter + 1) as Quarter["quarter"] };
}

/** The quarter a time falls in. */
export function quarterOf(epochSeconds: number): Quarter {
  const d = new Date(epochSeconds * 1000);
  return { year: d.getUTCFullYear(), quarter: (Math.floor(d.getUTCMonth() / 3) + 1) as Quarter["quarter"] };
}

/** The quarter's bundle times (see the module comment for the last bundle's anchoring). */
export function quarterSlots(q: Quarter, options: { bundleCount: number; intervalSeconds: number; validitySeconds: number }): SlotTimes[] {
  const { bundleCount, intervalSeconds, validitySeconds } = options;
  if (bundleCount < 2) throw new KskError("input", "POLICY-INVALID", `a KSR needs at least 2 bundles; the policy asks for ${bundleCount}`);
  if (validitySeconds <= intervalSeconds) {
    throw new KskError("input", "POLICY-INVALID", "the signature validity must exceed the bundle interval, or consecutive bundles would not overlap");
  }
  const start = quarterStartEpochSeconds(q);
  const slots: SlotTimes[] = [];
  for (let i = 0; i < bundleCount - 1; i++) {
    const inception = start + i * intervalSeconds;
    slots.push({ inceptionEpochSeconds: inception, expirationEpochSeconds: inception + validitySeconds });
  }
  const lastInception = quarterStartEpochSeconds(nextQuarter(q)) - (validitySeconds - intervalSeconds);
  const before = slots[slots.length - 1] as SlotTimes;
  if (lastInception <= before.inceptionEpochSeconds) {
    throw new KskError("input", "POLICY-INVALID", `${bundleCount} bundles ${intervalSeconds / 86400} days apart do not fit in ${formatQuarter(q)}`);
  }
  slots.push({ inceptionEpochSeconds: lastInception, expirationEpochSeconds: lastInception + validitySeconds });
  return slots;
}
