/**
 * Domain names (RFC 1035 §2.3.4, §3.1, §5.1; RFC 4034 §6.1–6.2).
 *
 * A `Name` is its list of labels as raw octets, root last implied (the root is the empty list).
 * Presentation form follows RFC 1035 §5.1 escapes (`\.`, `\\`, `\DDD`). Wire form here is always
 * uncompressed; the canonical form lowercases ASCII letters (RFC 4034 §6.2). Limits: a label is at
 * most 63 octets and a name at most 255 octets on the wire (RFC 1035 §2.3.4).
 * Not implemented: IDNA conversion (names are octets; the root zone needs none).
 */
import { KskError, inputError } from "./errors.js";
import { previewText } from "./terminal-text.js";

export interface Name {
  readonly labels: readonly Uint8Array[];
}

export const ROOT: Name = Object.freeze({ labels: Object.freeze([]) as readonly Uint8Array[] });

const MAX_LABEL_OCTETS = 63;
const MAX_NAME_OCTETS = 255;

export function nameFromLabels(labels: readonly Uint8Array[]): Name {
  let wireLength = 1;
  for (const [i, label] of labels.entries()) {
    if (label.length === 0) throw inputError("NAME-EMPTY-LABEL", `label ${i + 1} is empty`);
    if (label.length > MAX_LABEL_OCTETS) {
      throw inputError("NAME-LABEL-LENGTH", `label ${i + 1} is ${label.length} octets; at most ${MAX_LABEL_OCTETS} allowed`);
    }
    wireLength += label.length + 1;
  }
  if (wireLength > MAX_NAME_OCTETS) {
    throw inputError("NAME-LENGTH", `name is ${wireLength} octets on the wire; at most ${MAX_NAME_OCTETS} allowed`);
  }
  return { labels };
}

/**
 * Parse a name in presentation form. A name not ending in an unescaped dot is relative and gets
 * `origin` appended; with no origin a relative name is an error. `@` is the origin.
 */
export function parseName(text: string, origin?: Name): Name {
  if (text === "@") {
    if (!origin) throw inputError("NAME-RELATIVE", `"@" used with no origin`);
    return origin;
  }
  if (text === ".") return ROOT;
  if (text.length === 0) throw inputError("NAME-EMPTY", "empty name");
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  let absolute = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (current.length === 0) throw inputError("NAME-EMPTY-LABEL", `empty label in name "${text}"`);
      labels.push(Uint8Array.from(current));
      current = [];
      if (i === text.length - 1) absolute = true;
    } else if (c === 0x5c /* \ */) {
      const next = text.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(next)) {
        const value = Number(next);
        if (value > 255) throw inputError("NAME-ESCAPE", `escape \\${next} is over 255 in name "${text}"`);
        current.push(value);
        i += 3;
      } else if (/^[0-9]/.test(next)) {
        // RFC 1035 §5.1: a backslash before a digit starts \DDD; "\1b" is not "1b".
        throw inputError("NAME-ESCAPE", `escape \\${next} at character ${i + 1} is not three decimal digits in name "${text}"`);
      } else if (i + 1 < text.length) {
        current.push(text.charCodeAt(i + 1));
        i += 1;
      } else {
        throw inputError("NAME-ESCAPE", `name "${text}" ends in a lone backslash`);
      }
    } else {
      if (c > 0x7e || c < 0x21) throw inputError("NAME-CHARACTER", `character U+${c.toString(16).padStart(4, "0")} must be escaped in name "${text}"`);
      current.push(c);
    }
  }
  if (current.length > 0) labels.push(Uint8Array.from(current));
  if (!absolute && !origin) throw inputError("NAME-RELATIVE", `name "${text}" is relative and there is no origin`);
  try {
    return nameFromLabels(absolute || !origin ? labels : [...labels, ...origin.labels]);
  } catch (e) {
    // Say which name broke the limit: the label number alone does not find it in a zone file.
    if (e instanceof KskError) throw inputError(e.code, `${e.detail} in name "${previewText(text, 80)}"`);
    throw e;
  }
}

/**
 * The presentation text of each label octet (RFC 1035 §5.1): the octets with a meaning in a zone
 * file (`.` `\` `"` `(` `)` `;` `@` `$`) after a backslash, other printable ASCII as is, anything
 * else as `\DDD`. The one table both nameToString and the wire-form printer (./wire-text.ts) use.
 */
