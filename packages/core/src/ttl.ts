/**
 * TTLs and time intervals in zone files: seconds or BIND's unit form (`1h30m`, `2W`), and the one
 * largest TTL (RFC 2181 §8) every reader of TTLs holds to.
 *
 * Left out: RRSIG times and ISO 8601 (./time.ts).
 */
import { inputError } from "./errors.js";
import { parseInteger } from "./rdata-fields.js";

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * The largest TTL: RFC 2181 §8 limits TTLs to 0..2^31-1 seconds (the top bit of the 32-bit field is
 * never set). One rule for every reader of TTLs: zone files, `$TTL`, and the KSR/SKR XML.
 */
export const MAX_TTL_SECONDS = 0x7fffffff;

/** Is `value` a TTL RFC 2181 §8 allows? */
export function isValidTtl(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_TTL_SECONDS;
}

/** A TTL (RFC 2181 §8: at most 2^31-1): seconds, or BIND's unit form such as `1h30m` or `2W`. */
export function parseTtl(text: string, field = "TTL"): number {
  const total = parseTimeInterval(text, field);
  if (total > MAX_TTL_SECONDS) throw inputError("BAD-TTL", `${field}: ${text} is over ${MAX_TTL_SECONDS}, the largest TTL (RFC 2181 §8)`);
  return total;
}

/** A 32-bit time interval (SOA REFRESH, RETRY, EXPIRE): seconds or BIND's unit form. */
export function parseTimeInterval(text: string, field: string): number {
  if (/^\d+$/.test(text)) return parseInteger(text, 32, field);
  const m = /^(?:\d+[smhdwSMHDW])+$/.exec(text);
  if (!m) throw inputError("BAD-TTL", `${field}: "${text}" is not a number of seconds or a value like 1h30m`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdwSMHDW])/g)) {
    total += Number(n) * (TTL_UNITS[(unit as string).toLowerCase()] as number);
  }
  if (total > 0xffffffff) throw inputError("BAD-TTL", `${field}: ${text} does not fit in 32 bits`);
  return total;
}
