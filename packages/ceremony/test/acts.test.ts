/**
 * Act files and the ceremony file: the lab's own files (ceremony-scripts/acts, keys-example) load
 * and expand; variables expand as arguments (a list variable as several), an unknown variable or a
 * secret listed as an artefact is refused before anything runs; the quarter is the first listed one
 * whose SKR is not there yet, chained to the one before.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { actId, currentQuarter, expandArguments, parseActFile, parseCeremonyFile, planActs, quarterVariables } from "../src/index.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
const actsDir = path.join(root, "ceremony-scripts/acts");
const labCeremony = parseCeremonyFile(readFileSync(path.join(root, "keys-example/lab-ceremony.yaml"), "utf8"), "lab-ceremony.yaml");
const allActs = readdirSync(actsDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ file: f, act: parseActFile(readFileSync(path.join(actsDir, f), "utf8"), f) }));
/** The lab's acts 00-07; acts 21-22 belong to the rollover rehearsal and its own ceremony file. */
const acts = allActs.filter((a) => a.act.act <= 7);
const rolloverCeremony = parseCeremonyFile(readFileSync(path.join(root, "keys-example/lab-rollover.yaml"), "utf8"), "lab-rollover.yaml");

describe("the lab's act files", () => {
  it("are acts 00-09 and the rollover's 21-22, each named as its file, each step a ksk command line", () => {
    expect(allActs.map((a) => `${actId(a.act)}.yaml`)).toEqual(allActs.map((a) => a.file));
    expect(allActs.map((a) => a.act.act)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 21, 22]);
  });

  it("of the rollover rehearsal expand for every quarter of its ceremony file, 2024Q4 to 2027Q2", () => {
    const base = { out: "/lab", examples: "/ex", ...rolloverCeremony.variables };
    const rolloverActs = allActs.filter((a) => a.act.act <= 4 || a.act.act >= 21).map((a) => a.act);
    expect(rolloverCeremony.quarters.map((q) => q.quarter)).toEqual([
      "2024Q4",
      "2025Q1",
      "2025Q2",
      "2025Q3",
      "2025Q4",
      "2026Q1",
      "2026Q2",
      "2026Q3",
      "2026Q4",
      "2027Q1",
      "2027Q2",
    ]);
    for (const [i, q] of rolloverCeremony.quarters.entries()) {
      const current = i === 0 ? { quarter: q } : { quarter: q, previous: rolloverCeremony.quarters[i - 1] as typeof q };
      const plan = planActs(rolloverActs, { ...base, ...quarterVariables(rolloverCeremony, current) }, rolloverCeremony.secrets, (a) => actId(a));
      const check = plan.find((steps) => steps[0]?.act.act === 22)?.find((s) => s.argv[0] === "rollover" && s.argv[1] === "check");
      expect(check?.argv.filter((a) => a.startsWith("skr-"))).toHaveLength(11);
    }
  });

  it("expand for every quarter with the lab ceremony's variables, the chain flags only after the first", () => {
    const base = { out: "/lab", examples: "/ex", ...labCeremony.variables };
    for (const [i, q] of labCeremony.quarters.entries()) {
      const current = i === 0 ? { quarter: q } : { quarter: q, previous: labCeremony.quarters[i - 1] as typeof q };
      const plan = planActs(
        acts.map((a) => a.act),
        { ...base, ...quarterVariables(labCeremony, current) },
        labCeremony.secrets,
        (a) => actId(a),
      );
      const sign = plan.find((steps) => steps[0]?.act.act === 3)?.find((s) => s.argv[0] === "skr" && s.argv[1] === "sign");
      expect(sign?.argv).toContain(`ksr-${q.quarter}.xml`);
      expect(sign?.argv.slice(sign.argv.indexOf("--schema"), sign.argv.indexOf("--schema") + 4)).toEqual(
        i === 0
          ? ["--schema", q.schema, "--no-previous-skr", "--now"]
          : ["--schema", q.schema, "--previous-skr", `skr-${labCeremony.quarters[i - 1]?.quarter}.xml`],
      );
      expect(sign?.step).toMatchObject({ private_key: true, asks_yes: true });
      expect(sign?.inputs).toEqual(
        i === 0 ? [`ksr-${q.quarter}.xml`, "ksrsigner.yaml"] : [`ksr-${q.quarter}.xml`, "ksrsigner.yaml", `skr-${labCeremony.quarters[i - 1]?.quarter}.xml`],
      );
    }
  });
});

/** `${name}` as the act files write it (built, so that no string here looks like a mistaken template). */
const v = (name: string) => ["$", "{", name, "}"].join("");

