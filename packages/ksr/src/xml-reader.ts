/**
 * The strict, bounded reader of KSR/SKR XML (ksr.rnc; DESIGN.md §3).
 *
 * Built on fast-xml-parser with the hardened settings of TOOLCHAIN.md §7, in this order:
 *   1. size cap (1 MiB by default) on the bytes, before anything else looks at them;
 *   2. strict UTF-8 decoding (the schema's files are UTF-8; a different declared encoding is refused);
 *   3. any DOCTYPE or ENTITY declaration refused outright — KSRs need none, and refusing them
 *      closes entity expansion, billion laughs and external entities (XXE) at once; character
 *      references (`&#65;`) are refused too (none in real files; the parser would not decode them);
 *   4. `XMLValidator.validate` for well-formedness (the parser itself accepts `<KSR><a></KSR>`);
 *   5. parsing with attributes kept as strings, no value coercion, order preserved and
 *      character offsets captured (for line numbers in messages);
 *   6. a walk that follows the schema exactly: every element in its place and order, no unknown
 *      or repeated elements or attributes, attribute values in printable ASCII (so no XML 1.0
 *      §3.3.3 normalisation is ever needed), required fields present, text only in leaf elements,
 *      numbers in range, times in UTC, base64 strict (whitespace allowed, as real files wrap it).
 *
 * Accepted because real files contain them: times with no zone designator (read as UTC), `Z` or
 * `+00:00`; zero-padded key tags (`05145`); whitespace inside base64; unindented files; several
 * SignatureAlgorithm entries; optional Signer elements and `timestamp` attributes. A key whose
 * `keyTag` attribute disagrees with the tag computed from it is bad input: the file contradicts
 * itself, and which of the two a reader believes must not depend on the reader.
 *
 * The original bytes are returned untouched: they are what is hashed and shown to witnesses.
 * Not checked here: anything that is policy (counts, windows, signatures) — see ./checks.ts.
 */
import { KskError, MAX_TTL_SECONDS, base64ToBytes, parseDuration, parseIsoUtc, parseName, parseType } from "@ksk/core";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { AlgorithmPolicy, Bundle, BundleKey, BundleSignature, KsrDocument, SignaturePolicy } from "./model.js";
import { bundleKeyTag } from "./model.js";

export const DEFAULT_MAX_KSR_BYTES = 1024 * 1024;

export interface ParseKsrOptions {
  /** Shown in front of every error location. */
  readonly fileName?: string;
  /** Refuse larger inputs (default 1 MiB; real KSRs are about 20 KB). */
  readonly maxBytes?: number;
}

export interface ParsedKsr {
  readonly document: KsrDocument;
  /** The bytes exactly as read: hash these, never a re-serialisation. */
  readonly originalBytes: Uint8Array;
}

/** One element of the parsed tree, with its position for messages. */
interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly Element[];
  /** Concatenated character data directly inside the element. */
  readonly text: string;
  readonly path: string;
  readonly line: number | undefined;
}

/** Attribute values are limited to printable ASCII: no tab, CR, LF or other control characters. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Deepest element in the schema is KSR/Request/RequestPolicy/ZSK/SignatureAlgorithm/RSA (6). */
const MAX_DEPTH = 6;

