/**
 * The hostile-input corpus: for every kind of file the toolkit reads, inputs built to break a
 * reader — entity expansion, external entities, deep nesting, 100 MB, BOMs and UTF-16, invalid
 * UTF-8, NUL and ESC bytes, out-of-range numbers, bad base64/hex, truncated RDATA, degenerate
 * keys, impossible times and durations, YAML alias bombs and duplicate keys, 10,000 KeyDigests, a
 * p7s that is not DER, a PEM of the wrong kind. Big inputs are generated when the test runs, never
 * committed. Each case says how to run `ksk` on it and what must come out; hostile.test.ts runs
 * them as real processes. To add inputs (transcripts, zone signing), add rows: `files` are written
 * into the case's own directory, `args` name them relative to it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const fixture = (file: string) => readFileSync(path.join(REPO, file));
const text = (file: string) => fixture(file).toString("utf8");

export const KSR_FILE = "packages/ksr/test/fixtures/ksr-root-2017-q2-0.xml";
export const SKR_FILE = "packages/ksr/test/fixtures/skr-root-2017-q1-0.xml";
export const ANCHORS_FILE = "packages/trust-anchor/test/fixtures/root-anchors-rfc9718-2024.xml";
export const APEX_FILE = "packages/core/test/fixtures/root-apex-2023-11-04.txt";

const KSR = () => text(KSR_FILE);
const SKR = () => text(SKR_FILE);
const ANCHORS = () => text(ANCHORS_FILE);
const APEX = () => text(APEX_FILE);

/** The lab PKI the p7s, certificate and key cases use; made once by the runner in `shared/`. */
export const SHARED = { ca: "shared/ca.pem", signerCert: "shared/signer.pem", signerKey: "shared/signer.key", config: "shared/ksrsigner.yaml" };

export const EXIT = { checkFailed: 1, usage: 2, badInput: 3, keystore: 4, refused: 5 } as const;

export interface HostileCase {
  /** What kind of input this attacks: "KSR", "zone file", … */
  readonly input: string;
  readonly name: string;
  /** Files to create in the case directory: bytes, text, or a generator (for the big ones). */
  readonly files: Readonly<Record<string, Uint8Array | string | (() => Uint8Array | string)>>;
  /** The `ksk` command line, run in the case directory. */
  readonly args: readonly string[];
  readonly exit: number;
  /** The file the message must name (default: the first of `files`). */
  readonly names?: string;
  /** What else the message must say: the place and the problem. */
  readonly says: readonly RegExp[];
}