describe("variables", () => {
  it("expand a whole-argument list into several arguments, and strings inside arguments", () => {
    expect(expandArguments(["--zsk", v("zsks"), `ksr-${v("q")}.xml`, v("none")], { zsks: ["Z1", "Z2"], q: "2027Q1", none: [] }, "t")).toEqual([
      "--zsk",
      "Z1",
      "Z2",
      "ksr-2027Q1.xml",
    ]);
  });

  it("refuse an unknown variable and a list inside a longer argument, naming the file and step", () => {
    expect(() => expandArguments([v("nope")], {}, "03.yaml: steps.1")).toThrow(`03.yaml: steps.1: ${v("nope")} is not defined`);
    expect(() => expandArguments([`x${v("zsks")}`], { zsks: ["a"] }, "w")).toThrow(`${v("zsks")} is a list; use it as a whole argument`);
  });

  it("expand a step's own environment (the second facility's SOFTHSM2_CONF) and refuse a variable the ceremony file could not set", () => {
    const act = parseActFile(
      `act: 7\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [key, list], env: { SOFTHSM2_CONF: "${v("out")}/softhsm/facility-2/softhsm2.conf" } }\n  - { does: e, run: [key, list] }\n`,
      "a.yaml",
    );
    const [[first, second]] = planActs([act], { out: "/lab" }, [], () => "a.yaml") as unknown as [[{ env: object }, { env: object }]];
    expect(first.env).toEqual({ SOFTHSM2_CONF: "/lab/softhsm/facility-2/softhsm2.conf" });
    expect(second.env).toEqual({});
    expect(() => parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], env: { 'lower case': v } }\n", "b.yaml")).toThrow(
      /b\.yaml: steps\.0\.env/,
    );
    // The same allow-list as the ceremony file's env: a step may not load code into its `ksk` or change what runs.
    for (const name of ["NODE_OPTIONS", "LD_PRELOAD", "LD_LIBRARY_PATH", "PATH"]) {
      expect(() => parseActFile(`act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], env: { ${name}: v } }\n`, "c.yaml")).toThrow(
        new RegExp(`c\\.yaml: steps\\.0\\.env\\.${name}: refused: only SOFTHSM2_CONF and the toolkit's own KSK_\\* variables`),
      );
    }
    // The variables the runtime sets for each step itself: no file redirects the HSM activity log.
    for (const name of ["KSK_HSM_LOG", "KSK_TERMINAL_COLUMNS"]) {
      expect(() => parseActFile(`act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], env: { ${name}: v } }\n`, "e.yaml")).toThrow(
        new RegExp(`e\\.yaml: steps\\.0\\.env\\.${name}: refused: the ceremony runtime sets this variable`),
      );
    }
    expect(parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], env: { KSK_PKCS11_MODULE: /m.so } }\n", "d.yaml").steps[0]?.env).toEqual({
      KSK_PKCS11_MODULE: "/m.so",
    });
  });

  it("refuse a secret file listed as an artefact, and a path outside the output directory", () => {
    const act = parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [words, x], inputs: [softhsm/user.pin] }\n", "a.yaml");
    expect(() => planActs([act], {}, ["softhsm/user.pin"], () => "a.yaml")).toThrow(/softhsm\/user\.pin is a secret file/);
    const outside = parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [words, x], outputs: ['../x'] }\n", "a.yaml");
    expect(() => planActs([outside], {}, [], () => "a.yaml")).toThrow(/artefacts are paths inside the output directory/);
  });
});

describe("act and ceremony files", () => {
  it("refuse unknown keys and a stdout not listed as an output, naming the path", () => {
    expect(() => parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], privat_key: true }\n", "a.yaml")).toThrow(
      /a\.yaml: steps\.0: .*privat_key/,
    );
    expect(() => parseActFile("act: 1\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], stdout: o.txt }\n", "a.yaml")).toThrow(
      "a.yaml: steps.0: stdout o.txt must also be listed in outputs",
    );
    expect(() =>
      parseCeremonyFile("hsm: { module: m, token: t }\nquarters: [{ quarter: 2027Q1, schema: s, at: 2026-11-28T00:00:00+01:00, zsk_labels: [Z] }]\n", "c.yaml"),
    ).toThrow(/c\.yaml: quarters\.0\.at: .*only UTC/);
  });

  it("take the programs a step requires by name, not by path", () => {
    const act = parseActFile("act: 6\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], requires: [knotd, unbound-control] }\n", "a.yaml");
    expect(act.steps[0]?.requires).toEqual(["knotd", "unbound-control"]);
    expect(() => parseActFile("act: 6\nname: a\ntitle: t\nsteps:\n  - { does: d, run: [x], requires: [/usr/sbin/knotd] }\n", "a.yaml")).toThrow(
      /a\.yaml: steps\.0\.requires\.0: a program name, not a path/,
    );
  });
});

describe("the quarter of a run", () => {
  it("is the first listed quarter whose SKR is missing, with the one before as the chain", () => {
    const done = new Set(["skr-2026Q3.xml"]);
    const current = currentQuarter(labCeremony, (p) => done.has(p));
    expect(current?.quarter.quarter).toBe("2026Q4");
    expect(current?.previous?.quarter).toBe("2026Q3");
    expect(quarterVariables(labCeremony, current as NonNullable<typeof current>)).toMatchObject({
      quarter: "2026Q4",
      schema: "rollover",
      previous_skr: ["--previous-skr", "skr-2026Q3.xml"],
      skr_chain: ["--previous-skr", "skr-2026Q3.xml"],
      // SKR(n-1) must be signed by the operator's own KSKs, as act 01 listed them.
      previous_skr_anchor: ["--anchor", "ksks.zone"],
    });
    expect(currentQuarter(labCeremony, () => true)).toBeUndefined();
    const first = currentQuarter(labCeremony, () => false);
    expect(first?.previous).toBeUndefined();
    // The first quarter has no SKR(n-1): no chain and no anchor for it (its checks report SKIP).
    expect(quarterVariables(labCeremony, first as NonNullable<typeof first>)).toMatchObject({
      previous_skr: [],
      previous_skr_anchor: [],
      skr_chain: ["--no-previous-skr"],
    });
  });
});
