/**
 * The transcript's hash chain and artefact records: a transcript written by TranscriptWriter
 * verifies, and each kind of tampering an auditor must catch — one byte changed, an entry removed,
 * two entries swapped, an artefact altered or missing, the last entry changed (against the head
 * hash the witnesses wrote down) — fails, naming the entry or file. The chain hash is checked
 * against SHA-256 computed by node:crypto over the stored line bytes, not by the module itself.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_PREVIOUS_SHA256_HEX, TranscriptWriter, artefactRecord, parseEntries, resumePoint, transcriptLines, verifyTranscript } from "../src/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-transcript-"));
const file = path.join(dir, "transcript.jsonl");
let original: Uint8Array;

const readArtefact = (base: string) => (relative: string) => {
  try {
    return new Uint8Array(readFileSync(path.join(base, relative)));
  } catch {
    return undefined;
  }
};

beforeAll(async () => {
  writeFileSync(path.join(dir, "ksr.xml"), "<KSR/>\n");
  writeFileSync(path.join(dir, "skr.xml"), "<KSR><Response/></KSR>\n");
  let t = Date.UTC(2026, 10, 28, 12);
  const clock = () => {
    t += 1000;
    return new Date(t).toISOString();
  };
  const { writer } = await TranscriptWriter.open(file, clock);
  await writer.append({
    type: "start",
    toolkitVersion: "0.1.0",
    host: "lab",
    hsm: { modulePath: "/usr/lib/softhsm/libsofthsm2.so", tokenLabel: "ksk-lab", tokenSerial: "b731c52bf1d4d3e2" },
    operator: "Operator",
    witnesses: ["Witness A", "Witness B"],
    mode: "witnessed",
    acts: ["03-key-signing"],
    variables: { quarter: "2027Q1" },
  });
  const step = (n: number, inputs: string[], outputs: string[]) =>
    writer.append({
      type: "step",
      act: 3,
      actName: "key-signing",
      step: n,
      does: `step ${n}`,
      argv: ["skr", "sign"],
      status: "ok",
      startedUtc: "2026-11-28T12:00:00.000Z",
      exitCode: 0,
      inputs: inputs.map((p) => artefactRecord(p, readFileSync(path.join(dir, p)))),
      outputs: outputs.map((p) => artefactRecord(p, readFileSync(path.join(dir, p)))),
    });
  await step(1, ["ksr.xml"], []);
  await step(2, ["ksr.xml"], ["skr.xml"]);
  await writer.append({ type: "act", act: 3, actName: "key-signing", status: "complete" });
  await writer.append({ type: "end", status: "complete" });
  original = new Uint8Array(readFileSync(file));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lines(): string[] {
  return transcriptLines(original);
}
function bytesOf(ls: readonly string[]): Uint8Array {
  return new TextEncoder().encode(ls.map((l) => `${l}\n`).join(""));
}

describe("transcript chain", () => {
  it("chains each entry to the SHA-256 of the previous line's bytes without its LF (checked with node:crypto)", () => {
    const ls = lines();
    expect(ls).toHaveLength(5);
    const entries = parseEntries(ls, file);
    expect(entries[0]?.previousSha256Hex).toBe(GENESIS_PREVIOUS_SHA256_HEX);
    for (let i = 1; i < ls.length; i++) {
      expect(entries[i]?.previousSha256Hex).toBe(
        createHash("sha256")
          .update(ls[i - 1] as string, "utf8")
          .digest("hex"),
      );
      expect(entries[i]?.seq).toBe(i + 1);
    }
    const report = verifyTranscript(original, readArtefact(dir));
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, entryCount: 5, artefactCount: 2, incomplete: false });
    expect(report.headSha256Hex).toBe(
      createHash("sha256")
        .update(ls[4] as string, "utf8")
        .digest("hex"),
    );
  });

  it("fails on one byte changed, naming the altered entry", () => {
    const ls = lines();
    ls[1] = (ls[1] as string).replace('"does":"step 1"', '"does":"step 7"');
    expect(ls[1]).toContain("step 7");
    const report = verifyTranscript(bytesOf(ls), readArtefact(dir));
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.subject).toBe("entry 2 (line 2)");
    expect(report.problems[0]?.detail).toMatch(/but entry 3 records [0-9a-f]{16}…: entry 2 was altered/);
  });

  it("fails on a byte changed that breaks the JSON, naming the line", () => {
    const ls = lines();
    ls[1] = (ls[1] as string).replace("{", "[");
    const report = verifyTranscript(bytesOf(ls), readArtefact(dir));
    expect(report.problems[0]).toEqual({ subject: "entry 2 (line 2)", detail: "is not valid JSON: the line was altered" });
  });

  it("fails on an entry removed, naming it", () => {
    const ls = lines();
    ls.splice(2, 1);
    const report = verifyTranscript(bytesOf(ls), readArtefact(dir));
    expect(report.problems[0]).toEqual({ subject: "entry 3 (line 3)", detail: "line 3 holds entry 4: entry 3 was removed" });
  });

  it("fails on two entries swapped, naming the first out of place", () => {
    const ls = lines();
    [ls[2], ls[3]] = [ls[3] as string, ls[2] as string];
    const report = verifyTranscript(bytesOf(ls), readArtefact(dir));
    expect(report.problems[0]).toEqual({ subject: "entry 3 (line 3)", detail: "line 3 holds entry 4: entries were reordered (entry 3 is on line 4)" });
  });

  it("fails on a swap with the numbers rewritten too: the hash names the entry", () => {
    const entries = parseEntries(lines(), file).map((e) => ({ ...e }));
    const swapped = [entries[0], entries[1], { ...entries[3], seq: 3 }, { ...entries[2], seq: 4 }, entries[4]];
    const report = verifyTranscript(bytesOf(swapped.map((e) => JSON.stringify(e))), readArtefact(dir));
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.subject).toBe("entry 2 (line 2)");
  });

  it("fails on an artefact altered after the ceremony, naming the file and the entry that recorded it", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "ksk-transcript-altered-"));
    try {
      writeFileSync(path.join(copy, "ksr.xml"), readFileSync(path.join(dir, "ksr.xml")));
      writeFileSync(path.join(copy, "skr.xml"), "<KSR><Response/></KSR>\r\n");
      const report = verifyTranscript(original, readArtefact(copy));
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]?.subject).toBe("skr.xml");
      expect(report.problems[0]?.detail).toMatch(/not [0-9a-f]{16}… \(23 bytes\) as entry 3 records/);
      rmSync(path.join(copy, "ksr.xml"));
      expect(verifyTranscript(original, readArtefact(copy)).problems.map((p) => `${p.subject}: ${p.detail}`)).toContain(
        "ksr.xml: is missing (recorded in entry 3)",
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("catches a changed last entry only against the head hash the witnesses wrote down", () => {
    const head = verifyTranscript(original, readArtefact(dir)).headSha256Hex;
    const ls = lines();
    ls[4] = (ls[4] as string).replace('"status":"complete"', '"status":"stopped"');
    const altered = bytesOf(ls);
    expect(verifyTranscript(altered, readArtefact(dir)).ok).toBe(true);
    const report = verifyTranscript(altered, readArtefact(dir), { expectedHeadSha256Hex: head });
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.subject).toBe("entry 5 (line 5)");
    expect(verifyTranscript(bytesOf(lines().slice(0, 4)), readArtefact(dir), { expectedHeadSha256Hex: head }).ok).toBe(false);
  });

  it("flags a last line without its LF", () => {
    const report = verifyTranscript(original.subarray(0, original.length - 1), readArtefact(dir));
    expect(report.problems[0]?.detail).toMatch(/has no line end/);
  });
});

describe("resume point", () => {
  it("is the stopped step from the end entry, or the step after the last done when the run was killed", () => {
    const entries = parseEntries(lines(), file);
    expect(resumePoint(entries)).toBeUndefined();
    const killed = entries.slice(0, 3);
    expect(resumePoint(killed)?.point).toEqual({ act: 3, step: 3 });
    const stopped = [...entries.slice(0, 2), { ...entries[4], type: "end", status: "stopped", resumeFrom: { act: 3, step: 2 } }] as typeof entries;
    expect(resumePoint(stopped)?.point).toEqual({ act: 3, step: 2 });
  });
});