export function parseKsrXml(bytes: Uint8Array, options: ParseKsrOptions = {}): ParsedKsr {
  const file = options.fileName ?? "KSR";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_KSR_BYTES;
  const fail = (code: string, detail: string, where?: string) => new KskError("input", code, detail, { where: where ? `${file}:${where}` : file });
  if (bytes.length > maxBytes) throw fail("KSR-XML-TOO-LARGE", `is ${bytes.length} bytes; at most ${maxBytes} accepted`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fail("KSR-XML-ENCODING", "is not valid UTF-8");
  }
  const lineAt = (index: number | undefined) => (index === undefined ? undefined : countLines(text, index));
  const declaration = /^<\?xml[^>]*\?>/.exec(text);
  if (declaration) {
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration[0])?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) throw fail("KSR-XML-ENCODING", `declares encoding "${encoding}"; only UTF-8 is accepted`, "1");
  }
  const doctype = /<!DOCTYPE|<!ENTITY/i.exec(text);
  if (doctype) {
    throw fail("KSR-XML-DOCTYPE", "contains a DOCTYPE or ENTITY declaration; KSR files have none and they are refused", String(lineAt(doctype.index)));
  }
  // Character references (&#65; &#x41;) are refused like DOCTYPE: real KSR/SKR files have none, and
  // the parser below leaves them undecoded, so `id="&#65;"` would read differently here than in
  // every other XML parser (XML 1.0 §4.1) — e.g. two bundles "A" and "&#65;" would look distinct.
  const charRef = text.indexOf("&#");
  if (charRef >= 0) {
    throw fail("KSR-XML-CHARREF", "contains a character reference (&#...;); KSR files have none and they are refused", String(lineAt(charRef)));
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw fail("KSR-XML-MALFORMED", `is not well-formed XML: ${valid.err.msg}`, String(valid.err.line));

  const parser = new XMLParser({
    preserveOrder: true,
    captureMetaData: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_DEPTH + 2,
  });
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (e) {
    throw fail("KSR-XML-MALFORMED", `is not acceptable XML: ${(e as Error).message}`);
  }
  const meta = XMLParser.getMetaDataSymbol() as unknown as symbol;
  const roots = toElements(tree, "", 0, meta, lineAt, fail);
  if (roots.length !== 1) throw fail("KSR-XML-ROOT", `must have exactly one root element; found ${roots.length}`);
  const root = roots[0] as Element;
  if (root.name !== "KSR") throw fail("KSR-XML-ROOT", `root element is <${root.name}>; a KSR or SKR has <KSR>`, where(root));
  try {
    return { document: readDocument(root), originalBytes: bytes };
  } catch (e) {
    if (e instanceof KskError && e.kind === "input") throw e.within(file);
    throw e;
  }
}