const ONE_MB = 1024 * 1024;
/** 32-bit big-endian integers (Frame Streams lengths and control words). */
const be32 = (...values: number[]) => Buffer.concat(values.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])));
/** The Frame Streams escape + START naming the dnstap content type (42 octets), and STOP. */
const DNSTAP_START = Buffer.concat([be32(0, 34, 2, 1, 22), Buffer.from("protobuf:dnstap.Dnstap")]);
const DNSTAP_STOP = be32(0, 4, 3);
/** `head`, then `filler` repeated to `megabytes` MB: big inputs are made here, not committed. */
function big(head: string, filler: string, megabytes: number): () => Uint8Array {
  return () => {
    const out = Buffer.alloc(megabytes * ONE_MB, filler);
    out.write(head, 0);
    return out;
  };
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE KSR [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<KSR id="&lol9;" domain="." serial="1"/>
`;
const EXTERNAL_ENTITY = `<?xml version="1.0"?>\n<!DOCTYPE KSR [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<KSR id="&x;" domain="." serial="1"/>\n`;
const deepNesting = (root: string) => () => `<${root}>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</${root}>\n`;
const YAML_ALIAS_BOMB = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;
const utf16 = (s: string) => () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
const withBytes = (s: string, at: string, bytes: number[]) => () => {
  const i = s.indexOf(at);
  return Buffer.concat([Buffer.from(s.slice(0, i)), Buffer.from(bytes), Buffer.from(s.slice(i))]);
};

/** A signer config that reads (IANA's layout); hostile variants replace parts of it. */
export const CONFIG_TEXT = `keystore: "file:keystore"
keys:
  ksk_current:
    description: lab KSK
    label: Kcurrnt
    key_tag: 20326
    algorithm: RSASHA256
    rsa_size: 2048
    rsa_exponent: 65537
    valid_from: 2017-01-01T00:00:00+00:00
ksk_policy:
  publish_safety: P10D
  retire_safety: P28D
  max_signature_validity: P21D
  min_signature_validity: P21D
  max_validity_overlap: P16D
  min_validity_overlap: P9D
`;
const POLICY_TEXT = "request_policy:\n  num_bundles: 9\n  signature_horizon_days: 180\n";

const KSR_VALIDATE = (file: string) => ["ksr", "validate", file, "--now", "2017-03-01T00:00:00Z"];
const SIGN_WITH_CONFIG = (config: string) => ["skr", "sign", "ksr.xml", "--config", config, "--no-previous-skr", "--yes", "-o", "skr-out.xml"];
const RSA_EXPONENT_1 = `. 172800 IN DNSKEY 257 3 8 ${Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(256, 0xc5)]).toString("base64")}\n`;
const ONE_BIT_RSA = `. 172800 IN DNSKEY 257 3 8 ${Buffer.from([3, 1, 0, 1, 1]).toString("base64")}\n`;

export const CASES: readonly HostileCase[] = [
  // KSR (ksk ksr validate)
  { input: "KSR", name: "billion laughs", files: { "ksr.xml": BILLION_LAUGHS }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/DOCTYPE|DTD/i] },
  { input: "KSR", name: "external entity", files: { "ksr.xml": EXTERNAL_ENTITY }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/DOCTYPE|DTD|entit/i] },
  { input: "KSR", name: "100 MB", files: { "ksr.xml": big(KSR().slice(0, 2000), " ", 100) }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/bytes|large/] },
  { input: "KSR", name: "100,000 levels of nesting", files: { "ksr.xml": deepNesting("KSR") }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/./] },
  { input: "KSR", name: "UTF-16 with a BOM", files: { "ksr.xml": utf16(KSR()) }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/UTF-8|encoding/i] },
  {
    input: "KSR",
    name: "invalid UTF-8",
    files: { "ksr.xml": withBytes(KSR(), "<Request>", [0xc3, 0x28]) },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/UTF-8/],
  },
  {
    input: "KSR",
    name: "NUL and ESC bytes in an id",
    files: { "ksr.xml": KSR().replace('id="23e34059', 'id="\u001b[31m\u0000evil') },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/./],
  },
  {
    input: "KSR",
    name: "key tag 65536",
    files: { "ksr.xml": KSR().replace('keyTag="14796"', 'keyTag="65536"') },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/:\d+/, /65536/],
  },
  {
    input: "KSR",
    name: "bad base64",
    files: { "ksr.xml": KSR().replace("<PublicKey>AwEAAZLs", "<PublicKey>Aw$AAZLs") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/:\d+/, /base64/],
  },
  {
    input: "KSR",
    name: "a huge serial",
    files: { "ksr.xml": KSR().replace('serial="1"', `serial="${"9".repeat(400)}"`) },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/serial/],
  },
  {
    input: "KSR",
    name: "a negative TTL",
    files: { "ksr.xml": KSR().replace("<TTL>172800</TTL>", "<TTL>-1</TTL>") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/:\d+/, /TTL/],
  },
  {
    input: "KSR",
    name: "TTL 2^31 (RFC 2181 §8)",
    files: { "ksr.xml": KSR().replace("<TTL>172800</TTL>", "<TTL>2147483648</TTL>") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/TTL/],
  },
  {
    input: "KSR",
    name: "year 0",
    files: { "ksr.xml": KSR().replace("<Inception>2017-04-01T00:00:00</Inception>", "<Inception>0000-04-01T00:00:00</Inception>") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/Inception/],
  },
  {
    input: "KSR",
    name: "year 9999",
    files: { "ksr.xml": KSR().replace("<Expiration>2017-04-22T00:00:00</Expiration>", "<Expiration>9999-04-22T00:00:00</Expiration>") },
    args: KSR_VALIDATE("ksr.xml"),
    // A bundle's Expiration is no RRSIG field: the reader takes it, the validity checks fail it.
    exit: 1,
    says: [/FAIL KSR-/],
  },
  {
    input: "KSR",
    name: "a duration in months",
    files: { "ksr.xml": KSR().replace("<PublishSafety>P10D", "<PublishSafety>P1M") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/PublishSafety/, /month/],
  },
  {
    input: "KSR",
    name: "an unbounded duration",
    files: { "ksr.xml": KSR().replace("<PublishSafety>P10D", "<PublishSafety>P99999999999999999999D") },
    args: KSR_VALIDATE("ksr.xml"),
    exit: 3,
    says: [/PublishSafety/, /longer than/],
  },
  { input: "KSR", name: "an SKR where a KSR belongs", files: { "ksr.xml": SKR() }, args: KSR_VALIDATE("ksr.xml"), exit: 3, says: [/SKR/] },

  // SKR (ksk skr verify)
  { input: "SKR", name: "truncated in the middle", files: { "skr.xml": SKR().slice(0, 20_000) }, args: ["skr", "verify", "skr.xml"], exit: 3, says: [/./] },
  {
    input: "SKR",
    name: "a zero-length key",
    files: { "skr.xml": SKR().replace(/<PublicKey>[^<]*<\/PublicKey>/, "<PublicKey></PublicKey>") },
    args: ["skr", "verify", "skr.xml"],
    exit: 3,
    says: [/PublicKey/],
  },
  { input: "SKR", name: "billion laughs", files: { "skr.xml": BILLION_LAUGHS }, args: ["skr", "verify", "skr.xml"], exit: 3, says: [/DOCTYPE|DTD/i] },
  { input: "SKR", name: "100,000 levels of nesting", files: { "skr.xml": deepNesting("KSR") }, args: ["skr", "verify", "skr.xml"], exit: 3, says: [/./] },

  // root-anchors.xml (ksk anchors verify)
  {
    input: "root-anchors.xml",
    name: "10,000 KeyDigests",
    files: {
      "root-anchors.xml": () => {
        const a = ANCHORS();
        const one = a.slice(a.indexOf("<KeyDigest"), a.indexOf("</KeyDigest>") + "</KeyDigest>".length);
        return a.replace(one, Array.from({ length: 10_000 }, (_, i) => one.replace('id="Kjqmt7v"', `id="K${i}"`)).join("\n"));
      },
    },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/./],
  },
  {
    input: "root-anchors.xml",
    name: "billion laughs",
    files: { "root-anchors.xml": BILLION_LAUGHS.replace(/KSR/g, "TrustAnchor") },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/DOCTYPE/],
  },
  {
    input: "root-anchors.xml",
    name: "digest type 3 (GOST)",
    files: { "root-anchors.xml": ANCHORS().replace("<DigestType>2</DigestType>", "<DigestType>3</DigestType>") },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/KeyDigest/, /type 3/],
  },
  {
    input: "root-anchors.xml",
    name: "key tag 65536",
    files: { "root-anchors.xml": ANCHORS().replace("<KeyTag>19036</KeyTag>", "<KeyTag>65536</KeyTag>") },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/KeyTag/],
  },
  {
    input: "root-anchors.xml",
    name: "validFrom in year 0",
    files: { "root-anchors.xml": ANCHORS().replace('validFrom="2010-07-15T00:00:00+00:00"', 'validFrom="0000-07-15T00:00:00+00:00"') },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/validFrom/],
  },
  {
    input: "root-anchors.xml",
    name: "a UTF-8 BOM then UTF-16",
    files: { "root-anchors.xml": utf16(ANCHORS()) },
    args: ["anchors", "verify", "root-anchors.xml"],
    exit: 3,
    says: [/UTF-8/],
  },

  // signer config YAML (ksk skr sign --config)
  {
    input: "signer config",
    name: "YAML alias bomb",
    files: { "ksrsigner.yaml": YAML_ALIAS_BOMB, "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/alias|YAML/i],
  },
  {
    input: "signer config",
    name: "duplicate keys",
    files: { "ksrsigner.yaml": CONFIG_TEXT.replace("ksk_policy:", "ksk_policy:\n  retire_safety: P1D"), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/retire_safety|duplicate|unique/i],
  },
  {
    input: "signer config",
    name: "an unbounded duration",
    files: { "ksrsigner.yaml": CONFIG_TEXT.replace("retire_safety: P28D", "retire_safety: P99999999999999999999D"), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/ksk_policy\.retire_safety/, /longer than/],
  },
  {
    input: "signer config",
    name: "a duration in months",
    files: { "ksrsigner.yaml": CONFIG_TEXT.replace("retire_safety: P28D", "retire_safety: P1M"), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/ksk_policy\.retire_safety/, /month/],
  },
  {
    input: "signer config",
    name: "ESC and NUL in a label",
    files: { "ksrsigner.yaml": CONFIG_TEXT.replace("label: Kcurrnt", 'label: "K\\e[31m\\0x"'), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/label/],
  },
  {
    input: "signer config",
    name: "100 MB",
    files: { "ksrsigner.yaml": big("keys:\n", "#", 100), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/bytes|large/],
  },
  {
    input: "signer config",
    name: "invalid UTF-8",
    files: { "ksrsigner.yaml": withBytes(CONFIG_TEXT, "keys:", [0xff, 0xfe, 0x0a]), "ksr.xml": KSR() },
    args: SIGN_WITH_CONFIG("ksrsigner.yaml"),
    exit: 3,
    says: [/UTF-8/],
  },

  // KSR policy YAML (ksk ksr validate --policy)
  {
    input: "policy",
    name: "YAML alias bomb",
    files: { "policy.yaml": YAML_ALIAS_BOMB, "ksr.xml": KSR() },
    args: [...KSR_VALIDATE("ksr.xml"), "--policy", "policy.yaml"],
    exit: 3,
    says: [/alias|YAML/i],
  },
  {
    input: "policy",
    name: "duplicate keys",
    files: { "policy.yaml": `${POLICY_TEXT}  num_bundles: 8\n`, "ksr.xml": KSR() },
    args: [...KSR_VALIDATE("ksr.xml"), "--policy", "policy.yaml"],
    exit: 3,
    says: [/num_bundles|duplicate|unique/i],
  },
  {
    input: "policy",
    name: "a huge number",
    files: { "policy.yaml": POLICY_TEXT.replace("num_bundles: 9", `num_bundles: 1${"0".repeat(400)}`), "ksr.xml": KSR() },
    args: [...KSR_VALIDATE("ksr.xml"), "--policy", "policy.yaml"],
    exit: 3,
    says: [/num_bundles/],
  },
  {
    input: "policy",
    name: "a negative number",
    files: { "policy.yaml": POLICY_TEXT.replace("signature_horizon_days: 180", "signature_horizon_days: -1"), "ksr.xml": KSR() },
    args: [...KSR_VALIDATE("ksr.xml"), "--policy", "policy.yaml"],
    exit: 3,
    says: [/signature_horizon_days/],
  },

  // root-anchors.p7s (ksk anchors verify --p7s)
  {
    input: "p7s",
    name: "not DER",
    files: { "root-anchors.xml": ANCHORS(), "root-anchors.p7s": "this is not DER\n" },
    names: "root-anchors.p7s",
    args: ["anchors", "verify", "root-anchors.xml", "--p7s", "root-anchors.p7s", "--ca", `../${SHARED.ca}`],
    exit: 3,
    says: [/DER/],
  },
  {
    input: "p7s",
    name: "a PEM certificate where the p7s belongs",
    files: { "root-anchors.xml": ANCHORS() },
    names: "signer.pem",
    args: ["anchors", "verify", "root-anchors.xml", "--p7s", `../${SHARED.signerCert}`, "--ca", `../${SHARED.ca}`],
    exit: 3,
    says: [/DER|CMS/],
  },
  {
    input: "p7s",
    name: "empty",
    files: { "root-anchors.xml": ANCHORS(), "root-anchors.p7s": "" },
    names: "root-anchors.p7s",
    args: ["anchors", "verify", "root-anchors.xml", "--p7s", "root-anchors.p7s", "--ca", `../${SHARED.ca}`],
    exit: 3,
    says: [/DER|empty/],
  },

  // CSR (ksk csr show)
  {
    input: "CSR",
    name: "a certificate PEM where the CSR belongs",
    files: {},
    names: "signer.pem",
    args: ["csr", "show", `../${SHARED.signerCert}`],
    exit: 3,
    says: [/CERTIFICATE REQUEST|CSR|PKCS#10/],
  },
  {
    input: "CSR",
    name: "garbage",
    files: { "ksk.csr": "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n" },
    args: ["csr", "show", "ksk.csr"],
    exit: 3,
    says: [/./],
  },
  {
    input: "CSR",
    name: "100 MB",
    files: { "ksk.csr": big("-----BEGIN CERTIFICATE REQUEST-----\n", "A", 100) },
    args: ["csr", "show", "ksk.csr"],
    exit: 3,
    says: [/bytes|large/],
  },

  // certificates (ksk anchors sign --cert): nothing may be written
  {
    input: "certificate",
    name: "a CSR PEM where the certificate belongs",
    files: { "root-anchors.xml": ANCHORS(), "cert.pem": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n" },
    names: "cert.pem",
    args: ["anchors", "sign", "root-anchors.xml", "--cert", "cert.pem", "--key", `../${SHARED.signerKey}`, "--at", "2026-11-28T12:00:00Z", "-o", "out.p7s"],
    exit: 3,
    says: [/certificate/i],
  },
  {
    input: "certificate",
    name: "a certificate that is not DER",
    files: { "root-anchors.xml": ANCHORS(), "cert.pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" },
    names: "cert.pem",
    args: ["anchors", "sign", "root-anchors.xml", "--cert", "cert.pem", "--key", `../${SHARED.signerKey}`, "--at", "2026-11-28T12:00:00Z", "-o", "out.p7s"],
    exit: 3,
    says: [/DER|certificate/i],
  },

  // key files (ksk anchors sign --key): nothing may be written
  {
    input: "key file",
    name: "a certificate where the key belongs",
    files: { "root-anchors.xml": ANCHORS() },
    names: "signer.pem",
    args: [
      "anchors",
      "sign",
      "root-anchors.xml",
      "--cert",
      `../${SHARED.signerCert}`,
      "--key",
      `../${SHARED.signerCert}`,
      "--at",
      "2026-11-28T12:00:00Z",
      "-o",
      "out.p7s",
    ],
    exit: 3,
    says: [/key/i],
  },
  {
    input: "key file",
    name: "garbage",
    files: { "root-anchors.xml": ANCHORS(), "signer.key": "-----BEGIN PRIVATE KEY-----\n\u001b]0;pwned\u0007\n-----END PRIVATE KEY-----\n" },
    names: "signer.key",
    args: ["anchors", "sign", "root-anchors.xml", "--cert", `../${SHARED.signerCert}`, "--key", "signer.key", "--at", "2026-11-28T12:00:00Z", "-o", "out.p7s"],
    exit: 3,
    says: [/key/i],
  },

  // zone files (ksk ds, ksk rrset verify)
  {
    input: "zone file",
    name: "a 5 MB base64 DNSKEY",
    files: { "big.zone": () => `. 172800 IN DNSKEY 257 3 8 ${Buffer.alloc(3_750_000, 7).toString("base64")}\n` },
    args: ["ds", "big.zone"],
    exit: 3,
    says: [/big\.zone:1:/, /modulus/],
  },
  {
    input: "zone file",
    name: "100 MB",
    files: { "big.zone": big("; big\n", ";", 100) },
    args: ["rrset", "verify", "big.zone"],
    exit: 3,
    says: [/bytes|large/],
  },
  {
    input: "zone file",
    name: "TTL 2^31 (RFC 2181 §8)",
    files: { "z.zone": ". 2147483648 IN NS a.root-servers.net.\n" },
    args: ["rrset", "verify", "z.zone"],
    exit: 3,
    says: [/:1/, /TTL/],
  },
  { input: "zone file", name: "RSA exponent 1", files: { "k.zone": RSA_EXPONENT_1 }, args: ["ds", "k.zone"], exit: 3, says: [/k\.zone:1/, /exponent 1 /] },
  { input: "zone file", name: "a 1-bit RSA modulus", files: { "k.zone": ONE_BIT_RSA }, args: ["ds", "k.zone"], exit: 3, says: [/modulus|bits/] },
  {
    input: "zone file",
    name: "a zero-length key",
    files: { "k.zone": ". 172800 IN DNSKEY 257 3 15 \\# 4 01010300\n" },
    args: ["keytag", "k.zone"],
    exit: 3,
    says: [/:1/],
  },
  {
    input: "zone file",
    name: "truncated RDATA",
    files: { "k.zone": ". 172800 IN DNSKEY \\# 10 0101030d\n" },
    args: ["keytag", "k.zone"],
    exit: 3,
    says: [/:1/],
  },
  {
    input: "zone file",
    name: "NUL and ESC bytes",
    files: { "k.zone": ". 172800 IN NS a.root\u0000\u001b[2J-servers.net.\n" },
    args: ["rrset", "verify", "k.zone"],
    exit: 3,
    says: [/:1/],
  },
  {
    input: "zone file",
    name: "invalid UTF-8",
    files: { "k.zone": withBytes(APEX(), ".\t", [0xc0, 0xaf]) },
    args: ["rrset", "verify", "k.zone"],
    exit: 3,
    says: [/UTF-8/],
  },
  { input: "zone file", name: "UTF-16 with a BOM", files: { "k.zone": utf16(APEX()) }, args: ["rrset", "verify", "k.zone"], exit: 3, says: [/UTF-8/] },

  // DNSKEY/DS files (ksk rrset verify --anchor)
  {
    input: "DS file",
    name: "digest type 3 (GOST)",
    files: { "anchor.ds": ". 172800 IN DS 20326 8 3 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n" },
    args: ["rrset", "verify", `${REPO}/${APEX_FILE}`, "--anchor", "anchor.ds"],
    exit: 3,
    says: [/anchor\.ds:1/, /type 3/],
  },
  {
    input: "DS file",
    name: "key tag 65536",
    files: { "anchor.ds": ". 172800 IN DS 65536 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n" },
    args: ["rrset", "verify", `${REPO}/${APEX_FILE}`, "--anchor", "anchor.ds"],
    exit: 3,
    says: [/anchor\.ds:1/, /65536/],
  },
  {
    input: "DS file",
    name: "bad hex",
    files: { "anchor.ds": ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8ECXX\n" },
    args: ["rrset", "verify", `${REPO}/${APEX_FILE}`, "--anchor", "anchor.ds"],
    exit: 3,
    says: [/anchor\.ds:1/, /hex/],
  },
  {
    input: "DNSKEY file",
    name: "a one-octet RSA key, nothing written",
    files: { "k.dnskey": ". 172800 IN DNSKEY 257 3 8 AQ==\n" },
    args: ["anchors", "build", "--dnskey", "k.dnskey", "-o", "out.xml"],
    exit: 3,
    says: [/k\.dnskey:1/, /too short|exponent/],
  },

  // dnstap files (ksk telemetry): Frame Streams START naming protobuf:dnstap.Dnstap, frames, STOP
  {
    input: "dnstap file",
    name: "100 MB of zeros after START",
    files: { "q.dnstap": () => Buffer.concat([DNSTAP_START, Buffer.alloc(100 * ONE_MB)]) },
    args: ["telemetry", "q.dnstap"],
    exit: 3,
    says: [/frame at octet 42:/, /control frame of 0 octets/],
  },
  {
    input: "dnstap file",
    name: "a data frame announcing 1 GiB",
    files: { "q.dnstap": Buffer.concat([DNSTAP_START, be32(0x40000000)]) },
    args: ["telemetry", "q.dnstap"],
    exit: 3,
    says: [/frame at octet 42:/, /over the limit/],
  },
  {
    input: "dnstap file",
    name: "cut short inside a frame",
    files: { "q.dnstap": Buffer.concat([DNSTAP_START, be32(100), Buffer.alloc(10, 0x0a)]) },
    args: ["telemetry", "q.dnstap"],
    exit: 3,
    says: [/frame at octet 42:/, /ends inside it/],
  },
  {
    input: "dnstap file",
    name: "another content type",
    files: { "q.fstrm": Buffer.concat([be32(0, 31, 2, 1, 19), Buffer.from("protobuf:other.Msg"), Buffer.from([0]), DNSTAP_STOP]) },
    args: ["telemetry", "q.fstrm"],
    exit: 3,
    says: [/frame at octet 0:/, /content type "protobuf:other\.Msg\\x00"/],
  },
  {
    input: "dnstap file",
    name: "a frame that is not a dnstap event",
    files: { "q.dnstap": Buffer.concat([DNSTAP_START, be32(3), Buffer.from([0x0a, 0x05, 0x01]), DNSTAP_STOP]) },
    args: ["telemetry", "q.dnstap"],
    exit: 3,
    says: [/frame at octet 42:/, /not a dnstap event/],
  },

  // usage
  {
    input: "command line",
    name: "-o - (standard output) is refused before any key is used",
    files: { "root-anchors.xml": ANCHORS() },
    names: "-o -",
    args: ["anchors", "sign", "root-anchors.xml", "--cert", `../${SHARED.signerCert}`, "--key", `../${SHARED.signerKey}`, "-o", "-"],
    exit: 2,
    says: [/standard output/],
  },
];
