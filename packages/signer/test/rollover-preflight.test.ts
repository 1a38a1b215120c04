/**
 * A signing is held to the rollover rules before the KSK is used: preflight plans the quarter, runs the
 * RFC 5011 rules over SKR(n-1) followed by the plan, and refuses a slot that breaks one — unless the
 * rule's `rollover_policy` switch is false, when the slot is signed with a loud warning naming the
 * switch. One refusal and one allowance per switchable rule; a revoked key that does not sign cannot
 * even be planned (SCHEMA-FITS-KSR), and the real roll's schemas pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Signer } from "@ksk/core";
import { BUILT_IN_SCHEMAS, type PreflightReport, type SignerConfig, preflight } from "../src/index.js";
import { type LabKsks, labKsks, materials } from "./helpers.js";
import { type SignedQuarter, labKsr, labRollConfig, labZsks, signQuarters } from "./roll-sequence.js";

const NOW = Date.UTC(2026, 11, 1) / 1000;
let ksks: LabKsks;
let zsks: Signer[];
let normalQ4: SignedQuarter;
let rolloverQ4: SignedQuarter;

beforeAll(async () => {
  ksks = labKsks();
  zsks = labZsks(2);
  const config = labRollConfig(ksks);
  normalQ4 = (await signQuarters(ksks, config, zsks, [["2026Q4", "normal"]]))[0]!;
  rolloverQ4 = (await signQuarters(ksks, config, zsks, [["2026Q4", "rollover"]]))[0]!;
}, 60_000);

async function sign2027Q1(previous: SignedQuarter, schemaName: string, config: SignerConfig): Promise<PreflightReport> {
  const ksr = await labKsr("2027Q1", zsks, 1, previous.skr);
  const schema = config.schemas.get(schemaName) ?? BUILT_IN_SCHEMAS.get(schemaName);
  if (!schema) throw new Error(schemaName);
  return preflight({ ksr, previousSkr: previous.skr, config, schema, ksks: materials(config, ksks), nowEpochSeconds: NOW });
}
const failed = (r: PreflightReport) => r.results.filter((x) => x.status === "fail").map((x) => `${x.code} @ ${x.where}`);

describe("preflight: the rollover rules", () => {
  it("pass the real roll's next step (revoke after rollover), each reported PASS", async () => {
    const report = await sign2027Q1(rolloverQ4, "revoke", labRollConfig(ksks));
    expect(failed(report)).toEqual([]);
    for (const code of ["ROLLOVER-ADD-HOLDDOWN", "ROLLOVER-REMOVE-HOLDDOWN", "ROLLOVER-REVOKED-SELF-SIGNED", "ROLLOVER-DNSKEY-SIZE"]) {
      expect(report.results.find((r) => r.code === code)?.status, code).toBe("pass");
    }
    expect(report.plan).toBeDefined();
  });

  it("ROLLOVER-ADD-HOLDDOWN refuses rolling to a key never published; check_add_hold_down: false signs with a warning", async () => {
    const refused = await sign2027Q1(normalQ4, "rollover", labRollConfig(ksks));
    expect(failed(refused)).toContain("ROLLOVER-ADD-HOLDDOWN @ 2027Q1 slot 2 (2027-01-11T00:00:00Z)");
    expect(new Set(failed(refused).map((f) => f.split(" @")[0]))).toEqual(new Set(["ROLLOVER-ADD-HOLDDOWN"]));
    expect(refused.plan).toBeUndefined();
    const allowed = await sign2027Q1(normalQ4, "rollover", labRollConfig(ksks, "  check_add_hold_down: false\n"));
    expect(failed(allowed)).toEqual([]);
    expect(allowed.results.find((r) => r.code === "ROLLOVER-ADD-HOLDDOWN")?.status).toBe("disabled");
    expect(allowed.warnings).toContain(
      "ROLLOVER-ADD-HOLDDOWN DISABLED by policy (rollover_policy.check_add_hold_down: false): its failures are reported as warnings",
    );
    expect(
      allowed.warnings.some((w) => /^ROLLOVER-ADD-HOLDDOWN 2027Q1 slot 2 .* ALLOWED by policy \(rollover_policy\.check_add_hold_down: false\)/.test(w)),
    ).toBe(true);
    expect(allowed.plan).toBeDefined();
  });

  it("ROLLOVER-REMOVE-HOLDDOWN refuses dropping the old key unrevoked; check_remove_hold_down: false signs with a warning", async () => {
    const refused = await sign2027Q1(rolloverQ4, "drop", labRollConfig(ksks));
    expect(failed(refused)).toEqual(["ROLLOVER-REMOVE-HOLDDOWN @ 2027Q1 slot 2 (2027-01-11T00:00:00Z)"]);
    const allowed = await sign2027Q1(rolloverQ4, "drop", labRollConfig(ksks, "  check_remove_hold_down: false\n"));
    expect(failed(allowed)).toEqual([]);
    expect(allowed.warnings).toContain(
      "ROLLOVER-REMOVE-HOLDDOWN DISABLED by policy (rollover_policy.check_remove_hold_down: false): its failures are reported as warnings",
    );
  });

  it("ROLLOVER-DNSKEY-SIZE refuses an answer over 1452 octets; check_dnskey_response_size: false signs with a warning", async () => {
    const refused = await sign2027Q1(rolloverQ4, "revoke-early", labRollConfig(ksks));
    expect(failed(refused)).toEqual(["ROLLOVER-DNSKEY-SIZE @ 2027Q1 slot 1 (2027-01-01T00:00:00Z)"]);
    const allowed = await sign2027Q1(rolloverQ4, "revoke-early", labRollConfig(ksks, "  check_dnskey_response_size: false\n"));
    expect(failed(allowed)).toEqual([]);
    expect(allowed.warnings.some((w) => /^ROLLOVER-DNSKEY-SIZE 2027Q1 slot 1 .* over 1452: .* ALLOWED by policy/.test(w))).toBe(true);
  });

  it("the hold-downs come from rollover_policy: a lab with a compressed clock may roll sooner", async () => {
    const report = await sign2027Q1(normalQ4, "rollover", labRollConfig(ksks, "  add_hold_down: P1D\n"));
    // Published 2027-01-01, signing 2027-01-11: more than 1 day + the 2-day TTL.
    expect(failed(report)).toEqual([]);
  });

  it("a revoked key that does not sign is refused when the schema is loaded (SCHEMA-FITS-KSR), with no switch", async () => {
    const config = labRollConfig(ksks);
    const schema = { name: "silent-revoke", slots: Array(9).fill({ publish: ["ksk_next"], revoke: ["ksk_current"], sign: ["ksk_next"] }) };
    const ksr = await labKsr("2027Q1", zsks, 1, rolloverQ4.skr);
    const report = preflight({ ksr, previousSkr: rolloverQ4.skr, config, schema, ksks: materials(config, ksks), nowEpochSeconds: NOW });
    expect(failed(report)).toEqual(["SCHEMA-FITS-KSR @ schema silent-revoke slot 1"]);
  });

  it("rollover_policy refuses unknown switches and bad durations (config errors)", () => {
    expect(() => labRollConfig(ksks, "  check_add_holddown: false\n")).toThrow(/rollover_policy.*check_add_holddown/);
    expect(() => labRollConfig(ksks, "  add_hold_down: 30 days\n")).toThrow(/rollover_policy\.add_hold_down/);
  });
});
