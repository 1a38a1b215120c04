/**
 * signQuarter, the signing act as one function: a good quarter goes through preflight, the
 * witnesses' display and consent, signing, writing and postflight in that order; a refusal signs
 * nothing; a failing check before signing asks nobody; an SKR altered between writing and reading
 * back fails its checks after signing and is not kept.
 */
import type { Signer } from "@ksk/core";
import { parseKsrXml, writeKsrXml } from "@ksk/ksr";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_SCHEMAS, type SignQuarterHooks, type SignQuarterInput, type SigningSchema, signQuarter } from "../src/index.js";
import { type LabKsks, labKsks, materials } from "./helpers.js";
import { type SignedQuarter, labKsr, labRollConfig, labZsks, signQuarters } from "./roll-sequence.js";

const NOW = Date.UTC(2026, 11, 1) / 1000;
let ksks: LabKsks;
let zsks: Signer[];
let previous: SignedQuarter;
let input: SignQuarterInput;

beforeAll(async () => {
  ksks = labKsks();
  zsks = labZsks(2);
  const config = labRollConfig(ksks);
  previous = (await signQuarters(ksks, config, zsks, [["2026Q4", "normal"]]))[0]!;
  const ksr = await labKsr("2027Q1", zsks, 1, previous.skr);
  const schema = BUILT_IN_SCHEMAS.get("normal") as SigningSchema;
  const opened = materials(config, ksks);
  const names = [...new Set(schema.slots.flatMap((s) => [...s.publish, ...s.revoke]))];
  input = {
    ksr,
    previousSkr: previous.skr,
    config,
    schema,
    ksks: new Map(names.map((n) => [n, opened.get(n)!])),
    signers: ksks.signers,
    nowEpochSeconds: NOW,
    outputName: "skr-2027Q1.xml",
  };
}, 60_000);

/** Hooks that record what happened, in order, and keep what was written. */
function recorder(options: { answer?: () => Promise<string>; alter?: (bytes: Uint8Array) => Uint8Array } = {}) {
  const events: string[] = [];
  let kept: Uint8Array | undefined;
  const hooks: SignQuarterHooks = {
    onChecks: (stage, report) => events.push(`checks ${stage}: ${report.ok ? "ok" : "failed"}`),
    confirm: async (display) => {
      events.push(`confirm: ${display.tables.length} tables, ${display.question}`);
      return (options.answer ?? (async () => "Yes"))();
    },
    write: async (bytes, verify) => {
      const written = options.alter ? options.alter(bytes) : bytes;
      verify(written);
      kept = written;
      events.push("kept");
    },
  };
  return { hooks, events, kept: () => kept };
}

describe("signQuarter", () => {
  it("signs a quarter: checks, the witnesses' tables and consent, then the SKR written and checked again", async () => {
    const r = recorder();
    const done = await signQuarter(input, r.hooks);
    expect(r.events).toEqual(["checks before: ok", "confirm: 3 tables, Kcurrnt signs slots 1–9.", "checks after: ok", "kept"]);
    expect(done.consent).toBe("Yes");
    expect(done.after.results.map((x) => x.status)).not.toContain("fail");
    expect(r.kept()).toEqual(done.bytes);
    expect(parseKsrXml(done.bytes).document.bundles).toHaveLength(9);
    expect(writeKsrXml(done.skr)).toEqual(done.bytes);
  });

  it("signs nothing when the witnesses refuse", async () => {
    const r = recorder({
      answer: async () => {
        throw new Error("refused");
      },
    });
    await expect(signQuarter(input, r.hooks)).rejects.toThrow("refused");
    expect(r.events).toEqual(["checks before: ok", "confirm: 3 tables, Kcurrnt signs slots 1–9."]);
    expect(r.kept()).toBeUndefined();
  });

  it("asks nobody when a check before signing fails", async () => {
    const r = recorder();
    await expect(signQuarter({ ...input, nowEpochSeconds: Date.UTC(2028, 0, 1) / 1000 }, r.hooks)).rejects.toThrow(
      /checks before signing failed: KSR-POLICY-SIG-HORIZON/,
    );
    expect(r.events).toEqual(["checks before: failed"]);
  });

  it("keeps no SKR whose bytes as written fail the checks after signing", async () => {
    // The SKR as written answers another KSR: SKR-MATCHES-KSR fails on what was read back.
    const other = parseKsrXml(writeKsrXml(previous.skr)).document;
    const r = recorder({ alter: () => writeKsrXml(other) });
    await expect(signQuarter(input, r.hooks)).rejects.toThrow(/checks after signing failed: .*SKR-MATCHES-KSR/);
    expect(r.events.at(-1)).toBe("checks after: failed");
    expect(r.kept()).toBeUndefined();
  });
});
