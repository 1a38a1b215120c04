/**
 * Zone-file (master file) reader, RFC 1035 §5.1 with RFC 2308 §4 `$TTL`.
 *
 * Handles `$ORIGIN`, `$TTL`, parentheses spanning lines, `;` comments, quoted strings with escapes,
 * omitted owner (a line starting with blank space repeats the previous owner), omitted TTL and class
 * (in either order before the type), `@`, and TTL unit suffixes (`1h30m`, as BIND accepts).
 * A record without a TTL (RFC 1035 §5.1 lets it be omitted) takes the `$TTL` in force, else the
 * previous record's TTL, else the caller's `fallbackTtlSeconds` — as dnssec-dsfromkey and
 * ldns-key2ds read BIND's and ldns's `.key` files, which have neither. With no fallback it is an error.
 * It is line-driven so callers can stream large files: feed lines to `ZoneReader.line()` and collect
 * the records, or use `parseZone()` on a whole text. `loadZoneWire`'s fast path (./zone-wire-fast.ts)
 * reads plain lines itself and hands the state over between entries (`position`, `resumeAfter`).
 * `$INCLUDE` (RFC 1035 §5.1) is handed to the caller's `onInclude` (./zone-loader.ts follows it
 * through a caller-given opener; core reads no files); without it, `$INCLUDE` is refused. `$GENERATE` (BIND only) is refused.
 * Errors are KskErrors whose `where` is `file:line`.
 */
import { KskError, inputError } from "./errors.js";
import { type Name, parseName } from "./name.js";
import { type Token, parseRdata, parseTtl } from "./rdata.js";
import { type RR, rrToString } from "./rr.js";
import { RRClass, classToString, lookupClass, lookupType } from "./rrtype.js";

export interface ZoneReaderOptions {
  /** Name used in error locations. */
  fileName?: string;
  /** Initial `$ORIGIN`; relative names are an error until one is known. */
  origin?: Name;
  /** Initial `$TTL`. */
  defaultTtlSeconds?: number;
  /** TTL for a record with none when there is no `$TTL` and no previous record (else an error). */
  fallbackTtlSeconds?: number;
  /** Told once, with the record's `file:line`, the first time the fallback TTL is used. */
  onFallbackTtl?: (where: string) => void;
  /** Called for `$INCLUDE file [origin]`; absent means `$INCLUDE` is refused. */
  onInclude?: (directive: IncludeDirective) => void;
}

/** An `$INCLUDE` line: the file as written, the origin the included file starts with, where it was. */
export interface IncludeDirective {
  readonly fileName: string;
  /** The directive's own origin, else the current `$ORIGIN` (RFC 1035 §5.1). */
  readonly origin: Name | undefined;
  readonly defaultTtlSeconds: number | undefined;
  /** `file:line` of the directive. */
  readonly where: string;
}

/** The reader's state between entries, for a second reader of the same file (see `position`). */
export interface ZoneReaderPosition {
  readonly origin: Name | undefined;
  readonly defaultTtlSeconds: number | undefined;
  readonly lastTtlSeconds: number | undefined;
  readonly lastOwner: Name | undefined;
}

interface PendingEntry {
  tokens: Token[];
  startsWithBlank: boolean;
  lineNumber: number;
}

/**
 * Streaming reader: call `line()` for each line (it returns the record the line completes, if
 * any; `entryWhere` says where that record began), then `end()`, which only checks that no entry
 * is left open (a record always ends at a line end, so none can complete there).
 */
export class ZoneReader {
  private readonly fileName: string;
  private origin: Name | undefined;
  private defaultTtl: number | undefined;
  private readonly fallbackTtl: number | undefined;
  private onFallbackTtl: ((where: string) => void) | undefined;
  private lastTtl: number | undefined;
  private lastOwner: Name | undefined;
  private ownerCache: { readonly text: string; readonly origin: Name | undefined; readonly name: Name } | undefined;
  private lineNumber = 0;
  private pending: PendingEntry | undefined;
  private depth = 0;
  private readonly onInclude: ((directive: IncludeDirective) => void) | undefined;
  private lastEntryLine = 0;

  constructor(options: ZoneReaderOptions = {}) {
    this.fileName = options.fileName ?? "zone";
    this.origin = options.origin;
    this.defaultTtl = options.defaultTtlSeconds;
    this.fallbackTtl = options.fallbackTtlSeconds;
    this.onFallbackTtl = options.onFallbackTtl;
    this.onInclude = options.onInclude;
  }

