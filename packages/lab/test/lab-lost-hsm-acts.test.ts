/**
 * The lost-HSM rehearsal's act lists (./lab-lost-hsm.ts) with its two ceremony files: the act files
 * they name load and expand; facility 1 generates its KSKs extractable and restores them at
 * facility 2 under facility 2's SOFTHSM2_CONF; facility 2's run checks the chain across the loss.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { type LabQuarter, actId, parseActFile, parseCeremonyFile, planActs, quarterVariables } from "@ksk/ceremony";
import { describe, expect, it } from "vitest";
import { LAB_CEREMONY_FILES, LOST_HSM_FACILITY_2_FILE, LOST_HSM_FIRST_ACTS, LOST_HSM_SECOND_ACTS } from "../src/index.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
const actsDir = path.join(root, "ceremony-scripts/acts");
const allActs = readdirSync(actsDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ file: f, act: parseActFile(readFileSync(path.join(actsDir, f), "utf8"), f) }));

/** `${name}` as the act files write it (built, so that no string here looks like a mistaken template). */
const v = (name: string) => ["$", "{", name, "}"].join("");

describe("the lost-HSM rehearsal's act files", () => {
  it("expand with its two ceremony files: facility 1 backs up and restores at facility 2, facility 2 checks the chain", () => {
    const first = parseCeremonyFile(readFileSync(path.join(root, "keys-example", LAB_CEREMONY_FILES["lost-hsm"]), "utf8"), LAB_CEREMONY_FILES["lost-hsm"]);
    const second = parseCeremonyFile(readFileSync(path.join(root, "keys-example", LOST_HSM_FACILITY_2_FILE), "utf8"), LOST_HSM_FACILITY_2_FILE);
    const byName = (names: readonly string[]) => names.map((n) => (allActs.find((a) => a.file === `${n}.yaml`) as (typeof allActs)[number]).act);
    const [q3, q4] = first.quarters as [LabQuarter, LabQuarter];
    const one = planActs(
      byName(LOST_HSM_FIRST_ACTS),
      { out: "/lab", examples: "/ex", ...first.variables, ...quarterVariables(first, { quarter: q3 }) },
      first.secrets,
      (a) => actId(a),
    );
    expect(one[1]?.find((s) => s.argv.includes("Klabcur"))?.argv).toContain("--extractable");
    const restores = one[7]?.filter((s) => s.argv[1] === "restore") ?? [];
    expect(restores.map((s) => s.env.SOFTHSM2_CONF)).toEqual(["/lab/softhsm/facility-2/softhsm2.conf", "/lab/softhsm/facility-2/softhsm2.conf"]);
    const two = planActs(
      byName(LOST_HSM_SECOND_ACTS),
      { out: "/lab", examples: "/ex", ...second.variables, ...quarterVariables(second, { quarter: q4, previous: q3 }) },
      second.secrets,
      (a) => actId(a),
    );
    expect(two[6]?.map((s) => s.argv.slice(0, 4))).toEqual([
      ["ksr", "validate", "ksr-2026Q4.xml", "--previous-skr"],
      ["rollover", "check", "skr-2026Q3.xml", "skr-2026Q4.xml"],
    ]);
    expect(second.env.SOFTHSM2_CONF).toBe(`${v("out")}/softhsm/facility-2/softhsm2.conf`);
  });
});
