/**
 * `ksk resolver check` — is a resolver ready for a root KSK roll? (validation, RFC 8509 sentinel
 * per key, the DNSKEY answer's size); `ksk resolver lab` — serve a signed root with knotd, start a
 * validating unbound from root-anchors.xml, and run the same check against it.
 */
import { KskError, type Name, ROOT, parseName } from "@ksk/core";
import {
  DEFAULT_DNSKEY_BUFSIZES,
  DEFAULT_LIMITS,
  MAX_KEY_TAGS,
  checkResolver,
  formatLabRun,
  formatReadiness,
  keyTagsFromAnchors,
  queryBudget,
  runLabCheck,
} from "@ksk/resolver";
import type { CliContext } from "../context.js";
import { checkOutputWritable, printJson, readInput, writeOutput } from "../io.js";
import { timeOption } from "../options.js";
import { type CommandFactory, type SetExitCode, command } from "./command.js";

interface CheckArgs {
  server: string;
  port: number;
  anchors: string | undefined;
  tags: string | undefined;
  domain: string | undefined;
  at: string | undefined;
  timeout: number;
  bufsize: number | undefined;
  json: boolean;
}

interface LabArgs {
  zone: string;
  anchors: string;
  dir: string | undefined;
  dnstap: string | undefined;
  at: string | undefined;
  json: boolean;
  jsonOut: string | undefined;
  force: boolean;
}

function usage(detail: string): KskError {
  return new KskError("usage", "USAGE", detail);
}

function parseTags(text: string): number[] {
  return text.split(",").map((t) => {
    if (!/^\d{1,5}$/.test(t.trim()) || Number(t) > 0xffff) throw usage(`--tags: "${t}" is not a key tag (0-65535)`);
    return Number(t);
  });
}

function parseDomain(text: string | undefined): Name {
  if (text === undefined) return ROOT;
  try {
    return parseName(text, ROOT);
  } catch (e) {
    throw usage(`--domain: ${(e as KskError).detail ?? (e as Error).message}`);
  }
}

async function check(ctx: CliContext, setExitCode: SetExitCode, argv: CheckArgs): Promise<void> {
  if ((argv.anchors === undefined) === (argv.tags === undefined)) throw usage("give exactly one of --anchors and --tags");
  if (!Number.isInteger(argv.port) || argv.port < 1 || argv.port > 0xffff) throw usage(`--port: ${argv.port} is not a port number`);
  if (!(argv.timeout > 0 && argv.timeout <= 60)) throw usage(`--timeout: ${argv.timeout} is not from 0 to 60 seconds`);
  if (argv.bufsize !== undefined && !(Number.isInteger(argv.bufsize) && argv.bufsize >= 512 && argv.bufsize <= 0xffff))
    throw usage(`--bufsize: ${argv.bufsize} is not an EDNS buffer size from 512 to 65535`);
  let keyTags: number[];
  if (argv.anchors !== undefined) {
    const input = await readInput(ctx, argv.anchors);
    keyTags = keyTagsFromAnchors(input.bytes, input.name, timeOption(ctx, argv.at, "--at"));
  } else {
    keyTags = parseTags(argv.tags as string);
  }
  const result = await checkResolver({
    server: { address: argv.server, port: argv.port },
    domain: parseDomain(argv.domain),
    keyTags,
    timeoutMs: argv.timeout * 1000,
    ...(argv.bufsize === undefined ? {} : { dnskeyBufsizes: [argv.bufsize] }),
  });
  if (argv.json) printJson(ctx, result);
  else ctx.out(formatReadiness(result));
  if (!result.ready) setExitCode(1);
}

async function lab(ctx: CliContext, setExitCode: SetExitCode, argv: LabArgs): Promise<void> {
  if (argv.json && argv.jsonOut !== undefined) throw usage("give --json or --json-out, not both");
  // Refused before the servers start: an existing file is never replaced.
  if (argv.jsonOut !== undefined) await checkOutputWritable(argv.jsonOut, argv.force);
  const anchors = await readInput(ctx, argv.anchors);
  const result = await runLabCheck({
    zoneFile: argv.zone,
    anchorsBytes: anchors.bytes,
    anchorsName: anchors.name,
    atEpochSeconds: timeOption(ctx, argv.at, "--at"),
    ...(argv.dir === undefined ? {} : { dir: argv.dir }),
    ...(argv.dnstap === undefined ? {} : { dnstapFile: argv.dnstap }),
  });
  // --json-out: the record for the report in a file, the summary for the people watching.
  if (argv.jsonOut !== undefined) await writeOutput(argv.jsonOut, `${JSON.stringify(result, null, 2)}\n`, { force: argv.force });
  if (argv.json) printJson(ctx, result);
  else ctx.out(formatLabRun(result));
  if (!result.ok) setExitCode(1);
}

