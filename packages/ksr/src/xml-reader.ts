/**
 * The strict, bounded reader of KSR/SKR XML (IANA's ksr.rnc).
 *
 * The bytes go through @ksk/xml's strict reader (size cap, 1 MiB by default; UTF-8 only; DOCTYPE,
 * ENTITY and character references refused; well-formedness; a depth cap of the schema's six
 * levels; attribute values in printable ASCII; line numbers), then a walk that follows the schema
 * exactly: every element in its place and order, no unknown or repeated elements or attributes,
 * required fields present, text only in leaf elements, numbers in range, times in UTC, base64
 * strict (whitespace allowed, as real files wrap it).
 *
 * Accepted because real files contain them: times with no zone designator (read as UTC), `Z` or
 * `+00:00`; zero-padded key tags (`05145`); whitespace inside base64; unindented files; several
 * SignatureAlgorithm entries; optional Signer elements and `timestamp` attributes. A key whose
 * `keyTag` attribute disagrees with the tag computed from it is a KSR-BUNDLE-KEYS failure in a KSR
 * (reported with all other checks) and bad input in an SKR: the file contradicts itself, and
 * which of the two a reader believes must not depend on the reader.
 *
 * The original bytes are returned untouched: they are what is hashed and shown to witnesses.
 * Not checked here: anything that is policy (counts, windows, signatures) — see ./checks.ts.
 */
import { KskError, MAX_TTL_SECONDS, base64ToBytes, parseDuration, parseIsoUtc, parseName, parseType, previewText } from "@ksk/core";
import { type XmlCodes, type XmlElement, XmlWalker, readStrictXml } from "@ksk/xml";
import type { AlgorithmPolicy, Bundle, BundleKey, BundleSignature, KsrDocument, KsrRequestDocument, KsrResponseDocument, SignaturePolicy } from "./model.js";
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

/** The codes of KSR/SKR reading faults (exit 3), in IANA's naming style. */
const KSR_XML_CODES: XmlCodes = {
  tooLarge: "KSR-XML-TOO-LARGE",
  encoding: "KSR-XML-ENCODING",
  doctype: "KSR-XML-DOCTYPE",
  charRef: "KSR-XML-CHARREF",
  malformed: "KSR-XML-MALFORMED",
  structure: "KSR-XML-STRUCTURE",
  attribute: "KSR-XML-ATTRIBUTE",
  missing: "KSR-XML-MISSING",
  duplicate: "KSR-XML-DUPLICATE",
};

/** Deepest element in the schema is KSR/Request/RequestPolicy/ZSK/SignatureAlgorithm/RSA (6). */
const MAX_DEPTH = 6;

export function parseKsrXml(bytes: Uint8Array, options: ParseKsrOptions = {}): ParsedKsr {
  const fileName = options.fileName ?? "KSR";
  const root = readStrictXml(bytes, {
    fileName,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_KSR_BYTES,
    maxDepth: MAX_DEPTH,
    kind: "KSR files",
    codes: KSR_XML_CODES,
  });
  const w = new XmlWalker(fileName, KSR_XML_CODES);
  if (root.name !== "KSR") throw w.bad(root, "KSR-XML-ROOT", `root element is <${root.name}>; a KSR or SKR has <KSR>`);
  return { document: readDocument(w, root), originalBytes: bytes };
}

