/**
 * What every RDATA codec shares: a cursor over presentation tokens (`Fields`) and one over wire
 * octets (`Reader`), bounded integers, and names inside RDATA. Every fault is an input error naming
 * the type and field.
 *
 * Left out: the codecs (./rdata-*.ts).
 */
import { inputError } from "./errors.js";
import { type Name, nameFromWire, parseName } from "./name.js";
import type { Token } from "./rdata-types.js";

export class Fields {
  private index = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly kind: string,
  ) {}
  next(field: string): string {
    const token = this.tokens[this.index++];
    if (token === undefined) throw inputError("RDATA-MISSING", `${this.kind} ${field}: missing`);
    return token.text;
  }
  /** All remaining tokens joined (base64 and hex may be split by spaces). */
  rest(field: string, allowEmpty = false): string {
    const rest = this.tokens
      .slice(this.index)
      .map((t) => t.text)
      .join("");
    this.index = this.tokens.length;
    if (!allowEmpty && rest.length === 0) throw inputError("RDATA-MISSING", `${this.kind} ${field}: missing`);
    return rest;
  }
  remaining(): readonly Token[] {
    const rest = this.tokens.slice(this.index);
    this.index = this.tokens.length;
    return rest;
  }
  end(): void {
    if (this.index < this.tokens.length) {
      throw inputError("RDATA-EXTRA", `${this.kind}: unexpected extra field "${this.tokens[this.index]?.text}"`);
    }
  }
}

export function parseInteger(text: string, bits: 8 | 16 | 32, field: string): number {
  if (!/^\d+$/.test(text)) throw inputError("RDATA-NUMBER", `${field}: "${text}" is not a non-negative integer`);
  const value = Number(text);
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (value > max) throw inputError("RDATA-NUMBER", `${field}: ${text} does not fit in ${bits} bits`);
  return value;
}

export class Reader {
  at = 0;
  constructor(
    readonly data: Uint8Array,
    readonly kind: string,
  ) {}
  need(n: number, field: string): void {
    if (this.at + n > this.data.length) {
      throw inputError("WIRE-TRUNCATED", `${this.kind} ${field}: needs ${n} octets at octet ${this.at}, only ${this.data.length - this.at} left`);
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.data[this.at++] as number;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = ((this.data[this.at] as number) << 8) | (this.data[this.at + 1] as number);
    this.at += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const d = this.data;
    const v = (((d[this.at] as number) << 24) >>> 0) + ((d[this.at + 1] as number) << 16) + ((d[this.at + 2] as number) << 8) + (d[this.at + 3] as number);
    this.at += 4;
    return v;
  }
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.data.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  rest(): Uint8Array {
    const out = this.data.slice(this.at);
    this.at = this.data.length;
    return out;
  }
  name(field: string): Name {
    try {
      const { name, end } = nameFromWire(this.data, this.at);
      this.at = end;
      return name;
    } catch (e) {
      throw inputError("WIRE-NAME", `${this.kind} ${field}: ${(e as Error).message}`);
    }
  }
  end(): void {
    if (this.at !== this.data.length) {
      throw inputError("WIRE-EXTRA", `${this.kind}: ${this.data.length - this.at} unexpected octets after the RDATA fields`);
    }
  }
}

export function parseNameField(text: string, origin: Name | undefined, field: string): Name {
  try {
    return parseName(text, origin);
  } catch (e) {
    throw inputError("RDATA-NAME", `${field}: ${(e as Error).message}`);
  }
}
