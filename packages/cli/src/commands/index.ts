/**
 * Every `ksk` command group, in the order `ksk --help` lists them: the name (the first word on
 * the command line), the one line `ksk --help` prints, and how to load the implementation.
 *
 * The table is all `ksk` reads at start-up. A group's module (and with it the packages it needs:
 * XML, X.509, zod, the PKCS#11 addon) is imported only when that group is the command being run,
 * so `ksk ds` does not pay for the KSR or CMS code. To add a group: write `commands/NAME.ts`
 * exporting a `CommandFactory` whose `command` starts with NAME (and has no `describe`: the line
 * below is the only one), then add ONE entry here. Never import a command module statically from
 * this file: the bundle would then load it for every command.
 */
import type { CommandFactory } from "./command.js";

export interface CommandEntry {
  /** The group's name: `ksk NAME …`. */
  readonly name: string;
  /** The one line `ksk --help` shows for the group. */
  readonly describe: string;
  /** Import the group's module (a separate chunk of the bundle) and return its factory. */
  readonly load: () => Promise<CommandFactory>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "anchors",
    describe: "Root trust anchors: build, sign, verify root-anchors.xml (RFC 9718) and print its DS records",
    load: async () => (await import("./anchors.js")).anchorsCommand,
  },
  { name: "ca", describe: "LAB ONLY: a test CA for the root-anchors.p7s signer certificate", load: async () => (await import("./ca.js")).caCommand },
  {
    name: "ceremony",
    describe: "Run numbered ceremony acts with a witness display, typed Yes and a hash-chained transcript",
    load: async () => (await import("./ceremony.js")).ceremonyCommand,
  },
  {
    name: "custody",
    describe: "Key custody: split a PIN or passphrase into crypto officers' shares (m of n)",
    load: async () => (await import("./custody.js")).custodyCommand,
  },
  { name: "csr", describe: "The KSK's certificate signing request (PKCS#10 with its DS record)", load: async () => (await import("./csr.js")).csrCommand },
  { name: "ds", describe: "DS records of every DNSKEY in a zone-format file (- for stdin)", load: async () => (await import("./ds.js")).dsCommand },
  { name: "hsm", describe: "PKCS#11 tokens: set up a SoftHSM2 lab token", load: async () => (await import("./hsm.js")).hsmCommand },
  {
    name: "integrity",
    describe: "The toolkit's fingerprint: SHA-256 and PGP words of the code ksk runs (bundle, chunks, lockfile)",
    load: async () => (await import("./integrity.js")).integrityCommand,
  },
  { name: "key", describe: "KSKs and ZSKs in an HSM (PKCS#11) or an encrypted software keystore", load: async () => (await import("./key.js")).keyCommand },
  {
    name: "keytag",
    describe: "Key tag of each DNSKEY in a zone-format file, and its tag with the REVOKE bit set",
    load: async () => (await import("./keytag.js")).keytagCommand,
  },
  {
    name: "ksr",
    describe: "Build, validate and show Key Signing Requests (the root's KSR/SKR XML)",
    load: async () => (await import("./ksr.js")).ksrCommand,
  },
  {
    name: "lab",
    describe: "LAB ONLY: the lab ceremony (acts 01-06, report), or the KSK rollover rehearsal (--rollover)",
    load: async () => (await import("./lab.js")).labCommand,
  },
  {
    name: "report",
    describe: "Write a ceremony's HTML report: acts, hashes, checks, bundle tables, the key timeline",
    load: async () => (await import("./report.js")).reportCommand,
  },
  {
    name: "resolver",
    describe: "Ask a resolver whether it is ready for a root KSK roll; run a lab root and resolver",
    load: async () => (await import("./resolver.js")).resolverCommand,
  },
  {
    name: "rollover",
    describe: "Check a KSK roll across quarters as an RFC 5011 resolver would live it",
    load: async () => (await import("./rollover.js")).rolloverCommand,
  },
  { name: "rrset", describe: "Work with signed RRsets", load: async () => (await import("./rrset.js")).rrsetCommand },
  { name: "skr", describe: "Sign a KSR into an SKR with the KSK, verify and show SKRs", load: async () => (await import("./skr.js")).skrCommand },
  {
    name: "telemetry",
    describe: "RFC 8145 trust-anchor signals (root KSK tags) per resolver, read from dnstap files",
    load: async () => (await import("./telemetry.js")).telemetryCommand,
  },
  {
    name: "transcript",
    describe: "Verify a ceremony transcript's hash chain and artefacts",
    load: async () => (await import("./transcript.js")).transcriptCommand,
  },
  {
    name: "words",
    describe: "SHA-256 of each file as hex and PGP words, for witnesses to compare aloud",
    load: async () => (await import("./words.js")).wordsCommand,
  },
  {
    name: "zone",
    describe: "Sign a zone with the SKR bundle in use, validate a signed zone, compute ZONEMD",
    load: async () => (await import("./zone.js")).zoneCommand,
  },
];

/** The group a command line names: its first word that is not an option, if it is a known group. */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const first = argv.find((a) => !a.startsWith("-"));
  return COMMANDS.find((c) => c.name === first);
}
