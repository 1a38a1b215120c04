/**
 * root-anchors.xml: IANA's publication of the root zone trust anchors (RFC 9718, which obsoletes
 * RFC 7958). A `TrustAnchor` (attributes id, source) names a `Zone` and lists `KeyDigest`s (id,
 * validFrom, optional validUntil), each a DS digest — KeyTag, Algorithm, DigestType, Digest — and,
 * new in RFC 9718 §2.3, optionally the key itself: PublicKey and Flags.
 *
 * Reading is strict and bounded: UTF-8 only, no DOCTYPE (so no entity expansion at all), a
 * well-formedness check before parsing, elements in the schema's order, no unknown elements or
 * attributes, Digest and PublicKey text with whitespace around or inside (as real files have).
 * Structural faults are bad input; the RFC's rules about meaning are checks:
 * - TA-DIGEST-KEY: a KeyDigest with a PublicKey must have the Digest and KeyTag of that key
 *   (RFC 9718 §2.3: the Digest MUST be computed over the DNSKEY these fields describe);
 * - TA-NONE-VALID: at least one KeyDigest must be valid at a given time (RFC 9718 §3.1: a
 *   relying party uses only those; unbound-anchor treats a file with none as "root unsigned").
 *
 * Writing builds the document from DNSKEYs with xmlbuilder2 (escaped, well-formed), then reads
 * its own output back and checks it before anyone can publish it.
 *
 * Left out: zones other than the root are read and written but nothing here treats them
 * specially; XML namespaces (the format has none).
 */
import {
  base64ToBytes,
  bytesEqual,
  bytesToBase64,
  bytesToHex,
  checkDsDigestLength,
  type DnskeyRdata,
  DNSKEY_FLAG_REVOKE,
  DNSKEY_FLAG_ZONE,
  type DsRdata,
  type DsRecord,
  digestTypeInfo,
  dsDigest,
  formatIsoUtc,
  hexToBytes,
  KskError,
  keyTag,
  type Name,
  nameToString,
  parseIsoUtc,
  parseName,
  ROOT,
  checkFailed,
} from "@ksk/core";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { create } from "xmlbuilder2";

/** One `KeyDigest`: a DS for the zone, with its validity window and (RFC 9718) the key itself. */
export interface KeyDigest {
  readonly id: string;
  readonly validFromEpochSeconds: number;
  readonly validUntilEpochSeconds: number | undefined;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digestBytes: Uint8Array;
  readonly publicKeyBytes: Uint8Array | undefined;
  readonly flags: number | undefined;
}

export interface TrustAnchorDocument {
  /** `TrustAnchor@id`: IANA uses a UUID per published file. */
  readonly id: string;
  /** `TrustAnchor@source`: the URL the file is published at. */
  readonly source: string;
  readonly zone: Name;
  readonly keyDigests: readonly KeyDigest[];
}

export const IANA_ROOT_ANCHORS_SOURCE = "http://data.iana.org/root-anchors/root-anchors.xml";

/** The TTL given to DS records made from KeyDigests (which carry none): the root DNSKEY TTL. */
export const ANCHOR_DS_TTL_SECONDS = 172800;

function taCheck(code: "TA-DIGEST-KEY" | "TA-NONE-VALID", detail: string, where: string): KskError {
  return checkFailed(code, detail, where);
}

function bad(code: string, detail: string, where: string): KskError {
  return new KskError("input", code, detail, { where });
}

// --- Derived values ------------------------------------------------------------------------------

/** Is the KeyDigest in force at `t`: validFrom ≤ t and, if it has one, t < validUntil? */
export function isValidAt(kd: KeyDigest, atEpochSeconds: number): boolean {
  return kd.validFromEpochSeconds <= atEpochSeconds && (kd.validUntilEpochSeconds === undefined || atEpochSeconds < kd.validUntilEpochSeconds);
}

/** The DNSKEY a KeyDigest carries (RFC 9718: PublicKey and Flags), if it carries one. */
export function keyDigestDnskey(kd: KeyDigest): DnskeyRdata | undefined {
  if (kd.publicKeyBytes === undefined || kd.flags === undefined) return undefined;
  return { kind: "DNSKEY", flags: kd.flags, protocol: 3, algorithm: kd.algorithm, publicKeyBytes: kd.publicKeyBytes };
}

