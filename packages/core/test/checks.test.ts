/**
 * The one check runner: OFF from the registry's policy field (every field false when several), SKIP
 * when the input is missing, PASS and FAIL from what the check returns or throws, input errors
 * passed through, and the one line every report prints.
 */
import { describe, expect, it } from "vitest";
import {
  type CheckStep,
  KskError,
  attemptCheck,
  checkFailed,
  checkLine,
  disabledByPolicy,
  joinCheckReports,
  policyFieldsOf,
  registerChecks,
  runChecks,
  switchedOff,
} from "../src/index.js";

registerChecks("@ksk/core-test", {
  "TEST-ALWAYS": { title: "A check that cannot be switched off" },
  "TEST-SWITCHED": { title: "A check one policy field switches off", policyField: "check_switched" },
  "TEST-TWO-HALVES": { title: "A check off only when both halves are off", policyField: ["check_first", "check_second"] },
});

interface Input {
  readonly value?: number;
}

const steps: CheckStep<Input>[] = [
  { code: "TEST-ALWAYS", run: (i) => `value ${i.value ?? "none"}` },
  {
    code: "TEST-SWITCHED",
    missing: (i) => (i.value === undefined ? "no value given" : undefined),
    run: (i, warn) => {
      if ((i.value as number) < 0) throw checkFailed("TEST-SWITCHED", `value ${i.value} is negative`, "the input");
      if (i.value === 0) warn("TEST-SWITCHED: zero is tolerated");
      return "value not negative";
    },
  },
  { code: "TEST-TWO-HALVES", run: () => "both halves hold" },
];

const policy =
  (fields: Record<string, boolean>) =>
  (field: string): boolean | undefined =>
    fields[field];

describe("runChecks", () => {
  it("passes every check with its detail, and warnings from inside a check", () => {
    const report = runChecks(steps, { value: 0 }, policy({}));
    expect(report.results).toEqual([
      { code: "TEST-ALWAYS", status: "pass", detail: "value 0" },
      { code: "TEST-SWITCHED", status: "pass", detail: "value not negative" },
      { code: "TEST-TWO-HALVES", status: "pass", detail: "both halves hold" },
    ]);
    expect(report.warnings).toEqual(["TEST-SWITCHED: zero is tolerated"]);
    expect(report.ok).toBe(true);
  });

  it("reports a thrown check failure as FAIL under the step's code, with where", () => {
    const report = runChecks(steps, { value: -1 }, policy({}));
    expect(report.results[1]).toEqual({ code: "TEST-SWITCHED", status: "fail", detail: "value -1 is negative", where: "the input" });
    expect(report.ok).toBe(false);
  });

  it("reports OFF, with one warning naming the field, when the registered policy field is false", () => {
    const report = runChecks(steps, { value: -1 }, policy({ check_switched: false }));
    const warning = "TEST-SWITCHED DISABLED by policy (check_switched: false): this check was NOT run";
    expect(report.results[1]).toEqual({ code: "TEST-SWITCHED", status: "disabled", detail: warning });
    expect(report.warnings).toEqual([warning]);
    expect(report.ok).toBe(true);
  });

  it("switches a check with several fields off only when every field is false", () => {
    expect(runChecks(steps, {}, policy({ check_first: false })).results[2]?.status).toBe("pass");
    expect(runChecks(steps, {}, policy({ check_first: false, check_second: true })).results[2]?.status).toBe("pass");
    const off = runChecks(steps, {}, policy({ check_first: false, check_second: false }));
    expect(off.results[2]?.status).toBe("disabled");
    expect(off.warnings).toContain("TEST-TWO-HALVES DISABLED by policy (check_first: false, check_second: false): this check was NOT run");
    expect(policyFieldsOf("TEST-TWO-HALVES")).toEqual(["check_first", "check_second"]);
    expect(policyFieldsOf("TEST-ALWAYS")).toEqual([]);
  });

  it("reports SKIP when the check's input is missing", () => {
    expect(runChecks(steps, {}, policy({})).results[1]).toEqual({ code: "TEST-SWITCHED", status: "not-run", detail: "no value given" });
  });

  it("lets an input error through: malformed input is not a check result", () => {
    const bad: CheckStep<Input>[] = [
      {
        code: "TEST-ALWAYS",
        run: () => {
          throw new KskError("input", "TEST-MALFORMED", "cannot read it");
        },
      },
    ];
    expect(() => runChecks(bad, {}, policy({}))).toThrow(/cannot read it/);
  });
});

describe("the pieces of the runner", () => {
  it("attemptCheck keeps the thrown code unless asked to report under the step's", () => {
    const run = () => {
      throw checkFailed("TEST-ALWAYS", "failed inside");
    };
    expect(attemptCheck("TEST-SWITCHED", run).code).toBe("TEST-ALWAYS");
    expect(attemptCheck("TEST-SWITCHED", run, { asStep: true }).code).toBe("TEST-SWITCHED");
    expect(attemptCheck("TEST-SWITCHED", () => "fine")).toEqual({ code: "TEST-SWITCHED", status: "pass", detail: "fine" });
  });

  it("switchedOff is undefined for a check that cannot be switched off, whatever the policy says", () => {
    expect(switchedOff("TEST-ALWAYS", () => false)).toBeUndefined();
    expect(switchedOff("TEST-SWITCHED", policy({ check_switched: true }))).toBeUndefined();
    expect(switchedOff("TEST-SWITCHED", policy({ check_switched: false }), "its failures are warnings")?.warning).toBe(
      disabledByPolicy("TEST-SWITCHED", ["check_switched"], "its failures are warnings"),
    );
  });

  it("joinCheckReports fails when any report has a FAIL", () => {
    const pass = runChecks(steps, { value: 1 }, policy({}));
    const fail = runChecks(steps, { value: -1 }, policy({}));
    expect(joinCheckReports(pass, pass).ok).toBe(true);
    expect(joinCheckReports(pass, fail).ok).toBe(false);
    expect(joinCheckReports(pass, fail).results).toHaveLength(6);
  });

  it("checkLine prints the status word, the code in a column, where and the detail", () => {
    expect(checkLine({ code: "TEST-ALWAYS", status: "pass", detail: "ok" })).toBe(`PASS ${"TEST-ALWAYS".padEnd(27)} ok`);
    expect(checkLine({ code: "TEST-SWITCHED", status: "fail", detail: "negative", where: "the input" })).toBe(
      `FAIL ${"TEST-SWITCHED".padEnd(27)} the input: negative`,
    );
    expect(checkLine({ code: "TEST-SWITCHED", status: "disabled", detail: "off" }).startsWith("OFF  TEST-SWITCHED")).toBe(true);
    expect(checkLine({ code: "TEST-SWITCHED", status: "not-run", detail: "no input" }).startsWith("SKIP TEST-SWITCHED")).toBe(true);
  });
});