const CHECK_EPILOGUE = `Probes: <domain> SOA with DO (want AD); bogus-rrsig.<domain> A (want SERVFAIL: the name's
signature is deliberately broken); for each key tag root-key-sentinel-is-ta-<tag>.<domain> A and
root-key-sentinel-not-ta-<tag>.<domain> A (RFC 8509); . DNSKEY with DO at EDNS buffers of
${DEFAULT_DNSKEY_BUFSIZES.join(" and ")} octets (or --bufsize alone): the size, TC, and whether the TCP retry answers.
Each question is sent at most ${DEFAULT_LIMITS.udpTries} times over UDP (--timeout seconds each) and once over
TCP if the UDP answer is truncated: at most ${queryBudget(1)} messages for one tag, ${queryBudget(2)} for two,
(2 + 2 x tags + buffer sizes) x ${DEFAULT_LIMITS.udpTries + 1} in general; at most ${MAX_KEY_TAGS} tags. A question takes at most
${DEFAULT_LIMITS.udpTries + 1} x --timeout seconds, and the first question without an acceptable answer ends the check.
A DNSKEY answer truncated at a buffer whose TCP retry fails is a finding, not a fault: "not ready:
the DNSKEY answer (N octets) needs TCP and TCP failed".
Exit: 0 ready (validates and trusts every key, the DNSKEY answer arrives at every buffer), 1 not
ready, 2 usage, 3 unreachable or not a DNS server (no answer, garbage, wrong message id, truncated
message) — one line on stderr.`;

export const resolverCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "resolver <command>",
  describe: "Ask a resolver whether it is ready for a root KSK roll; run a lab root and resolver",
  builder: (y) =>
    y
      .command(
        command({
          command: "check",
          describe: "Readiness of one resolver: validation, which KSKs it trusts (RFC 8509 sentinel), the DNSKEY answer",
          builder: (c) =>
            c
              .option("server", { type: "string", demandOption: true, describe: "Resolver IP address (no host names)" })
              .option("port", { type: "number", default: 53, describe: "Resolver port" })
              .option("anchors", { type: "string", describe: "root-anchors.xml: ask about each KeyDigest valid at --at" })
              .option("tags", { type: "string", describe: "Key tags to ask about, comma-separated (instead of --anchors)" })
              .option("domain", { type: "string", describe: "Ask SOA, bogus-rrsig and sentinel names under this signed domain (default: the root)" })
              .option("at", { type: "string", describe: "Time to select valid KeyDigests at (ISO 8601 UTC; default now)" })
              .option("timeout", { type: "number", default: DEFAULT_LIMITS.timeoutMs / 1000, describe: "Seconds to wait for each try" })
              .option("bufsize", {
                type: "number",
                describe: `Ask . DNSKEY at this EDNS buffer size only (default: at ${DEFAULT_DNSKEY_BUFSIZES.join(" and ")})`,
              })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" })
              .epilogue(CHECK_EPILOGUE),
          handler: (argv) => check(ctx, setExitCode, argv),
        }),
      )
      .command(
        command({
          command: "lab",
          describe: "Serve a signed root zone with knotd, validate it with unbound from root-anchors.xml, and check readiness",
          builder: (c) =>
            c
              .option("zone", { type: "string", demandOption: true, describe: "The signed root zone file" })
              .option("anchors", { type: "string", demandOption: true, describe: "root-anchors.xml: the resolver trusts its KeyDigests valid at --at" })
              .option("dir", { type: "string", describe: "Directory for the servers' files (default: a new temporary one, removed afterwards)" })
              .option("dnstap", { type: "string", describe: "Keep knotd's dnstap file of the queries it received here (read it with ksk telemetry)" })
              .option("at", {
                type: "string",
                describe: "Time to select valid KeyDigests at and to validate signatures at (unbound val-override-date; ISO 8601 UTC; default now)",
              })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" })
              .option("json-out", { type: "string", describe: "Write the JSON to this file and print the summary" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing --json-out file" })
              .epilogue(
                "Loopback only; both servers are stopped by PID before it returns. Exit 0 when every answer\nvalidated and the resolver is ready for every anchored key, 1 otherwise.",
              ),
          handler: (argv) => lab(ctx, setExitCode, argv),
        }),
      )
      .demandCommand(1, "Give a resolver command: check or lab"),
  handler: () => {},
});