export function keyDigestDs(kd: KeyDigest): DsRdata {
  return { kind: "DS", keyTag: kd.keyTag, algorithm: kd.algorithm, digestType: kd.digestType, digestBytes: kd.digestBytes };
}

export interface DsSelection {
  /** Only KeyDigests valid at this time… */
  readonly atEpochSeconds?: number;
  /** …unless every KeyDigest is wanted. */
  readonly all?: boolean;
  readonly ttlSeconds?: number;
}

/** DS records for the KeyDigests valid at a time (or all), ready for core's `formatDsRecords`. */
export function anchorDsRecords(doc: TrustAnchorDocument, selection: DsSelection): DsRecord[] {
  if (!selection.all && selection.atEpochSeconds === undefined)
    throw new KskError("usage", "USAGE-TIME", "give a time to select KeyDigests at, or ask for all");
  const at = selection.atEpochSeconds;
  return doc.keyDigests
    .filter((kd) => selection.all || (at !== undefined && isValidAt(kd, at)))
    .map((kd) => ({ owner: doc.zone, ttlSeconds: selection.ttlSeconds ?? ANCHOR_DS_TTL_SECONDS, ds: keyDigestDs(kd) }));
}

// --- Checks --------------------------------------------------------------------------------------

/** TA-DIGEST-KEY: the Digest and KeyTag are those of the PublicKey/Flags given beside them. */
export function checkDigestMatchesKey(doc: TrustAnchorDocument, kd: KeyDigest): void {
  const dnskey = keyDigestDnskey(kd);
  if (!dnskey) return;
  const where = `KeyDigest ${kd.id}`;
  const tag = keyTag(dnskey);
  if (tag !== kd.keyTag) throw taCheck("TA-DIGEST-KEY", `KeyTag is ${kd.keyTag} but the PublicKey with Flags ${kd.flags} has key tag ${tag}`, where);
  const digest = dsDigest(doc.zone, dnskey, kd.digestType);
  if (!bytesEqual(digest, kd.digestBytes)) {
    throw taCheck(
      "TA-DIGEST-KEY",
      `Digest ${bytesToHex(kd.digestBytes, true)} is not the ${digestTypeInfo(kd.digestType).mnemonic} digest of its PublicKey (${bytesToHex(digest, true)}); RFC 9718 §2.3`,
      where,
    );
  }
}

/** TA-NONE-VALID: some KeyDigest is in force at `t` (else resolvers would see no anchor). */
export function checkSomeValidAt(doc: TrustAnchorDocument, atEpochSeconds: number): void {
  if (!doc.keyDigests.some((kd) => isValidAt(kd, atEpochSeconds))) {
    throw taCheck(
      "TA-NONE-VALID",
      `no KeyDigest is valid at ${formatIsoUtc(atEpochSeconds)}; a resolver such as unbound-anchor would treat the zone as unsigned`,
      `TrustAnchor ${doc.id}`,
    );
  }
}

/** Every check on a document: each KeyDigest's key, and an anchor in force at `t`. */
export function checkRootAnchors(doc: TrustAnchorDocument, atEpochSeconds: number): void {
  for (const kd of doc.keyDigests) checkDigestMatchesKey(doc, kd);
  checkSomeValidAt(doc, atEpochSeconds);
}

// --- Reading -------------------------------------------------------------------------------------

type XmlNode = Record<string, unknown> & { ":@"?: Record<string, string> };

const MAX_BYTES = 1024 * 1024;
const MAX_KEY_DIGESTS = 1000;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  // Untrimmed, so an attribute with a leading newline is seen (and refused) rather than silently
  // trimmed; element text is trimmed by textOf and whitespace between elements skipped.
  trimValues: false,
  ignoreDeclaration: false,
  ignorePiTags: true,
  commentPropName: "#comment",
  processEntities: true,
});

