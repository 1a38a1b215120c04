/**
 * `ksk telemetry DNSTAP…` — the RFC 8145 trust-anchor signals in dnstap files (what the lab's
 * knotd writes): per resolver and overall, the root KSK tags signalled, when, and by what share of
 * resolvers; with --anchors, the resolvers that signal only retired or revoked keys.
 */
import { formatTelemetry, readDnstapTelemetry } from "@ksk/resolver";
import { printJson, readInput } from "../io.js";
import { timeOption } from "../options.js";
import { type CommandFactory, command } from "./command.js";

const EPILOGUE = `Signals read: a query for _ta-<tag>[-<tag>]... at the root (RFC 8145 section 5; any QTYPE, as
QNAME minimisation asks it with A) and the edns-key-tag option, code 14 (section 4). Files are read
in chunks (memory bounded by one frame, not the file). A resolver's "latest" tags are those of the
last signal it sent: the keys it trusted then.
Exit: 0 read, 2 usage, 3 a file that is not a whole dnstap Frame Streams file (cut short, corrupt
frame, another content type, a frame that is not a dnstap event, a query that does not parse) —
one line naming the file and the frame's octet offset.`;

export const telemetryCommand: CommandFactory = (ctx) =>
  command({
    command: "telemetry <dnstap...>",
    builder: (y) =>
      y
        .positional("dnstap", {
          type: "string",
          array: true,
          demandOption: true,
          describe: "dnstap files (Frame Streams, content type protobuf:dnstap.Dnstap)",
        })
        .option("anchors", {
          type: "string",
          describe: "root-anchors.xml: name each tag's standing at --at and the resolvers signalling only retired or revoked keys",
        })
        .option("at", { type: "string", describe: "Time to judge the KeyDigests' validity at (ISO 8601 UTC; default now)" })
        .option("json", { type: "boolean", default: false, describe: "Print JSON" })
        .epilogue(EPILOGUE),
    handler: async (argv) => {
      const anchors = argv.anchors === undefined ? undefined : await readInput(ctx, argv.anchors);
      const summary = await readDnstapTelemetry(argv.dnstap, {
        ...(anchors ? { anchors: { bytes: anchors.bytes, name: anchors.name, atEpochSeconds: timeOption(ctx, argv.at, "--at") } } : {}),
      });
      if (argv.json) printJson(ctx, summary);
      else ctx.out(formatTelemetry(summary));
    },
  });
