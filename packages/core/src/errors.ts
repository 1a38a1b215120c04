/**
 * The one error type of the toolkit.
 *
 * Every failure carries a `kind` (which decides the CLI exit code, and nothing else does), a
 * `code` (a check code from ./checks.ts or a short input-error code such as NAME-LABEL-LENGTH),
 * and `where` — the subject the operator must look at: `file:line`, an XML element path, a
 * bundle id, a key tag. The message says what is wrong, in one line.
 */

/** What kind of failure this is; the CLI maps each to one documented exit code. */
export type ErrorKind =
  /** A verification or policy check failed (exit 1). */
  | "check"
  /** The command line is wrong (exit 2). */
  | "usage"
  /** Input is unreadable or malformed (exit 3). */
  | "input"
  /** The keystore or HSM failed: missing module, token, key, wrong PIN (exit 4). */
  | "keystore"
  /** Refused by policy or by the operator: no "Yes", an output that exists (exit 5). */
  | "refused";

export interface KskErrorOptions {
  /** Where the problem is: `file:line`, `KSR/Request/RequestBundle[3]/Key[1]`, `bundle 5a2c…`. */
  where?: string;
  cause?: unknown;
}

export class KskError extends Error {
  override readonly name = "KskError";
  readonly kind: ErrorKind;
  readonly code: string;
  readonly where: string | undefined;
  /** The message without the `where:` prefix. */
  readonly detail: string;

  constructor(kind: ErrorKind, code: string, detail: string, options: KskErrorOptions = {}) {
    super(options.where ? `${options.where}: ${detail}` : detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.where = options.where;
    this.detail = detail;
  }

  /** The same error with an outer location put in front (e.g. a file name before a line number). */
  within(outer: string): KskError {
    const where = this.where ? `${outer}:${this.where}` : outer;
    return new KskError(this.kind, this.code, this.detail, { where, cause: this.cause });
  }
}

/**
 * Run `check`; a KskError it throws is reported at `where` (a file, a record's `file:line`), put
 * in front of the error's own location unless that already begins with it.
 */
export function checkAt<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw e instanceof KskError && !e.where?.startsWith(where) ? e.within(where) : e;
  }
}

/** Malformed input: a bad name, bad base64, truncated wire data, an unknown algorithm. */
export function inputError(code: string, detail: string, where?: string): KskError {
  return new KskError("input", code, detail, where === undefined ? {} : { where });
}

export function isKskError(e: unknown): e is KskError {
  return e instanceof KskError;
}
