/**
 * root-anchors.xml: IANA's publication of the root zone trust anchors (RFC 9718, which obsoletes
 * RFC 7958). A `TrustAnchor` (attributes id, source) names a `Zone` and lists `KeyDigest`s (id,
 * validFrom, optional validUntil), each a DS digest — KeyTag, Algorithm, DigestType, Digest — and,
 * new in RFC 9718 §2.3, optionally the key itself: PublicKey and Flags.
 *
 * Reading goes through @ksk/xml's strict reader (size cap, UTF-8 only, no DOCTYPE, entities or
 * character references, well-formedness, a depth cap of the format's three levels, line numbers),
 * then the walker: elements in the schema's order, no unknown elements or attributes, Digest and
 * PublicKey text with whitespace around or inside (as real files have).
 * Structural faults are bad input; the RFC's rules about meaning are checks:
 * - TA-DIGEST-KEY: a KeyDigest with a PublicKey must have the Digest and KeyTag of that key
 *   (RFC 9718 §2.3: the Digest MUST be computed over the DNSKEY these fields describe);
 * - TA-NONE-VALID: at least one KeyDigest must be valid at a given time (RFC 9718 §3.1: a
 *   relying party uses only those; unbound-anchor treats a file with none as "root unsigned");
 *   @ksk/signer's rollover check asks the same of each file in force, slot by slot;
 * - TA-DNSKEY-ANCHORED: a KeyDigest valid at a time designates a key of a given DNSKEY RRset
 *   (else a resolver bootstrapping from the file cannot validate the zone).
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
  formatIsoZ,
  hexToBytes,
  KskError,
  keyTag,
  type Name,
  nameToString,
  parseIsoUtc,
  parseName,
  ROOT,
  type RR,
  anchorDesignates,
  checkFailed,
  makeRR,
} from "@ksk/core";
import { type XmlCodes, type XmlElement, XmlWalker, readStrictXml } from "@ksk/xml";
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

function taCheck(code: "TA-DIGEST-KEY" | "TA-NONE-VALID" | "TA-DNSKEY-ANCHORED", detail: string, where: string): KskError {
  return checkFailed(code, detail, where);
}

function bad(code: string, detail: string, where: string): KskError {
  return new KskError("input", code, detail, { where });
}

// --- Derived values ------------------------------------------------------------------------------

/**
 * What the validity and DS checks need of a KeyDigest: its id, window and DS fields (the PublicKey
 * and Flags of RFC 9718 left out), so a rollover plan can describe anchor files without parsing one.
 */
export type AnchorDigest = Omit<KeyDigest, "publicKeyBytes" | "flags">;

/** Is the KeyDigest in force at `t`: validFrom ≤ t and, if it has one, t < validUntil? */
export function isValidAt(kd: AnchorDigest, atEpochSeconds: number): boolean {
  return kd.validFromEpochSeconds <= atEpochSeconds && (kd.validUntilEpochSeconds === undefined || atEpochSeconds < kd.validUntilEpochSeconds);
}

/** The DNSKEY a KeyDigest carries (RFC 9718: PublicKey and Flags), if it carries one. */
export function keyDigestDnskey(kd: KeyDigest): DnskeyRdata | undefined {
  if (kd.publicKeyBytes === undefined || kd.flags === undefined) return undefined;
  return { kind: "DNSKEY", flags: kd.flags, protocol: 3, algorithm: kd.algorithm, publicKeyBytes: kd.publicKeyBytes };
}

export function keyDigestDs(kd: AnchorDigest): DsRdata {
  return { kind: "DS", keyTag: kd.keyTag, algorithm: kd.algorithm, digestType: kd.digestType, digestBytes: kd.digestBytes };
}

export interface DsSelection {
  /** Only KeyDigests valid at this time… */
  readonly atEpochSeconds?: number;
  /** …unless every KeyDigest is wanted. */
  readonly all?: boolean;
  readonly ttlSeconds?: number;
}

/**
 * The KeyDigests a selection at `atEpochSeconds` leaves out, each as one sentence saying why
 * (`KeyDigest Kjqmt7v (key tag 19036) is in the file but valid until 2019-01-11T00:00:00Z`), so a
 * command that picks anchors by the clock never drops a key without a word.
 */