/** Read root-anchors.xml (RFC 9718 or RFC 7958 form). Throws bad input naming the element. */
export function parseRootAnchors(bytes: Uint8Array, fileName = "root-anchors.xml"): TrustAnchorDocument {
  if (bytes.length > MAX_BYTES) throw bad("TA-TOO-LARGE", `is ${bytes.length} bytes; a trust anchor file is at most ${MAX_BYTES}`, fileName);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw bad("TA-ENCODING", "is not UTF-8 text", fileName);
  }
  // No DTD at all: nothing to expand, nothing external to load (DESIGN.md §5, TOOLCHAIN.md §7).
  if (/<!DOCTYPE/i.test(text)) throw bad("TA-DOCTYPE", "has a DOCTYPE; root-anchors.xml has none and DTDs are refused", fileName);
  // Character references (&#65;) are refused too: root-anchors.xml has none, and the parser below
  // leaves them undecoded (XML 1.0 §4.1), so an id "&#65;" would read differently here than elsewhere.
  if (text.includes("&#")) throw bad("TA-CHARREF", "has a character reference (&#...;); root-anchors.xml has none and they are refused", fileName);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw bad("TA-XML", `is not well-formed XML: ${valid.err.msg}`, `${fileName}:${valid.err.line}`);
  let top: XmlNode[];
  try {
    top = parser.parse(text) as XmlNode[];
  } catch (e) {
    // The parser throws plain Errors for some text its validator passed (a mangled XML declaration:
    // "Pi Tag is not closed."); that is malformed input all the same.
    throw bad("TA-XML", `is not well-formed XML: ${(e as Error)?.message ?? String(e)}`, fileName);
  }
  const roots = top.filter((n) => !("?xml" in n) && !("#comment" in n) && !("#text" in n && String(n["#text"]).trim() === ""));
  const root = roots[0];
  if (roots.length !== 1 || !root || !("TrustAnchor" in root)) throw bad("TA-STRUCTURE", "the document element must be TrustAnchor", fileName);
  const where = (path: string) => `${fileName}: ${path}`;

  const taAttrs = attributes(root, ["id", "source"], [], where("TrustAnchor"));
  const children = elementChildren(root, "TrustAnchor", where("TrustAnchor"));
  const [zoneNode, ...digestNodes] = children;
  if (zoneNode?.name !== "Zone") throw bad("TA-STRUCTURE", "the first child must be Zone", where("TrustAnchor"));
  const zoneText = textOf(zoneNode.node, "Zone", where("TrustAnchor/Zone"));
  let zone: Name;
  try {
    zone = parseName(zoneText);
  } catch (e) {
    throw bad("TA-ZONE", `Zone "${zoneText}" is not a domain name: ${(e as Error).message}`, where("TrustAnchor/Zone"));
  }
  if (digestNodes.length === 0) throw bad("TA-STRUCTURE", "has no KeyDigest", where("TrustAnchor"));
  if (digestNodes.length > MAX_KEY_DIGESTS)
    throw bad("TA-STRUCTURE", `has ${digestNodes.length} KeyDigests; at most ${MAX_KEY_DIGESTS} are read`, where("TrustAnchor"));

  const ids = new Set<string>();
  const keyDigests = digestNodes.map((child, i) => {
    const path = where(`TrustAnchor/KeyDigest[${i + 1}]`);
    if (child.name !== "KeyDigest") throw bad("TA-STRUCTURE", `unexpected element ${child.name}; only KeyDigest may follow Zone`, path);
    const kd = readKeyDigest(child.node, path);
    if (ids.has(kd.id)) throw bad("TA-DUPLICATE-ID", `KeyDigest id "${kd.id}" is used twice`, path);
    ids.add(kd.id);
    return kd;
  });
  return { id: taAttrs.id as string, source: taAttrs.source as string, zone, keyDigests };
}

const KEY_DIGEST_ELEMENTS = ["KeyTag", "Algorithm", "DigestType", "Digest", "PublicKey", "Flags"] as const;