function integer(w: XmlWalker, e: XmlElement, text: string, field: string, max: number, min = 0): number {
  if (!/^\d+$/.test(text)) throw w.bad(e, "KSR-XML-NUMBER", `${field} "${previewText(text)}" is not a non-negative integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > max || value < min) throw w.bad(e, "KSR-XML-NUMBER", `${field} ${previewText(text)} is outside ${min}..${max}`);
  return value;
}

const time = (w: XmlWalker, e: XmlElement, text: string, field: string) => w.at(e, () => parseIsoUtc(text, field));
const U32 = 0xffffffff;

function rrsigTime(w: XmlWalker, e: XmlElement, text: string, field: string): number {
  const t = time(w, e, text, field);
  if (t < 0 || t > U32) throw w.bad(e, "KSR-XML-TIME", `${field} ${text} is outside the 32-bit RRSIG time range (1970..2106)`);
  return t;
}

function readDocument(w: XmlWalker, root: XmlElement): KsrDocument {
  w.attributes(root, ["id", "serial", "domain"]);
  const id = root.attributes.id as string;
  if (id.trim() === "") throw w.bad(root, "KSR-XML-MISSING", "the id attribute is empty");
  const serial = integer(w, root, (root.attributes.serial as string).trim(), "serial", Number.MAX_SAFE_INTEGER);
  const domain = (root.attributes.domain as string).trim();
  w.at(root, () => parseName(domain.endsWith(".") ? domain : `${domain}.`));
  const body = root.children[0];
  if (root.children.length !== 1 || !body || (body.name !== "Request" && body.name !== "Response")) {
    throw w.bad(body ?? root, "KSR-XML-STRUCTURE", `<KSR> must hold exactly one <Request> or <Response>`);
  }
  if (root.text.trim() !== "") throw w.bad(root, "KSR-XML-STRUCTURE", "<KSR> holds text where only elements belong");
  w.attributes(body, [], ["timestamp"]);
  const ts = body.attributes.timestamp;
  const header = { id, serial, domain, ...(ts === undefined ? {} : { timestampEpochSeconds: time(w, body, ts, "timestamp") }) };
  if (body.name === "Request") {
    const found = w.children(body, [
      ["RequestPolicy", "1"],
      ["RequestBundle", "+"],
    ]);
    const policyXmlElement = w.one(found, "RequestPolicy");
    const zsk = w.one(w.children(policyXmlElement, [["ZSK", "1"]]), "ZSK");
    const bundles = (found.get("RequestBundle") as XmlElement[]).map((b) => readBundle(w, b, true));
    return { kind: "request", ...header, policy: { zsk: readSignaturePolicy(w, zsk) }, bundles };
  }
  const found = w.children(body, [
    ["ResponsePolicy", "1"],
    ["ResponseBundle", "+"],
  ]);
  const policy = w.children(w.one(found, "ResponsePolicy"), [
    ["KSK", "1"],
    ["ZSK", "1"],
  ]);
  const bundles = (found.get("ResponseBundle") as XmlElement[]).map((b) => readBundle(w, b, false));
  return {
    kind: "response",
    ...header,
    policy: { ksk: readSignaturePolicy(w, w.one(policy, "KSK")), zsk: readSignaturePolicy(w, w.one(policy, "ZSK")) },
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

function readSignaturePolicy(w: XmlWalker, e: XmlElement): SignaturePolicy {
  w.attributes(e, []);
  const found = w.children(e, [...POLICY_FIELDS.map(([name]) => [name, "1"] as const), ["SignatureAlgorithm", "+"]]);
  const durations: Record<string, number> = {};
  for (const [name, field] of POLICY_FIELDS) {
    const el = w.one(found, name);
    durations[field] = w.at(el, () => parseDuration(w.leaf(el), name));
  }
  const algorithms = (found.get("SignatureAlgorithm") as XmlElement[]).map((a) => readAlgorithmPolicy(w, a));
  return { ...(durations as Omit<SignaturePolicy, "algorithms">), algorithms };
}

function readAlgorithmPolicy(w: XmlWalker, e: XmlElement): AlgorithmPolicy {
  w.attributes(e, ["algorithm"]);
  const algorithm = integer(w, e, (e.attributes.algorithm as string).trim(), "algorithm", 255);
  if (e.text.trim() !== "" || e.children.length !== 1) {
    throw w.bad(e, "KSR-XML-STRUCTURE", "<SignatureAlgorithm> must hold exactly one <RSA>, <ECDSA> or <DSA>");
  }
  const p = e.children[0] as XmlElement;
  if (p.children.length > 0 || p.text.trim() !== "") throw w.bad(p, "KSR-XML-STRUCTURE", `<${p.name}> must be empty`);
  const size = () => integer(w, p, (p.attributes.size as string).trim(), "size", 65535);
  switch (p.name) {
    case "RSA":
      w.attributes(p, ["size", "exponent"]);
      return { family: "RSA", algorithm, sizeBits: size(), exponent: integer(w, p, (p.attributes.exponent as string).trim(), "exponent", U32) };
    case "ECDSA":
      w.attributes(p, ["size"]);
      return { family: "ECDSA", algorithm, sizeBits: size() };
    case "DSA":
      w.attributes(p, ["size"]);
      return { family: "DSA", algorithm, sizeBits: size() };
    default:
      throw w.bad(p, "KSR-XML-STRUCTURE", `unknown element <${p.name}> in <SignatureAlgorithm>`);
  }
}

function readBundle(w: XmlWalker, e: XmlElement, request: boolean): Bundle {
  w.attributes(e, ["id"]);
  const id = (e.attributes.id as string).trim();
  if (id === "") throw w.bad(e, "KSR-XML-MISSING", "the bundle id attribute is empty");
  const found = w.children(e, [["Inception", "1"], ["Expiration", "1"], ...(request ? ([["Signer", "*"]] as const) : []), ["Key", "+"], ["Signature", "+"]]);
  const inception = w.one(found, "Inception");
  const expiration = w.one(found, "Expiration");
  const signers = (found.get("Signer") ?? []).map((s) => {
    w.attributes(s, ["keyIdentifier"]);
    w.empty(s);
    return s.attributes.keyIdentifier as string;
  });
  return {
    id,
    inceptionEpochSeconds: time(w, inception, w.leaf(inception), "Inception"),
    expirationEpochSeconds: time(w, expiration, w.leaf(expiration), "Expiration"),
    keys: (found.get("Key") as XmlElement[]).map((k) => readKey(w, k, request)),
    signatures: (found.get("Signature") as XmlElement[]).map((g) => readSignature(w, g)),
    ...(signers.length > 0 ? { signers } : {}),
  };
}

/**
 * A `Key`. In a KSR, a `keyTag` attribute that disagrees with the key (or key material whose tag
 * cannot be computed) is kept for KSR-BUNDLE-KEYS to report with every other finding, as IANA's
 * tool does; in an SKR, which this toolkit trusts as its own earlier output, it is bad input.
 */
function readKey(w: XmlWalker, e: XmlElement, request: boolean): BundleKey {
  w.attributes(e, ["keyTag"], ["keyIdentifier"]);
  const found = w.children(e, [
    ["TTL", "1"],
    ["Flags", "1"],
    ["Protocol", "1"],
    ["Algorithm", "1"],
    ["PublicKey", "1"],
  ]);
  const field = (name: string, max: number, min = 0) => {
    const el = w.one(found, name);
    return integer(w, el, w.leaf(el), name, max, min);
  };
  const publicKeyXmlElement = w.one(found, "PublicKey");
  const publicKeyBytes = w.at(publicKeyXmlElement, () => base64ToBytes(w.leaf(publicKeyXmlElement), "PublicKey"));
  if (publicKeyBytes.length === 0) throw w.bad(publicKeyXmlElement, "KSR-XML-MISSING", "PublicKey is empty");
  const key: BundleKey = {
    ...(e.attributes.keyIdentifier === undefined ? {} : { keyIdentifier: e.attributes.keyIdentifier }),
    ttlSeconds: field("TTL", MAX_TTL_SECONDS),
    dnskey: { kind: "DNSKEY", flags: field("Flags", 65535), protocol: field("Protocol", 3, 3), algorithm: field("Algorithm", 255), publicKeyBytes },
  };
  const declared = integer(w, e, (e.attributes.keyTag as string).trim(), "keyTag", 65535);
  let computed: number | undefined;
  try {
    computed = bundleKeyTag(key);
  } catch (err) {
    if (!request)
      w.at(e, () => {
        throw err;
      });
  }
  if (request) return declared === computed ? key : { ...key, keyTagAttribute: declared };
  if (declared !== computed) {
    throw w.bad(e, "KSR-XML-KEYTAG", `keyTag attribute says ${declared} but the key's tag is ${computed} (RFC 4034 Appendix B)`);
  }
  return key;
}