export function keyDigestsLeftOut(doc: TrustAnchorDocument, atEpochSeconds: number): string[] {
  return doc.keyDigests
    .filter((kd) => !isValidAt(kd, atEpochSeconds))
    .map((kd) => {
      const name = `KeyDigest ${kd.id} (key tag ${kd.keyTag})`;
      return kd.validFromEpochSeconds > atEpochSeconds
        ? `${name} is in the file but valid only from ${formatIsoZ(kd.validFromEpochSeconds)}`
        : `${name} is in the file but valid until ${formatIsoZ(kd.validUntilEpochSeconds ?? 0)}`;
    });
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

/**
 * TA-NONE-VALID over a list of KeyDigests: some is in force at `t` (else resolvers would see no
 * anchor). `of` names the file in the detail when `where` does not.
 */
export function checkSomeDigestValidAt(keyDigests: readonly AnchorDigest[], atEpochSeconds: number, where: string, of?: string): void {
  if (!keyDigests.some((kd) => isValidAt(kd, atEpochSeconds))) {
    throw taCheck(
      "TA-NONE-VALID",
      `no KeyDigest${of === undefined ? "" : ` of ${of}`} is valid at ${formatIsoUtc(atEpochSeconds)}; a resolver such as unbound-anchor would treat the zone as unsigned`,
      where,
    );
  }
}

/** TA-NONE-VALID: some KeyDigest of the document is in force at `t`. */
export function checkSomeValidAt(doc: TrustAnchorDocument, atEpochSeconds: number): void {
  checkSomeDigestValidAt(doc.keyDigests, atEpochSeconds, `TrustAnchor ${doc.id}`);
}

/** One KeyDigest valid at the time, and whether it designates a key of the DNSKEY RRset given. */
export interface AnchoredKeyMatch {
  readonly keyDigest: KeyDigest;
  readonly inDnskeyRrset: boolean;
}

/**
 * Each KeyDigest valid at `t`, and whether it designates a key of the DNSKEY RRset (its DS digest
 * matches a key at the document's zone, as a resolver bootstrapping from the file checks).
 */
export function anchoredKeyMatches(doc: TrustAnchorDocument, dnskeys: readonly RR<DnskeyRdata>[], atEpochSeconds: number): AnchoredKeyMatch[] {
  return doc.keyDigests
    .filter((kd) => isValidAt(kd, atEpochSeconds))
    .map((kd) => {
      const anchor = makeRR(doc.zone, 0, keyDigestDs(kd));
      return { keyDigest: kd, inDnskeyRrset: dnskeys.some((k) => anchorDesignates(anchor, k)) };
    });
}

/** TA-DNSKEY-ANCHORED: some KeyDigest valid at `t` designates a key of the DNSKEY RRset (`anchoredKeyMatches`). */
export function checkDnskeyAnchored(matches: readonly AnchoredKeyMatch[], atEpochSeconds: number, where: string): void {
  if (!matches.some((m) => m.inDnskeyRrset)) {
    throw taCheck(
      "TA-DNSKEY-ANCHORED",
      `no KeyDigest valid at ${formatIsoUtc(atEpochSeconds)} designates a DNSKEY in it; a resolver could not validate`,
      where,
    );
  }
}

/** Every check on a document: each KeyDigest's key, and an anchor in force at `t`. */
export function checkRootAnchors(doc: TrustAnchorDocument, atEpochSeconds: number): void {
  for (const kd of doc.keyDigests) checkDigestMatchesKey(doc, kd);
  checkSomeValidAt(doc, atEpochSeconds);
}

// --- Reading -------------------------------------------------------------------------------------

/** The codes of root-anchors.xml reading faults (exit 3). */
const TA_XML_CODES: XmlCodes = {
  tooLarge: "TA-TOO-LARGE",
  encoding: "TA-ENCODING",
  doctype: "TA-DOCTYPE",
  charRef: "TA-CHARREF",
  malformed: "TA-XML",
  structure: "TA-STRUCTURE",
  attribute: "TA-ATTRIBUTE",
  missing: "TA-STRUCTURE",
  duplicate: "TA-STRUCTURE",
};

const MAX_BYTES = 1024 * 1024;
const MAX_KEY_DIGESTS = 1000;
/** TrustAnchor/KeyDigest/PublicKey is the deepest element (RFC 9718 §2). */
const MAX_DEPTH = 3;

/** Read root-anchors.xml (RFC 9718 or RFC 7958 form). Throws bad input naming the file, line and element. */
export function parseRootAnchors(bytes: Uint8Array, fileName = "root-anchors.xml"): TrustAnchorDocument {
  const root = readStrictXml(bytes, { fileName, maxBytes: MAX_BYTES, maxDepth: MAX_DEPTH, kind: "root-anchors.xml files", codes: TA_XML_CODES });
  const w = new XmlWalker(fileName, TA_XML_CODES);
  if (root.name !== "TrustAnchor") throw w.bad(root, "TA-STRUCTURE", "the document element must be TrustAnchor");
  requiredAttributes(w, root, ["id", "source"]);
  const children = w.children(root, [
    ["Zone", "1"],
    ["KeyDigest", "+"],
  ]);
  const zoneElement = w.one(children, "Zone");
  const zoneText = leafText(w, zoneElement);
  let zone: Name;
  try {
    zone = parseName(zoneText);
  } catch (e) {
    throw w.bad(zoneElement, "TA-ZONE", `Zone "${zoneText}" is not a domain name: ${(e as Error).message}`);
  }
  const digestElements = children.get("KeyDigest") as XmlElement[];
  if (digestElements.length > MAX_KEY_DIGESTS)
    throw w.bad(root, "TA-STRUCTURE", `has ${digestElements.length} KeyDigests; at most ${MAX_KEY_DIGESTS} are read`);
  const ids = new Set<string>();
  const keyDigests = digestElements.map((element) => {
    const kd = readKeyDigest(w, element);
    if (ids.has(kd.id)) throw w.bad(element, "TA-DUPLICATE-ID", `KeyDigest id "${kd.id}" is used twice`);
    ids.add(kd.id);
    return kd;
  });
  return { id: root.attributes.id as string, source: root.attributes.source as string, zone, keyDigests };
}

function readKeyDigest(w: XmlWalker, e: XmlElement): KeyDigest {
  requiredAttributes(w, e, ["id", "validFrom"], ["validUntil"]);
  const { id, validFrom, validUntil } = e.attributes as { id: string; validFrom: string; validUntil?: string };
  const validFromEpochSeconds = w.at(e, () => parseIsoUtc(validFrom, "validFrom"));
  const validUntilEpochSeconds = validUntil === undefined ? undefined : w.at(e, () => parseIsoUtc(validUntil, "validUntil"));
  if (validUntilEpochSeconds !== undefined && validUntilEpochSeconds <= validFromEpochSeconds) {
    throw w.bad(e, "TA-VALIDITY", `validUntil ${validUntil} is not after validFrom ${validFrom}`);
  }
  const found = w.children(e, [
    ["KeyTag", "1"],
    ["Algorithm", "1"],
    ["DigestType", "1"],
    ["Digest", "1"],
    ["PublicKey", "?"],
    ["Flags", "?"],
  ]);
  const number = (name: string, max: number) => {
    const element = w.one(found, name);
    const text = leafText(w, element);
    if (!/^\d{1,6}$/.test(text) || Number(text) > max) throw w.bad(element, "TA-NUMBER", `"${text}" is not an integer from 0 to ${max}`);
    return Number(text);
  };
  const keyTagValue = number("KeyTag", 0xffff);
  const algorithm = number("Algorithm", 0xff);
  const digestType = number("DigestType", 0xff);
  const digestElement = w.one(found, "Digest");
  const digestBytes = w.at(digestElement, () => hexToBytes(leafText(w, digestElement), "Digest"));
  const ds: DsRdata = { kind: "DS", keyTag: keyTagValue, algorithm, digestType, digestBytes };
  try {
    checkDsDigestLength(ds); // also refuses unknown digest types (no fallback)
  } catch (err) {
    throw w.bad(digestElement, (err as KskError).code, (err as KskError).detail);
  }
  const publicKeyElement = found.get("PublicKey")?.[0];
  const hasFlags = (found.get("Flags") ?? []).length > 0;
  if ((publicKeyElement === undefined) !== !hasFlags) {
    // The digest covers the flags (RFC 4034 §5.1.4): a key without them cannot be checked.
    throw w.bad(e, "TA-STRUCTURE", "PublicKey and Flags come together (the DNSKEY needs both)");
  }
  const publicKeyBytes = publicKeyElement === undefined ? undefined : w.at(publicKeyElement, () => base64ToBytes(leafText(w, publicKeyElement), "PublicKey"));
  const flags = hasFlags ? number("Flags", 0xffff) : undefined;
  return { id, validFromEpochSeconds, validUntilEpochSeconds, keyTag: keyTagValue, algorithm, digestType, digestBytes, publicKeyBytes, flags };
}

/** Known attributes only; the required ones present and not blank. */
function requiredAttributes(w: XmlWalker, e: XmlElement, required: readonly string[], optional: readonly string[] = []): void {
  w.attributes(e, required, optional);
  const blank = required.find((name) => (e.attributes[name] as string).trim() === "");
  if (blank) throw w.bad(e, "TA-STRUCTURE", `attribute ${blank} is empty`);
}

/** The trimmed text of a leaf element, which must not be empty. */
function leafText(w: XmlWalker, e: XmlElement): string {
  const text = w.leaf(e);
  if (text === "") throw w.bad(e, "TA-STRUCTURE", `${e.name} is empty`);
  return text;
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