function readKeyDigest(node: XmlNode, path: string): KeyDigest {
  const attrs = attributes(node, ["id", "validFrom"], ["validUntil"], path);
  const id = attrs.id as string;
  const validFromEpochSeconds = parseIsoUtc(attrs.validFrom as string, `${path}@validFrom`);
  const validUntilEpochSeconds = attrs.validUntil === undefined ? undefined : parseIsoUtc(attrs.validUntil, `${path}@validUntil`);
  if (validUntilEpochSeconds !== undefined && validUntilEpochSeconds <= validFromEpochSeconds) {
    throw bad("TA-VALIDITY", `validUntil ${attrs.validUntil} is not after validFrom ${attrs.validFrom}`, path);
  }
  // The schema's order: KeyTag, Algorithm, DigestType, Digest, then optional PublicKey, Flags.
  const values = new Map<string, string>();
  let last = -1;
  for (const child of elementChildren(node, "KeyDigest", path)) {
    const at = KEY_DIGEST_ELEMENTS.indexOf(child.name as (typeof KEY_DIGEST_ELEMENTS)[number]);
    if (at < 0) throw bad("TA-STRUCTURE", `unexpected element ${child.name} in KeyDigest`, path);
    if (at <= last)
      throw bad("TA-STRUCTURE", `element ${child.name} is repeated or out of order (KeyTag, Algorithm, DigestType, Digest, PublicKey, Flags)`, path);
    last = at;
    values.set(child.name, textOf(child.node, child.name, `${path}/${child.name}`));
  }
  for (const required of KEY_DIGEST_ELEMENTS.slice(0, 4)) if (!values.has(required)) throw bad("TA-STRUCTURE", `KeyDigest has no ${required}`, path);
  const keyTagValue = integer(values.get("KeyTag") as string, 0xffff, `${path}/KeyTag`);
  const algorithm = integer(values.get("Algorithm") as string, 0xff, `${path}/Algorithm`);
  const digestType = integer(values.get("DigestType") as string, 0xff, `${path}/DigestType`);
  const digestBytes = hexToBytes(values.get("Digest") as string, `${path}/Digest`);
  const ds: DsRdata = { kind: "DS", keyTag: keyTagValue, algorithm, digestType, digestBytes };
  try {
    checkDsDigestLength(ds); // also refuses unknown digest types (no fallback)
  } catch (e) {
    throw bad((e as KskError).code, (e as KskError).detail, `${path}/Digest`);
  }
  const publicKeyText = values.get("PublicKey");
  const flagsText = values.get("Flags");
  if ((publicKeyText === undefined) !== (flagsText === undefined)) {
    // The digest covers the flags (RFC 4034 §5.1.4): a key without them cannot be checked.
    throw bad("TA-STRUCTURE", "PublicKey and Flags come together (the DNSKEY needs both)", path);
  }
  const publicKeyBytes = publicKeyText === undefined ? undefined : base64ToBytes(publicKeyText, `${path}/PublicKey`);
  if (publicKeyBytes !== undefined && publicKeyBytes.length === 0) throw bad("TA-STRUCTURE", "PublicKey is empty", `${path}/PublicKey`);
  const flags = flagsText === undefined ? undefined : integer(flagsText, 0xffff, `${path}/Flags`);
  return { id, validFromEpochSeconds, validUntilEpochSeconds, keyTag: keyTagValue, algorithm, digestType, digestBytes, publicKeyBytes, flags };
}

function attributes(node: XmlNode, required: readonly string[], optional: readonly string[], path: string): Record<string, string | undefined> {
  const attrs = node[":@"] ?? {};
  for (const name of Object.keys(attrs)) {
    if (!required.includes(name) && !optional.includes(name)) throw bad("TA-STRUCTURE", `unexpected attribute ${name}`, path);
    // XML 1.0 §3.3.3 would turn tab, CR and LF into spaces, which this parser does not do: refusing
    // everything outside printable ASCII keeps every reader reading the same value.
    if (!/^[\x20-\x7e]*$/.test(attrs[name] as string))
      throw bad("TA-ATTRIBUTE", `attribute ${name} holds a character outside printable ASCII (0x20-0x7E)`, path);
  }
  for (const name of required) {
    const value = attrs[name];
    if (value === undefined || value.trim() === "") throw bad("TA-STRUCTURE", `attribute ${name} is missing or empty`, path);
  }
  return attrs;
}

/** The element children of a node, refusing text mixed in between them. */
function elementChildren(node: XmlNode, name: string, path: string): { name: string; node: XmlNode }[] {
  const out: { name: string; node: XmlNode }[] = [];
  for (const child of (node[name] as XmlNode[] | undefined) ?? []) {
    if ("#comment" in child) continue;
    if ("#text" in child && String(child["#text"]).trim() === "") continue;
    if ("#text" in child) throw bad("TA-STRUCTURE", `unexpected text "${String(child["#text"]).slice(0, 20)}" in ${name}`, path);
    const childName = Object.keys(child).find((k) => k !== ":@");
    if (childName === undefined) continue;
    out.push({ name: childName, node: child });
  }
  return out;
}

