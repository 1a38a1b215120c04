/**
 * UTC times and durations.
 *
 * - ISO 8601 date-times as found in KSR/SKR files and root-anchors.xml: naive (read as UTC), `Z`
 *   or `+00:00`. Any other offset is refused: the root's files are all UTC and a local offset
 *   in one would be a sign of a broken producer.
 * - RRSIG times (RFC 4034 §3.2): `YYYYMMDDHHmmSS` in UTC, or a decimal number of seconds. On the
 *   wire they are 32-bit serial numbers (RFC 1982); here they are plain epoch seconds, exact until
 *   2106.
 * - Durations (ISO 8601, as `xsd:duration` in KSRs): weeks, days, hours, minutes and seconds.
 *   Years and months are refused because their length depends on the calendar.
 * Nothing here reads the clock: `now` is always a parameter.
 */
import { inputError } from "./errors.js";

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/** Parse an ISO 8601 UTC date-time to epoch seconds. */
export function parseIsoUtc(text: string, field = "time"): number {
  const trimmed = text.trim();
  const m = ISO_RE.exec(trimmed);
  if (!m) throw inputError("BAD-TIME", `${field}: "${trimmed}" is not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS[Z|+00:00])`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  if (zone !== undefined && zone !== "Z" && zone !== "+00:00" && zone !== "-00:00") {
    throw inputError("BAD-TIME", `${field}: "${trimmed}" has offset ${zone}; only UTC (Z or +00:00) is accepted`);
  }
  if (fraction !== undefined && /[^0]/.test(fraction)) {
    throw inputError("BAD-TIME", `${field}: "${trimmed}" has fractional seconds`);
  }
  return fromParts(field, trimmed, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
}

function fromParts(field: string, text: string, y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  ) {
    throw inputError("BAD-TIME", `${field}: "${text}" is not a real date and time`);
  }
  return ms / 1000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function partsOf(epochSeconds: number): [number, number, number, number, number, number] {
  if (!Number.isInteger(epochSeconds)) throw new RangeError(`epoch seconds must be an integer: ${epochSeconds}`);
  const t = new Date(epochSeconds * 1000);
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
}

/** `2017-04-01T00:00:00+00:00` — the canonical form of KSR/SKR files and root-anchors.xml. */
export function formatIsoUtc(epochSeconds: number): string {
  const [y, mo, d, h, mi, s] = partsOf(epochSeconds);
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}+00:00`;
}

/** `2017-04-01T00:00:00Z` — for JSON output and reports. */
export function formatIsoZ(epochSeconds: number): string {
  return `${formatIsoUtc(epochSeconds).slice(0, 19)}Z`;
}

const RRSIG_TIME_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** RRSIG time field (RFC 4034 §3.2): YYYYMMDDHHmmSS, or decimal seconds (which must fit 32 bits). */
export function parseRrsigTime(text: string, field = "RRSIG time"): number {
  const m = RRSIG_TIME_RE.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s] = m;
    const seconds = fromParts(field, text, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
    // The wire field is 32 bits of seconds since 1970: a date outside 1970-01-01..2106-02-07 would
    // be silently wrapped to another date when encoded.
    if (seconds < 0 || seconds > 0xffffffff) {
      throw inputError("BAD-TIME", `${field}: "${text}" is outside 1970-01-01T00:00:00Z..2106-02-07T06:28:15Z, the range of the 32-bit field`);
    }
    return seconds;
  }
  if (/^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  throw inputError("BAD-TIME", `${field}: "${text}" is neither YYYYMMDDHHmmSS nor seconds since 1970`);
}

export function formatRrsigTime(epochSeconds: number): string {
  const [y, mo, d, h, mi, s] = partsOf(epochSeconds);
  return `${pad(y, 4)}${pad(mo)}${pad(d)}${pad(h)}${pad(mi)}${pad(s)}`;
}

/** A time given by a person on a command line: ISO 8601 UTC, RRSIG form, or `@epochSeconds`. */
export function parseTimeArgument(text: string, field = "time"): number {
  if (/^@\d+$/.test(text)) {
    const seconds = Number(text.slice(1));
    if (!Number.isSafeInteger(seconds)) throw inputError("BAD-TIME", `${field}: "${text}" is too large a number of seconds`);
    return seconds;
  }
  if (/^\d{14}$/.test(text)) return parseRrsigTime(text, field);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parseIsoUtc(`${text}T00:00:00Z`, field);
  return parseIsoUtc(text, field);
}

const DURATION_RE = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * The longest duration accepted: 10 years of 366 days. Every interval of a KSK policy (signature
 * validity, overlaps, safety margins, cycle lengths) is days to months; anything longer is a typo,
 * and an unbounded value (P99999999999999999999D) would lose precision and be written into an SKR.
 */
export const MAX_DURATION_SECONDS = 10 * 366 * 86400;

/**
 * ISO 8601 duration to seconds: `P21D`, `PT0S`, `P1W`, `P1DT12H`. Years and months are refused,
 * and so is anything over MAX_DURATION_SECONDS.
 */
export function parseDuration(text: string, field = "duration"): number {
  const trimmed = text.trim();
  // A Y, or an M before the T, is a calendar unit (an M after the T is minutes).
  if (/^P[^T]*[YM]/.test(trimmed)) {
    throw inputError("BAD-DURATION", `${field}: "${trimmed}" uses years or months, whose length varies; use days`);
  }
  const m = DURATION_RE.exec(trimmed);
  if (!m) throw inputError("BAD-DURATION", `${field}: "${trimmed}" is not an ISO 8601 duration such as P21D or PT1H`);
  const [, w, d, h, mi, s] = m;
  const seconds = Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
  if (!(seconds <= MAX_DURATION_SECONDS)) {
    throw inputError("BAD-DURATION", `${field}: "${trimmed}" is longer than ${MAX_DURATION_SECONDS / 86400} days (10 years); no policy interval is that long`);
  }
  return seconds;
}

/** Seconds to the shortest ISO 8601 duration in days/hours/minutes/seconds: 1814400 → `P21D`. */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`duration must be a non-negative integer: ${seconds}`);
  if (seconds === 0) return "PT0S";
  const days = Math.floor(seconds / 86400);
  let rest = seconds % 86400;
  const hours = Math.floor(rest / 3600);
  rest %= 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest % 60;
  let out = "P";
  if (days) out += `${days}D`;
  if (hours || minutes || secs) {
    out += "T";
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (secs) out += `${secs}S`;
  }
  return out;
}

export const SECONDS_PER_DAY = 86400;
