/**
 * The report's custody section: officers present (as `ksk custody show` recorded them), backups,
 * restores and which facility's HSM each KSK step used; the ZSK operator's software keystore is not
 * custody of the KSK, and no share ever appears (only what the recorded texts hold).
 */
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../src/index.js";
import { custodySection } from "../src/report-custody.js";

const start = { seq: 1, type: "start", hsm: { modulePath: "/m.so", tokenLabel: "ksk-lab" }, variables: { quarter: "2026Q3" } };
const step = (seq: number, act: number, argv: string[], outputs: string[] = [], consent?: string) => ({
  seq,
  type: "step",
  act,
  actName: "a",
  step: seq,
  does: `does ${argv.slice(0, 2).join(" ")}`,
  argv,
  status: "ok",
  startedUtc: "",
  inputs: [],
  outputs: outputs.map((path) => ({ path, sizeBytes: 1, sha256Hex: "ab".repeat(32) })),
  ...(consent ? { consent } : {}),
});

describe("custody section", () => {
  const entries = [
    start,
    step(2, 2, ["key", "generate", "--keystore", "file:zsk-keystore", "--label", "Zlab1"], [], "scripted"),
    step(3, 3, ["skr", "sign", "ksr.xml", "--config", "ksrsigner.yaml"], ["skr-2026Q3.xml"], "scripted"),
    step(4, 7, ["custody", "show", "custody/pin-shares"], ["custody/activation-facility-1.txt"]),
    step(
      5,
      7,
      ["key", "backup", "--keystore", "pkcs11:token=ksk-lab?module-path=/m.so&pin-source=shares:custody/pin-shares", "--label", "Klabbak"],
      ["custody/Klabbak.backup"],
      "scripted",
    ),
    {
      ...step(
        6,
        7,
        ["key", "restore", "custody/Klabbak.backup", "--keystore", "pkcs11:token=ksk-lab-2?module-path=/m.so"],
        ["custody/Klabbak.restore.txt"],
        "scripted",
      ),
      env: { SOFTHSM2_CONF: "/lab/out/softhsm/facility-2/softhsm2.conf" },
    },
  ] as unknown as TranscriptEntry[];
  const texts = new Map([
    [
      "custody/activation-facility-1.txt",
      "2 of 3 shares of a PIN (any 2 recombine it):\n  set 0011223344556677 share 1 (Alice) fingerprint 0123456789abcdef\n",
    ],
    ["custody/Klabbak.restore.txt", "restored Klabbak (key tag 35204) into pkcs11:token=ksk-lab-2\n"],
  ]);
  const html = custodySection(entries, texts);

  it("shows the officers present, the backup, the restore and which facility signed", () => {
    expect(html).toContain('<h2 id="custody">Custody</h2>');
    expect(html).toContain("share 1 (Alice) fingerprint 0123456789abcdef");
    expect(html).toMatch(/does key backup<\/td><td>ksk-lab<\/td><td>custody\/Klabbak\.backup/);
    expect(html).toMatch(/does key restore<\/td><td>ksk-lab-2 at softhsm\/facility-2\/softhsm2\.conf<\/td>/);
    expect(html).toContain("restored Klabbak (key tag 35204)");
    expect(html).toMatch(/does skr sign<\/td><td>ksk-lab \(the run&#39;s HSM\)<\/td>/);
  });

  it("leaves out the ZSK operator's software keystore, and is empty without custody steps", () => {
    expect(html).not.toContain("Zlab1");
    expect(custodySection([start, entries[1]] as unknown as TranscriptEntry[], texts)).toBe("");
  });
});