/** The text of a leaf element (trimmed); elements inside it or attributes on it are refused. */
function textOf(node: XmlNode, name: string, path: string): string {
  if (node[":@"] && Object.keys(node[":@"]).length > 0) throw bad("TA-STRUCTURE", `${name} has attributes`, path);
  let text = "";
  for (const child of (node[name] as XmlNode[] | undefined) ?? []) {
    if ("#comment" in child) continue;
    if (!("#text" in child)) throw bad("TA-STRUCTURE", `${name} holds an element; text expected`, path);
    text += String(child["#text"]);
  }
  if (text.trim() === "") throw bad("TA-STRUCTURE", `${name} is empty`, path);
  return text.trim();
}

function integer(text: string, max: number, path: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) > max) throw bad("TA-NUMBER", `"${text}" is not an integer from 0 to ${max}`, path);
  return Number(text);
}

// --- Building and writing ------------------------------------------------------------------------

/** A key to publish, with its KeyDigest id and validity. */
export interface AnchorKey {
  readonly dnskey: DnskeyRdata;
  readonly id: string;
  readonly validFromEpochSeconds: number;
  readonly validUntilEpochSeconds?: number | undefined;
}

export type RootAnchorsForm = "rfc9718" | "rfc7958";

export interface BuildRootAnchorsOptions {
  /** `TrustAnchor@id`: a UUID (the caller makes a fresh one when none is given). */
  readonly trustAnchorId: string;
  readonly source?: string;
  readonly zone?: Name;
  readonly keys: readonly AnchorKey[];
  /** DS digest types; default [2] (SHA-256), as IANA publishes. */
  readonly digestTypes?: readonly number[];
  /** rfc9718 (default): PublicKey and Flags for keys still valid; rfc7958: digests only. */
  readonly form?: RootAnchorsForm;
  /** The time the file is published: some KeyDigest must be valid then. */
  readonly publicationEpochSeconds: number;
}

const UUID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;
const ID_RE = /^[\x21-\x7e]{1,64}$/;

/**
 * The document for a set of keys. One KeyDigest per key and digest type: the first digest type
 * takes the key's id, any further type gets `<id>-<digest type>` so that ids stay unique.
 * KeyDigests are ordered by validFrom, then key tag, then digest type.
 */