function readSignature(w: XmlWalker, e: XmlElement): BundleSignature {
  w.attributes(e, [], ["keyIdentifier"]);
  const found = w.children(e, [
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
  const text = (name: string) => w.leaf(w.one(found, name));
  const field = (name: string, max: number) => integer(w, w.one(found, name), text(name), name, max);
  const typeXmlElement = w.one(found, "TypeCovered");
  const nameXmlElement = w.one(found, "SignersName");
  const dataXmlElement = w.one(found, "SignatureData");
  const signatureBytes = w.at(dataXmlElement, () => base64ToBytes(text("SignatureData"), "SignatureData"));
  if (signatureBytes.length === 0) throw w.bad(dataXmlElement, "KSR-XML-MISSING", "SignatureData is empty");
  const signersName = text("SignersName");
  return {
    ...(e.attributes.keyIdentifier === undefined ? {} : { keyIdentifier: e.attributes.keyIdentifier }),
    ttlSeconds: field("TTL", MAX_TTL_SECONDS),
    rrsig: {
      kind: "RRSIG",
      typeCovered: w.at(typeXmlElement, () => parseType(text("TypeCovered"), "TypeCovered")),
      algorithm: field("Algorithm", 255),
      labels: field("Labels", 255),
      originalTtlSeconds: field("OriginalTTL", MAX_TTL_SECONDS),
      expirationEpochSeconds: rrsigTime(w, w.one(found, "SignatureExpiration"), text("SignatureExpiration"), "SignatureExpiration"),
      inceptionEpochSeconds: rrsigTime(w, w.one(found, "SignatureInception"), text("SignatureInception"), "SignatureInception"),
      keyTag: field("KeyTag", 65535),
      signerName: w.at(nameXmlElement, () => parseName(signersName.endsWith(".") ? signersName : `${signersName}.`)),
      signatureBytes,
    },
  };
}

/** A KSR file's document, which must be a request: an SKR given where a KSR belongs is bad input. */
export function parseKsrRequest(bytes: Uint8Array, options: ParseKsrOptions = {}): ParsedKsr & { readonly document: KsrRequestDocument } {
  const parsed = parseKsrXml(bytes, options);
  if (parsed.document.kind !== "request") {
    throw new KskError("input", "KSR-XML-KIND", "is an SKR (<Response>), not a KSR (<Request>)", { where: options.fileName ?? "KSR" });
  }
  return parsed as ParsedKsr & { readonly document: KsrRequestDocument };
}

/** An SKR file's document, which must be a response: a KSR given where an SKR belongs is bad input. */
export function parseSkrResponse(bytes: Uint8Array, options: ParseKsrOptions = {}): ParsedKsr & { readonly document: KsrResponseDocument } {
  const parsed = parseKsrXml(bytes, options);
  if (parsed.document.kind !== "response") {
    throw new KskError("input", "KSR-XML-KIND", "is a KSR (<Request>), not an SKR (<Response>)", { where: options.fileName ?? "SKR" });
  }
  return parsed as ParsedKsr & { readonly document: KsrResponseDocument };
}
