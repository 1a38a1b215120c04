/**
 * The strict, bounded XML reader for the toolkit's input files (KSR and SKR per IANA's ksr.rnc;
 * root-anchors.xml per RFC 9718 §2), in this order, each refusal an input error at `file:line`:
 *
 *   1. a size cap on the bytes, before anything else looks at them;
 *   2. strict UTF-8 decoding (XML 1.0 §4.3.3), and a declared encoding other than UTF-8 refused;
 *   3. any DOCTYPE or ENTITY declaration refused: none of these formats has one, and refusing
 *      them closes entity expansion, billion laughs and external entities (XXE) at once;
 *   4. character references (`&#65;`, XML 1.0 §4.1) refused: the files have none, and the parser
 *      leaves them undecoded, so `id="&#65;"` would read differently here than in other readers;
 *   5. well-formedness (fast-xml-parser's validator: the parser alone accepts `<a><b></a>`);
 *   6. an element depth cap, measured by one scan of the tags before the tree is built;
 *   7. the tree, with attribute values limited to printable ASCII (so XML 1.0 §3.3.3 attribute
 *      normalisation never matters and ids print safely) and each element's line number.
 *
 * Line numbers come from a table of line starts built once, so locating n elements costs
 * O(n log lines), not O(n × size): a 1 MiB file of 60,000 elements is refused in milliseconds.
 *
 * `XmlWalker` then checks a content model — ordered children with occurrence counts, known
 * attributes, text only in leaves — naming the element and its line on every fault.
 *
 * Left out: namespaces (none of the formats has one), CDATA sections and mixed content (refused
 * by the walker wherever text is not expected), DTD validation (DTDs are refused).
 */
import { KskError, previewText } from "@ksk/core";
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** The error codes one file format reports (each format keeps its own names). */
export interface XmlCodes {
  readonly tooLarge: string;
  readonly encoding: string;
  readonly doctype: string;
  readonly charRef: string;
  readonly malformed: string;
  /** Nesting deeper than the format allows, a second root, unknown or misplaced elements, text where elements belong. */
  readonly structure: string;
  readonly attribute: string;
  readonly missing: string;
  readonly duplicate: string;
}

export interface StrictXmlOptions {
  /** Shown in front of every error location. */
  readonly fileName: string;
  readonly maxBytes: number;
  /** The deepest element the format has (the root is depth 1). */
  readonly maxDepth: number;
  /** What the files are called in messages: "KSR files", "root-anchors.xml". */
  readonly kind: string;
  readonly codes: XmlCodes;
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside the element (entities decoded). */
  readonly text: string;
  /** `Root/Child[2]/Leaf`: position among same-named siblings, `[1]` left out. */
  readonly path: string;
  readonly line: number;
}

/** Attribute values are limited to printable ASCII: no tab, CR, LF or other control characters. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

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
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

/** Line of each character offset, from the offsets of the line starts (computed once). */
function lineLocator(text: string): (index: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Markup in a well-formed document, in order: comments, CDATA, processing instructions, and tags
 * (group 1 "/" for an end tag, group 2 "/" for an empty-element tag). Attribute values may hold
 * `>`, hence the quoted alternatives.
 */
const MARKUP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)[^\s/>!?](?:"[^"]*"|'[^']*'|[^'">])*?(\/?)>/g;

/** The offset of the first start tag nested deeper than `maxDepth`, if any. */
function tooDeep(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  for (const m of text.matchAll(MARKUP)) {
    if (m[1] === "/") depth--;
    else if (m[0].startsWith("<!") || m[0].startsWith("<?")) continue;
    else if (m[2] !== "/" && ++depth > maxDepth) return m.index;
    else if (m[2] === "/" && depth + 1 > maxDepth) return m.index;
  }
  return undefined;
}

/** Read a file's bytes into its root element, refusing everything the module header lists. */
export function readStrictXml(bytes: Uint8Array, options: StrictXmlOptions): XmlElement {
  const { fileName: file, codes, kind } = options;
  const fail = (code: string, detail: string, line?: number) => new KskError("input", code, detail, { where: line === undefined ? file : `${file}:${line}` });
  if (bytes.length > options.maxBytes) throw fail(codes.tooLarge, `is ${bytes.length} bytes; at most ${options.maxBytes} accepted`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fail(codes.encoding, "is not valid UTF-8");
  }
  const lineAt = lineLocator(text);
  const declaration = /^<\?xml[^>]*\?>/.exec(text);
  const encoding = declaration && /encoding\s*=\s*["']([^"']*)["']/.exec(declaration[0])?.[1];
  if (encoding && !/^utf-?8$/i.test(encoding)) throw fail(codes.encoding, `declares encoding "${encoding}"; only UTF-8 is accepted`, 1);
  const doctype = /<!DOCTYPE|<!ENTITY/i.exec(text);
  if (doctype) throw fail(codes.doctype, `contains a DOCTYPE or ENTITY declaration; ${kind} have none and they are refused`, lineAt(doctype.index));
  const charRef = text.indexOf("&#");
  if (charRef >= 0) throw fail(codes.charRef, `contains a character reference (&#...;); ${kind} have none and they are refused`, lineAt(charRef));
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw fail(codes.malformed, `is not well-formed XML: ${valid.err.msg}`, valid.err.line);
  const deep = tooDeep(text, options.maxDepth);
  if (deep !== undefined) throw fail(codes.structure, `element nesting deeper than ${kind} have (${options.maxDepth})`, lineAt(deep));

  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (e) {
    throw fail(codes.malformed, `is not acceptable XML: ${(e as Error).message}`);
  }
  const roots = toElements(tree, "", lineAt, (code, detail, line) => fail(code, detail, line), codes);
  const root = roots[0];
  if (roots.length !== 1 || !root) throw fail(codes.structure, `must have exactly one root element; found ${roots.length}`);
  return root;
}