  /** `file:line` where the entry of the most recently returned record began (for later checks). */
  get entryWhere(): string {
    return `${this.fileName}:${this.lastEntryLine}`;
  }

  /** The line where the entry of the most recently returned record began. */
  get entryLine(): number {
    return this.lastEntryLine;
  }

  /** An entry is open (inside parentheses): the next line continues it. */
  get midEntry(): boolean {
    return this.pending !== undefined;
  }

  /**
   * What another reader of the same file takes over when it reads the next lines itself
   * (./zone-wire-fast.ts, the fast path of `loadZoneWire`); only directives change the origin and `$TTL`.
   */
  get position(): ZoneReaderPosition {
    return { origin: this.origin, defaultTtlSeconds: this.defaultTtl, lastTtlSeconds: this.lastTtl, lastOwner: this.lastOwner };
  }

  /** Continue after records another reader read (between entries): lines read, last TTL and owner. */
  resumeAfter(lineNumber: number, lastTtlSeconds: number | undefined, lastOwner: Name | undefined): void {
    this.lineNumber = lineNumber;
    this.lastTtl = lastTtlSeconds;
    this.lastOwner = lastOwner;
  }

  line(text: string): RR[] {
    this.lineNumber++;
    try {
      return this.consume(text);
    } catch (e) {
      const at = this.pending?.lineNumber ?? this.lineNumber;
      this.pending = undefined;
      this.depth = 0;
      throw this.located(e, at);
    }
  }

  end(): void {
    if (this.depth > 0 || this.pending?.tokens.length) {
      const at = this.pending?.lineNumber ?? this.lineNumber;
      throw inputError("ZONE-PAREN", "unclosed parenthesis at end of file", `${this.fileName}:${at}`);
    }
  }

  private located(e: unknown, lineNumber: number): KskError {
    if (e instanceof KskError) {
      return new KskError(e.kind, e.code, e.message, { where: `${this.fileName}:${lineNumber}`, cause: e });
    }
    throw e;
  }