const LABEL_OCTET_TEXT: readonly string[] = Array.from({ length: 256 }, (_, octet) => {
  if (octet === 0x2e || octet === 0x5c || octet === 0x22 || octet === 0x28 || octet === 0x29 || octet === 0x3b || octet === 0x40 || octet === 0x24) {
    return `\\${String.fromCharCode(octet)}`;
  }
  if (octet < 0x21 || octet > 0x7e) return `\\${octet.toString().padStart(3, "0")}`;
  return String.fromCharCode(octet);
});

/** How one label octet appears in a name's presentation form (see LABEL_OCTET_TEXT). */
export function labelOctetText(octet: number): string {
  return LABEL_OCTET_TEXT[octet & 0xff] as string;
}

/** Presentation form, absolute (trailing dot), with RFC 1035 §5.1 escapes. */
export function nameToString(name: Name): string {
  if (name.labels.length === 0) return ".";
  let out = "";
  for (const label of name.labels) {
    for (const octet of label) out += LABEL_OCTET_TEXT[octet] as string;
    out += ".";
  }
  return out;
}

function lowerOctet(octet: number): number {
  return octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet;
}

/** Uncompressed wire form; `canonical` lowercases ASCII letters (RFC 4034 §6.2). */
export function nameToWire(name: Name, canonical = false): Uint8Array {
  let length = 1;
  for (const label of name.labels) length += label.length + 1;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const label of name.labels) {
    out[offset++] = label.length;
    for (const octet of label) out[offset++] = canonical ? lowerOctet(octet) : octet;
  }
  out[offset] = 0;
  return out;
}

/**
 * Read an uncompressed name from wire data at `offset`. Compression pointers are refused: DNSSEC
 * RDATA and KSR data never carry them (RFC 4034 §6.2), and a stray pointer means corrupt data.
 */
export function nameFromWire(data: Uint8Array, offset: number): { name: Name; end: number } {
  const labels: Uint8Array[] = [];
  let at = offset;
  for (;;) {
    if (at >= data.length) throw inputError("WIRE-TRUNCATED", `name at octet ${offset} runs past the end of the data`);
    const length = data[at] ?? 0;
    if (length === 0) {
      at += 1;
      break;
    }
    if (length > MAX_LABEL_OCTETS) {
      throw inputError("WIRE-NAME", `label length octet ${length} at octet ${at} is a compression pointer or invalid`);
    }
    if (at + 1 + length > data.length) throw inputError("WIRE-TRUNCATED", `label at octet ${at} runs past the end of the data`);
    labels.push(data.slice(at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { name: nameFromLabels(labels), end: at };
}

/** RRSIG Labels field value: labels excluding the root and a leading wildcard (RFC 4034 §3.1.3). */
export function rrsigLabelCount(name: Name): number {
  const first = name.labels[0];
  const wildcard = first !== undefined && first.length === 1 && first[0] === 0x2a;
  return name.labels.length - (wildcard ? 1 : 0);
}

/** Canonical name order (RFC 4034 §6.1): compare label by label from the root, lowercased. */
export function compareNames(a: Name, b: Name): number {
  const la = a.labels;
  const lb = b.labels;
  let i = la.length - 1;
  let j = lb.length - 1;
  while (i >= 0 && j >= 0) {
    const c = compareLabels(la[i] as Uint8Array, lb[j] as Uint8Array);
    if (c !== 0) return c;
    i--;
    j--;
  }
  return la.length - lb.length;
}

function compareLabels(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const d = lowerOctet(a[k] as number) - lowerOctet(b[k] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function namesEqual(a: Name, b: Name): boolean {
  return a === b || compareNames(a, b) === 0;
}

export function isRoot(name: Name): boolean {
  return name.labels.length === 0;
}

/** Is `name` equal to or below `ancestor`? */
export function isSubdomain(name: Name, ancestor: Name): boolean {
  const n = name.labels.length;
  const m = ancestor.labels.length;
  if (m > n) return false;
  for (let k = 1; k <= m; k++) {
    if (compareLabels(name.labels[n - k] as Uint8Array, ancestor.labels[m - k] as Uint8Array) !== 0) return false;
  }
  return true;
}