/** fast-xml-parser's ordered output to elements (depth already bounded by the scan). */
function toElements(
  nodes: unknown,
  parentPath: string,
  lineAt: (index: number) => number,
  fail: (code: string, detail: string, line: number) => KskError,
  codes: XmlCodes,
): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const out: XmlElement[] = [];
  const counts = new Map<string, number>();
  for (const node of nodes as Record<string | symbol, unknown>[]) {
    const name = Object.keys(node).find((k) => k !== ":@");
    if (name === undefined || name === "#text" || name === "#comment" || name.startsWith("?")) continue;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const path = `${parentPath}${parentPath ? "/" : ""}${name}${n > 1 ? `[${n}]` : ""}`;
    const line = lineAt((node[META] as { startIndex?: number } | undefined)?.startIndex ?? 0);
    const attributes = (node[":@"] as Record<string, string> | undefined) ?? {};
    for (const [attribute, value] of Object.entries(attributes)) {
      if (typeof value !== "string" || !PRINTABLE_ASCII.test(value)) {
        throw fail(codes.attribute, `${path}: attribute ${attribute} on <${name}> holds a character outside printable ASCII (0x20-0x7E)`, line);
      }
    }
    const content = (node[name] as Record<string, unknown>[] | undefined) ?? [];
    let text = "";
    for (const c of content) if (typeof c["#text"] === "string") text += c["#text"];
    out.push({ name, attributes, children: toElements(content, path, lineAt, fail, codes), text, path, line });
  }
  return out;
}

/** How often a child may occur: exactly once, at most once, any number, at least once. */
export type Occurs = "1" | "?" | "*" | "+";
/** An element's children in order, with how often each may occur. */
export type ContentModel = readonly (readonly [name: string, occurs: Occurs])[];

/**
 * Checks elements of one file against content models; every fault is an input error at
 * `file:line: path`.
 */
export class XmlWalker {
  constructor(
    readonly fileName: string,
    readonly codes: XmlCodes,
  ) {}

  /** An input error located at an element. */
  bad(e: XmlElement, code: string, detail: string): KskError {
    return new KskError("input", code, detail, { where: `${this.fileName}:${e.line}: ${e.path}` });
  }

  /** Re-throw an unlocated input error (from a value parser) at the element. */
  at<T>(e: XmlElement, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof KskError && err.kind === "input" && err.where === undefined) throw this.bad(e, err.code, err.detail);
      throw err;
    }
  }

  /** The element's children checked against an ordered content model, by name. Linear in the children. */
  children(e: XmlElement, model: ContentModel): Map<string, XmlElement[]> {
    const { structure, missing, duplicate } = this.codes;
    if (e.text.trim() !== "") throw this.bad(e, structure, `<${e.name}> holds text "${previewText(e.text.trim())}" where only elements belong`);
    const known = new Set(model.map(([n]) => n));
    const unknown = e.children.find((k) => !known.has(k.name));
    if (unknown) throw this.bad(unknown, structure, `unknown element <${unknown.name}> in <${e.name}>`);
    const found = new Map<string, XmlElement[]>();
    const kids = e.children;
    let at = 0;
    for (const [name, occurs] of model) {
      const list: XmlElement[] = [];
      while (at < kids.length && (kids[at] as XmlElement).name === name) list.push(kids[at++] as XmlElement);
      if ((occurs === "1" || occurs === "+") && list.length === 0) {
        const next = kids[at];
        throw this.bad(next ?? e, missing, next ? `expected <${name}> in <${e.name}> before <${next.name}>` : `<${e.name}> lacks the required <${name}>`);
      }
      if ((occurs === "1" || occurs === "?") && list.length > 1)
        throw this.bad(list[1] as XmlElement, duplicate, `<${name}> may appear only once in <${e.name}>`);
      found.set(name, list);
    }
    const extra = kids[at];
    if (extra) throw this.bad(extra, structure, `<${extra.name}> is out of order in <${e.name}>`);
    return found;
  }

  /** The one element a "1" entry of the model found. */
  one(found: Map<string, XmlElement[]>, name: string): XmlElement {
    return (found.get(name) as XmlElement[])[0] as XmlElement;
  }

  /** Refuse unknown attributes and missing required ones. */
  attributes(e: XmlElement, required: readonly string[], optional: readonly string[] = []): void {
    for (const name of Object.keys(e.attributes)) {
      if (!required.includes(name) && !optional.includes(name)) throw this.bad(e, this.codes.structure, `unknown attribute ${name} on <${e.name}>`);
    }
    for (const name of required) {
      if (e.attributes[name] === undefined) throw this.bad(e, this.codes.missing, `<${e.name}> lacks the required attribute ${name}`);
    }
  }

  /** The trimmed text of a leaf element: no child elements, no attributes. */
  leaf(e: XmlElement): string {
    const child = e.children[0];
    if (child) throw this.bad(child, this.codes.structure, `<${e.name}> must hold text, not <${child.name}>`);
    this.attributes(e, []);
    return e.text.trim();
  }

  /** An element that must be empty: no children, no text. */
  empty(e: XmlElement): void {
    if (e.children.length > 0 || e.text.trim() !== "") throw this.bad(e, this.codes.structure, `<${e.name}> must be empty`);
  }
}