export function buildRootAnchorsDocument(o: BuildRootAnchorsOptions): TrustAnchorDocument {
  if (!UUID_RE.test(o.trustAnchorId)) throw new KskError("usage", "USAGE-UUID", `trust anchor id "${o.trustAnchorId}" is not a UUID`);
  const zone = o.zone ?? ROOT;
  const digestTypes = o.digestTypes ?? [2];
  if (digestTypes.length === 0) throw new KskError("usage", "USAGE-DIGEST", "give at least one digest type");
  for (const t of digestTypes) digestTypeInfo(t);
  if (new Set(digestTypes).size !== digestTypes.length) throw new KskError("usage", "USAGE-DIGEST", "a digest type is listed twice");
  if (o.keys.length === 0) throw new KskError("input", "TA-NO-KEYS", "no key to publish");
  const form = o.form ?? "rfc9718";

  const ids = new Set<string>();
  const keyDigests: KeyDigest[] = [];
  for (const key of o.keys) {
    const where = `key ${keyTag(key.dnskey)} (${key.id})`;
    if (!ID_RE.test(key.id)) throw bad("TA-ID", `KeyDigest id "${key.id}" must be 1 to 64 printable characters without spaces`, where);
    if ((key.dnskey.flags & DNSKEY_FLAG_ZONE) === 0)
      throw bad("TA-KEY-FLAGS", `flags ${key.dnskey.flags} lack the Zone Key bit; only zone keys are trust anchors`, where);
    if ((key.dnskey.flags & DNSKEY_FLAG_REVOKE) !== 0)
      throw bad("TA-KEY-FLAGS", `flags ${key.dnskey.flags} have the REVOKE bit; a revoked key is never published as an anchor`, where);
    if (key.validUntilEpochSeconds !== undefined && key.validUntilEpochSeconds <= key.validFromEpochSeconds) {
      throw bad(
        "TA-VALIDITY",
        `validUntil ${formatIsoUtc(key.validUntilEpochSeconds)} is not after validFrom ${formatIsoUtc(key.validFromEpochSeconds)}`,
        where,
      );
    }
    const stillValid = key.validUntilEpochSeconds === undefined || o.publicationEpochSeconds < key.validUntilEpochSeconds;
    const withKey = form === "rfc9718" && stillValid;
    digestTypes.forEach((digestType, i) => {
      const id = i === 0 ? key.id : `${key.id}-${digestType}`;
      if (ids.has(id)) throw bad("TA-DUPLICATE-ID", `KeyDigest id "${id}" is used twice`, where);
      ids.add(id);
      keyDigests.push({
        id,
        validFromEpochSeconds: key.validFromEpochSeconds,
        validUntilEpochSeconds: key.validUntilEpochSeconds,
        keyTag: keyTag(key.dnskey),
        algorithm: key.dnskey.algorithm,
        digestType,
        digestBytes: dsDigest(zone, key.dnskey, digestType),
        publicKeyBytes: withKey ? key.dnskey.publicKeyBytes : undefined,
        flags: withKey ? key.dnskey.flags : undefined,
      });
    });
  }
  for (let i = 0; i < o.keys.length; i++) {
    for (let j = i + 1; j < o.keys.length; j++) {
      const a = o.keys[i] as AnchorKey;
      const b = o.keys[j] as AnchorKey;
      if (a.dnskey.algorithm === b.dnskey.algorithm && bytesEqual(a.dnskey.publicKeyBytes, b.dnskey.publicKeyBytes)) {
        throw bad("TA-DUPLICATE-KEY", `the same key is given twice (ids ${a.id} and ${b.id})`, `key ${keyTag(a.dnskey)}`);
      }
    }
  }
  keyDigests.sort((a, b) => a.validFromEpochSeconds - b.validFromEpochSeconds || a.keyTag - b.keyTag || a.digestType - b.digestType);
  const doc: TrustAnchorDocument = { id: o.trustAnchorId, source: o.source ?? IANA_ROOT_ANCHORS_SOURCE, zone, keyDigests };
  checkRootAnchors(doc, o.publicationEpochSeconds);
  return doc;
}

/** Serialise a document (UTF-8, one element per line, two-space indent, trailing newline). */
export function writeRootAnchors(doc: TrustAnchorDocument): Uint8Array {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("TrustAnchor", { id: doc.id, source: doc.source });
  root.ele("Zone").txt(nameToString(doc.zone));
  for (const kd of doc.keyDigests) {
    const attrs: Record<string, string> = { id: kd.id, validFrom: formatIsoUtc(kd.validFromEpochSeconds) };
    if (kd.validUntilEpochSeconds !== undefined) attrs.validUntil = formatIsoUtc(kd.validUntilEpochSeconds);
    const e = root.ele("KeyDigest", attrs);
    e.ele("KeyTag").txt(String(kd.keyTag));
    e.ele("Algorithm").txt(String(kd.algorithm));
    e.ele("DigestType").txt(String(kd.digestType));
    e.ele("Digest").txt(bytesToHex(kd.digestBytes, true));
    if (kd.publicKeyBytes !== undefined && kd.flags !== undefined) {
      e.ele("PublicKey").txt(bytesToBase64(kd.publicKeyBytes));
      e.ele("Flags").txt(String(kd.flags));
    }
  }
  const text = `${root.end({ prettyPrint: true, indent: "  ", wellFormed: true })}\n`;
  return new TextEncoder().encode(text);
}

/**
 * Build root-anchors.xml from keys, then read the bytes back and check them exactly as a
 * verifier would: what is returned is what was checked.
 */
export function buildRootAnchors(o: BuildRootAnchorsOptions): { readonly document: TrustAnchorDocument; readonly xmlBytes: Uint8Array } {
  const document = buildRootAnchorsDocument(o);
  const xmlBytes = writeRootAnchors(document);
  const reread = parseRootAnchors(xmlBytes, "root-anchors.xml (as written)");
  checkRootAnchors(reread, o.publicationEpochSeconds);
  return { document: reread, xmlBytes };
}