function countLines(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function where(e: Element): string {
  return e.line === undefined ? e.path : `${e.line}: ${e.path}`;
}

function bad(e: Element, code: string, detail: string): KskError {
  return new KskError("input", code, detail, { where: where(e) });
}

/** fast-xml-parser's ordered output to Elements, refusing depth beyond the schema. */
function toElements(
  nodes: unknown,
  parentPath: string,
  depth: number,
  meta: symbol,
  lineAt: (i: number | undefined) => number | undefined,
  fail: (code: string, detail: string, where?: string) => KskError,
): Element[] {
  if (!Array.isArray(nodes)) return [];
  const out: Element[] = [];
  const counts = new Map<string, number>();
  for (const node of nodes as Record<string | symbol, unknown>[]) {
    const names = Object.keys(node).filter((k) => k !== ":@");
    const name = names[0];
    if (name === undefined || name === "#text" || name.startsWith("?") || name === "#comment") continue;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const path = `${parentPath}${parentPath ? "/" : ""}${name}[${n}]`;
    const line = lineAt((node[meta] as { startIndex?: number } | undefined)?.startIndex);
    if (depth + 1 > MAX_DEPTH) throw fail("KSR-XML-STRUCTURE", `element nesting deeper than the schema allows (${MAX_DEPTH})`, `${line ?? "?"}: ${path}`);
    const content = node[name] as Record<string, unknown>[];
    const children = toElements(content, path, depth + 1, meta, lineAt, fail);
    let text = "";
    for (const c of content ?? []) if (typeof c["#text"] === "string") text += c["#text"];
    const attributes = (node[":@"] as Record<string, string> | undefined) ?? {};
    const shortPath = path.replace(/\[1\]$/, "").replace(/\[1\]\//g, "/");
    for (const [attribute, value] of Object.entries(attributes)) {
      // XML 1.0 §3.3.3 normalises tab, CR and LF in attribute values to spaces, which this parser
      // does not do; refusing anything outside printable ASCII keeps every reader in agreement and
      // keeps ids and identifiers safe to print in comments and logs.
      if (typeof value !== "string" || !PRINTABLE_ASCII.test(value)) {
        throw fail(
          "KSR-XML-ATTRIBUTE",
          `attribute ${attribute} on <${name}> holds a character outside printable ASCII (0x20-0x7E)`,
          `${line ?? "?"}: ${shortPath}`,
        );
      }
    }
    out.push({ name, attributes, children, text, path: shortPath, line });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schema walk

/** Check the element's children against an ordered content model and return them by name. */
function expectChildren(e: Element, model: readonly (readonly [name: string, occurs: "1" | "?" | "*" | "+"])[]): Map<string, Element[]> {
  if (e.text.trim() !== "") throw bad(e, "KSR-XML-STRUCTURE", `<${e.name}> holds text "${preview(e.text.trim())}" where only elements belong`);
  const found = new Map<string, Element[]>();
  let at = 0;
  const kids = e.children;
  const unknown = kids.find((k) => !model.some(([n]) => n === k.name));
  if (unknown) throw bad(unknown, "KSR-XML-STRUCTURE", `unknown element <${unknown.name}> in <${e.name}>`);
  for (const [name, occurs] of model) {
    const list: Element[] = [];
    while (at < kids.length && (kids[at] as Element).name === name) list.push(kids[at++] as Element);
    if ((occurs === "1" || occurs === "+") && list.length === 0) {
      const next = kids[at];
      throw bad(next ?? e, "KSR-XML-MISSING", next ? `expected <${name}> in <${e.name}> before <${next.name}>` : `<${e.name}> lacks the required <${name}>`);
    }
    if ((occurs === "1" || occurs === "?") && list.length > 1) {
      throw bad(list[1] as Element, "KSR-XML-DUPLICATE", `<${name}> may appear only once in <${e.name}>`);
    }
    found.set(name, list);
  }
  const extra = kids[at];
  if (extra) throw bad(extra, "KSR-XML-STRUCTURE", `<${extra.name}> is out of order in <${e.name}>`);
  return found;
}

function one(found: Map<string, Element[]>, name: string): Element {
  return (found.get(name) as Element[])[0] as Element;
}

function expectAttributes(e: Element, required: readonly string[], optional: readonly string[] = []): void {
  for (const name of Object.keys(e.attributes)) {
    if (!required.includes(name) && !optional.includes(name)) throw bad(e, "KSR-XML-STRUCTURE", `unknown attribute ${name} on <${e.name}>`);
  }
  for (const name of required) {
    if (e.attributes[name] === undefined) throw bad(e, "KSR-XML-MISSING", `<${e.name}> lacks the required attribute ${name}`);
  }
}

function leaf(e: Element): string {
  if (e.children.length > 0) throw bad(e.children[0] as Element, "KSR-XML-STRUCTURE", `<${e.name}> must hold text, not <${(e.children[0] as Element).name}>`);
  expectAttributes(e, []);
  return e.text.trim();
}

function integer(e: Element, text: string, field: string, max: number, min = 0): number {
  if (!/^\d+$/.test(text)) throw bad(e, "KSR-XML-NUMBER", `${field} "${preview(text)}" is not a non-negative integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > max || value < min) throw bad(e, "KSR-XML-NUMBER", `${field} ${preview(text)} is outside ${min}..${max}`);
  return value;
}

function withWhere<T>(e: Element, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KskError && err.kind === "input" && err.where === undefined) throw bad(e, err.code, err.detail);
    throw err;
  }
}

const time = (e: Element, text: string, field: string) => withWhere(e, () => parseIsoUtc(text, field));
const U32 = 0xffffffff;

function rrsigTime(e: Element, text: string, field: string): number {
  const t = time(e, text, field);
  if (t < 0 || t > U32) throw bad(e, "KSR-XML-TIME", `${field} ${text} is outside the 32-bit RRSIG time range (1970..2106)`);
  return t;
}

function readDocument(root: Element): KsrDocument {
  expectAttributes(root, ["id", "serial", "domain"]);
  const id = root.attributes.id as string;
  if (id.trim() === "") throw bad(root, "KSR-XML-MISSING", "the id attribute is empty");
  const serial = integer(root, (root.attributes.serial as string).trim(), "serial", Number.MAX_SAFE_INTEGER);
  const domain = (root.attributes.domain as string).trim();
  withWhere(root, () => parseName(domain.endsWith(".") ? domain : `${domain}.`));
  const body = root.children[0];
  if (root.children.length !== 1 || !body || (body.name !== "Request" && body.name !== "Response")) {
    throw bad(body ?? root, "KSR-XML-STRUCTURE", `<KSR> must hold exactly one <Request> or <Response>`);
  }
  if (root.text.trim() !== "") throw bad(root, "KSR-XML-STRUCTURE", "<KSR> holds text where only elements belong");
  expectAttributes(body, [], ["timestamp"]);
  const ts = body.attributes.timestamp;
  const header = { id, serial, domain, ...(ts === undefined ? {} : { timestampEpochSeconds: time(body, ts, "timestamp") }) };
  if (body.name === "Request") {
    const found = expectChildren(body, [
      ["RequestPolicy", "1"],
      ["RequestBundle", "+"],
    ]);
    const policyElement = one(found, "RequestPolicy");
    const zsk = one(expectChildren(policyElement, [["ZSK", "1"]]), "ZSK");
    const bundles = (found.get("RequestBundle") as Element[]).map((b) => readBundle(b, true));
    return { kind: "request", ...header, policy: { zsk: readSignaturePolicy(zsk) }, bundles };
  }
  const found = expectChildren(body, [
    ["ResponsePolicy", "1"],
    ["ResponseBundle", "+"],
  ]);
  const policy = expectChildren(one(found, "ResponsePolicy"), [
    ["KSK", "1"],
    ["ZSK", "1"],
  ]);
  const bundles = (found.get("ResponseBundle") as Element[]).map((b) => readBundle(b, false));
  return {
    kind: "response",
    ...header,
    policy: { ksk: readSignaturePolicy(one(policy, "KSK")), zsk: readSignaturePolicy(one(policy, "ZSK")) },
    bundles,
  };
}

const POLICY_FIELDS = [
  ["PublishSafety", "publishSafetySeconds"],
  ["RetireSafety", "retireSafetySeconds"],
  ["MaxSignatureValidity", "maxSignatureValiditySeconds"],
  ["MinSignatureValidity", "minSignatureValiditySeconds"],
  ["MaxValidityOverlap", "maxValidityOverlapSeconds"],
  ["MinValidityOverlap", "minValidityOverlapSeconds"],
] as const;

function readSignaturePolicy(e: Element): SignaturePolicy {
  expectAttributes(e, []);
  const found = expectChildren(e, [...POLICY_FIELDS.map(([name]) => [name, "1"] as const), ["SignatureAlgorithm", "+"]]);
  const durations: Record<string, number> = {};
  for (const [name, field] of POLICY_FIELDS) {
    const el = one(found, name);
    durations[field] = withWhere(el, () => parseDuration(leaf(el), name));
  }
  const algorithms = (found.get("SignatureAlgorithm") as Element[]).map(readAlgorithmPolicy);
  return { ...(durations as Omit<SignaturePolicy, "algorithms">), algorithms };
}

function readAlgorithmPolicy(e: Element): AlgorithmPolicy {
  expectAttributes(e, ["algorithm"]);
  const algorithm = integer(e, (e.attributes.algorithm as string).trim(), "algorithm", 255);
  if (e.text.trim() !== "" || e.children.length !== 1) {
    throw bad(e, "KSR-XML-STRUCTURE", "<SignatureAlgorithm> must hold exactly one <RSA>, <ECDSA> or <DSA>");
  }
  const p = e.children[0] as Element;
  if (p.children.length > 0 || p.text.trim() !== "") throw bad(p, "KSR-XML-STRUCTURE", `<${p.name}> must be empty`);
  const size = () => integer(p, (p.attributes.size as string).trim(), "size", 65535);
  switch (p.name) {
    case "RSA":
      expectAttributes(p, ["size", "exponent"]);
      return { family: "RSA", algorithm, sizeBits: size(), exponent: integer(p, (p.attributes.exponent as string).trim(), "exponent", U32) };
    case "ECDSA":
      expectAttributes(p, ["size"]);
      return { family: "ECDSA", algorithm, sizeBits: size() };
    case "DSA":
      expectAttributes(p, ["size"]);
      return { family: "DSA", algorithm, sizeBits: size() };
    default:
      throw bad(p, "KSR-XML-STRUCTURE", `unknown element <${p.name}> in <SignatureAlgorithm>`);
  }
}

function readBundle(e: Element, request: boolean): Bundle {
  expectAttributes(e, ["id"]);
  const id = (e.attributes.id as string).trim();
  if (id === "") throw bad(e, "KSR-XML-MISSING", "the bundle id attribute is empty");
  const found = expectChildren(e, [
    ["Inception", "1"],
    ["Expiration", "1"],
    ...(request ? ([["Signer", "*"]] as const) : []),
    ["Key", "+"],
    ["Signature", "+"],
  ]);
  const inception = one(found, "Inception");
  const expiration = one(found, "Expiration");
  const signers = (found.get("Signer") ?? []).map((s) => {
    expectAttributes(s, ["keyIdentifier"]);
    if (s.children.length > 0 || s.text.trim() !== "") throw bad(s, "KSR-XML-STRUCTURE", "<Signer> must be empty");
    return s.attributes.keyIdentifier as string;
  });
  return {
    id,
    inceptionEpochSeconds: time(inception, leaf(inception), "Inception"),
    expirationEpochSeconds: time(expiration, leaf(expiration), "Expiration"),
    keys: (found.get("Key") as Element[]).map(readKey),
    signatures: (found.get("Signature") as Element[]).map(readSignature),
    ...(signers.length > 0 ? { signers } : {}),
  };
}

function readKey(e: Element): BundleKey {
  expectAttributes(e, ["keyTag"], ["keyIdentifier"]);
  const found = expectChildren(e, [
    ["TTL", "1"],
    ["Flags", "1"],
    ["Protocol", "1"],
    ["Algorithm", "1"],
    ["PublicKey", "1"],
  ]);
  const field = (name: string, max: number, min = 0) => {
    const el = one(found, name);
    return integer(el, leaf(el), name, max, min);
  };
  const publicKeyElement = one(found, "PublicKey");
  const publicKeyBytes = withWhere(publicKeyElement, () => base64ToBytes(leaf(publicKeyElement), "PublicKey"));
  if (publicKeyBytes.length === 0) throw bad(publicKeyElement, "KSR-XML-MISSING", "PublicKey is empty");
  const key: BundleKey = {
    ...(e.attributes.keyIdentifier === undefined ? {} : { keyIdentifier: e.attributes.keyIdentifier }),
    ttlSeconds: field("TTL", MAX_TTL_SECONDS),
    dnskey: { kind: "DNSKEY", flags: field("Flags", 65535), protocol: field("Protocol", 3, 3), algorithm: field("Algorithm", 255), publicKeyBytes },
  };
  const declared = integer(e, (e.attributes.keyTag as string).trim(), "keyTag", 65535);
  const computed = withWhere(e, () => bundleKeyTag(key));
  if (declared !== computed) {
    throw bad(e, "KSR-XML-KEYTAG", `keyTag attribute says ${declared} but the key's tag is ${computed} (RFC 4034 Appendix B)`);
  }
  return key;
}

function readSignature(e: Element): BundleSignature {
  expectAttributes(e, [], ["keyIdentifier"]);
  const found = expectChildren(e, [
    ["TTL", "1"],
    ["TypeCovered", "1"],
    ["Algorithm", "1"],
    ["Labels", "1"],
    ["OriginalTTL", "1"],
    ["SignatureExpiration", "1"],
    ["SignatureInception", "1"],
    ["KeyTag", "1"],
    ["SignersName", "1"],
    ["SignatureData", "1"],
  ]);
  const text = (name: string) => leaf(one(found, name));
  const field = (name: string, max: number) => integer(one(found, name), text(name), name, max);
  const typeElement = one(found, "TypeCovered");
  const nameElement = one(found, "SignersName");
  const dataElement = one(found, "SignatureData");
  const signatureBytes = withWhere(dataElement, () => base64ToBytes(text("SignatureData"), "SignatureData"));
  if (signatureBytes.length === 0) throw bad(dataElement, "KSR-XML-MISSING", "SignatureData is empty");
  const signersName = text("SignersName");
  return {
    ...(e.attributes.keyIdentifier === undefined ? {} : { keyIdentifier: e.attributes.keyIdentifier }),
    ttlSeconds: field("TTL", MAX_TTL_SECONDS),
    rrsig: {
      kind: "RRSIG",
      typeCovered: withWhere(typeElement, () => parseType(text("TypeCovered"), "TypeCovered")),
      algorithm: field("Algorithm", 255),
      labels: field("Labels", 255),
      originalTtlSeconds: field("OriginalTTL", MAX_TTL_SECONDS),
      expirationEpochSeconds: rrsigTime(one(found, "SignatureExpiration"), text("SignatureExpiration"), "SignatureExpiration"),
      inceptionEpochSeconds: rrsigTime(one(found, "SignatureInception"), text("SignatureInception"), "SignatureInception"),
      keyTag: field("KeyTag", 65535),
      signerName: withWhere(nameElement, () => parseName(signersName.endsWith(".") ? signersName : `${signersName}.`)),
      signatureBytes,
    },
  };
}

function preview(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