  private consume(text: string): RR[] {
    const startsWithBlank = this.depth === 0 && /^[ \t]/.test(text);
    if (!this.pending) this.pending = { tokens: [], startsWithBlank, lineNumber: this.lineNumber };
    const entry = this.pending;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text[i] as string;
      if (c === " " || c === "\t" || c === "\r") {
        i++;
      } else if (c === ";") {
        break;
      } else if (c === "(") {
        this.depth++;
        i++;
      } else if (c === ")") {
        if (this.depth === 0) throw inputError("ZONE-PAREN", "')' without '('");
        this.depth--;
        i++;
      } else if (c === '"') {
        let j = i + 1;
        let value = "";
        for (;;) {
          if (j >= n) throw inputError("ZONE-QUOTE", "unterminated quoted string");
          const d = text[j] as string;
          if (d === "\\" && j + 1 < n) {
            value += d + (text[j + 1] as string);
            j += 2;
          } else if (d === '"') {
            break;
          } else {
            value += d;
            j++;
          }
        }
        entry.tokens.push({ text: value, quoted: true });
        i = j + 1;
      } else {
        // The token is the text up to the next delimiter, escapes kept as written (a backslash and
        // the character after it), so it is one slice of the line.
        let j = i;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 0x5c && j + 1 < n) {
            j += 2;
            continue;
          }
          if (d === 0x20 || d === 0x09 || d === 0x0d || d === 0x3b || d === 0x28 || d === 0x29 || d === 0x22) break;
          j++;
        }
        entry.tokens.push({ text: text.slice(i, j), quoted: false });
        i = j;
      }
    }
    if (this.depth > 0) return [];
    this.pending = undefined;
    if (entry.tokens.length === 0) return [];
    this.lastEntryLine = entry.lineNumber;
    const rr = this.entry(entry);
    return rr ? [rr] : [];
  }

  private entry(entry: PendingEntry): RR | undefined {
    const tokens = entry.tokens;
    const first = tokens[0] as Token;
    if (!entry.startsWithBlank && !first.quoted && first.text.startsWith("$")) {
      this.directive(first.text.toUpperCase(), tokens.slice(1));
      return undefined;
    }
    let index = 0;
    let owner: Name;
    if (entry.startsWithBlank) {
      if (!this.lastOwner) throw inputError("ZONE-OWNER", "record has no owner name and there is no previous owner");
      owner = this.lastOwner;
    } else {
      // A zone repeats its owner names line after line: the same text under the same origin is
      // the same name (names are immutable values).
      const cached = this.ownerCache;
      if (cached && cached.text === first.text && cached.origin === this.origin) {
        owner = cached.name;
      } else {
        owner = field("owner", () => parseName(first.text, this.origin));
        this.ownerCache = { text: first.text, origin: this.origin, name: owner };
      }
      index = 1;
    }
    let ttl: number | undefined;
    let cls: number | undefined;
    let type: number | undefined;
    // Up to two of TTL and CLASS, in either order, then the TYPE (RFC 1035 §5.1).
    while (index < tokens.length && type === undefined) {
      const token = tokens[index++] as Token;
      const lead = token.text.charCodeAt(0);
      if (!token.quoted && ttl === undefined && lead >= 0x30 && lead <= 0x39) {
        ttl = parseTtl(token.text);
        continue;
      }
      // (No class name starts with a digit, so a TTL-looking token is never one.)
      const asClass = token.quoted ? undefined : lookupClass(token.text);
      if (asClass !== undefined && cls === undefined) {
        cls = asClass;
      } else {
        type = token.quoted ? undefined : lookupType(token.text);
        if (type === undefined) throw inputError("ZONE-TYPE", `"${token.text}" is not a TTL, class or RR type`);
      }
    }
    if (type === undefined) throw inputError("ZONE-TYPE", "record has no RR type");
    if (cls !== undefined && cls !== RRClass.IN) throw inputError("ZONE-CLASS", `class ${classToString(cls)} is not supported; only IN`);
    if (ttl === undefined) ttl = this.defaultTtl ?? this.lastTtl;
    if (ttl === undefined && this.fallbackTtl !== undefined) {
      ttl = this.fallbackTtl;
      this.onFallbackTtl?.(`${this.fileName}:${entry.lineNumber}`);
      this.onFallbackTtl = undefined;
    }
    if (ttl === undefined) throw inputError("ZONE-TTL", "record has no TTL and there is no $TTL");
    this.lastTtl = ttl;
    this.lastOwner = owner;
    const rdata = parseRdata(type, tokens.slice(index), this.origin);
    return { owner, ttlSeconds: ttl, class: RRClass.IN, rdata };
  }

  private directive(name: string, args: readonly Token[]): void {
    switch (name) {
      case "$ORIGIN": {
        const value = args[0];
        if (!value || args.length !== 1) throw inputError("ZONE-DIRECTIVE", "$ORIGIN takes exactly one name");
        this.origin = field("$ORIGIN", () => parseName(value.text, this.origin));
        return;
      }
      case "$TTL": {
        const value = args[0];
        if (!value || args.length !== 1) throw inputError("ZONE-DIRECTIVE", "$TTL takes exactly one value");
        this.defaultTtl = parseTtl(value.text, "$TTL");
        return;
      }
      case "$INCLUDE": {
        if (!this.onInclude) throw inputError("ZONE-DIRECTIVE", "$INCLUDE is not supported here: give the included file directly");
        const file = args[0];
        if (!file || args.length > 2) throw inputError("ZONE-DIRECTIVE", "$INCLUDE takes a file name and an optional origin");
        const origin = args[1] ? field("$INCLUDE origin", () => parseName((args[1] as Token).text, this.origin)) : this.origin;
        this.onInclude({ fileName: file.text, origin, defaultTtlSeconds: this.defaultTtl, where: `${this.fileName}:${this.lineNumber}` });
        return;
      }
      default:
        throw inputError("ZONE-DIRECTIVE", `unknown directive ${name}`);
    }
  }
}

/** Run `parse`, putting the field's name in front of any input error's message. */
function field<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof KskError && e.kind === "input") throw inputError(e.code, `${name}: ${e.detail}`);
    throw e;
  }
}

/** Parse a whole zone text. */
export function parseZone(text: string, options: ZoneReaderOptions = {}): RR[] {
  const reader = new ZoneReader(options);
  const out: RR[] = [];
  for (const line of text.split("\n")) {
    for (const rr of reader.line(line)) out.push(rr);
  }
  reader.end();
  return out;
}

/** Parse a zone from an async stream of lines (e.g. node:readline over a file). */
export async function* readZone(lines: AsyncIterable<string> | Iterable<string>, options: ZoneReaderOptions = {}): AsyncGenerator<RR> {
  const reader = new ZoneReader(options);
  for await (const line of lines) yield* reader.line(line);
  reader.end();
}

/** Print records as a zone file, one record a line. */
export function formatZone(rrs: Iterable<RR>): string {
  let out = "";
  for (const rr of rrs) out += `${rrToString(rr)}\n`;
  return out;
}
