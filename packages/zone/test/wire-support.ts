/**
 * TEST ONLY: what the compact-zone tests share — records fed to the compact store as the loader
 * hands them, a zone signed and streamed as `ksk zone sign` streams it, and both validations of a
 * signed text (the object model, the compact one, the compact one in small shuffled batches).
 */
import { type AnchorRecord, KskError, type LocatedRR, type SignatureJob, type SignatureOutcome, loadZoneWire } from "@ksk/core";
import {
  WireSigningInput,
  WireZoneInput,
  localSignatureVerifier,
  planWireZoneSigning,
  signWireZone,
  verifyWireZone,
  verifyZone,
  wireRecordOf,
} from "@ksk/zone";
import { expect } from "vitest";
import { type SmallLab, records, soaRecord } from "./lab-root.js";

/** Each record as the compact store takes it (the object loader's records, turned to wire form). */
export function feed(list: readonly LocatedRR[], add: (r: Parameters<WireZoneInput["add"]>[0], file: string, line: number) => void): void {
  for (const located of list) {
    const { record, file, line } = wireRecordOf(located);
    add(record, file, line);
  }
}

/** Sign `text` through the streaming sink as `ksk zone sign` does; the apex must fill exactly the room it was given. */
export async function signStreamed(lab: SmallLab, text: string, name = "lab.zone"): Promise<string> {
  const zsk = lab.zsks[1] as SmallLab["zsks"][number];
  const input = new WireSigningInput(lab.skr, lab.atEpochSeconds);
  feed(records(text, name), (r, f, l) => input.add(r, f, l));
  const plan = planWireZoneSigning(input, { soa: soaRecord() });
  let apex = Buffer.alloc(0);
  let room = -1;
  const body: Uint8Array[] = [];
  await signWireZone(plan, zsk, {
    begin: (octets) => {
      room = octets;
    },
    body: (t) => {
      body.push(t);
    },
    end: (t) => {
      apex = Buffer.from(t);
    },
  });
  expect(apex.length).toBe(room);
  return Buffer.concat([apex, ...body]).toString("latin1");
}

/** The object model's validator on a signed text (an independent reading of the same rules). */
export function validate(lab: SmallLab, text: string) {
  return verifyZone({ records: records(text, "signed.zone"), anchors: [lab.anchor as never], atEpochSeconds: lab.atEpochSeconds });
}

export type Outcome<T> = { readonly result: T } | { readonly refused: { kind: string; code: string; where: string | undefined; message: string } };

export async function outcome<T>(run: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { result: await run() };
  } catch (e) {
    if (e instanceof KskError) return { refused: { kind: e.kind, code: e.code, where: e.where, message: e.message } };
    throw e;
  }
}

export async function wireInput(text: string, name: string): Promise<WireZoneInput> {
  const input = new WireZoneInput(undefined);
  await loadZoneWire({ name, text }, {}, (r) => input.add(r, r.file, r.line));
  return input;
}

/** A batch verifier answering late and out of order (later batches first), to show the order of problems does not depend on it. */
export function shuffledVerifier(): (jobs: readonly SignatureJob[]) => Promise<SignatureOutcome[]> {
  const local = localSignatureVerifier();
  let calls = 0;
  return (jobs) => {
    const delay = 8 - (calls++ % 4) * 2;
    return new Promise((resolve) => setTimeout(() => resolve(local(jobs)), delay));
  };
}

/** Both validations of `text`: object model, compact model (default verifier), compact model in small shuffled batches. */
export async function both(text: string, name: string, anchors: readonly AnchorRecord[], atEpochSeconds: number) {
  const object = await outcome(() => verifyZone({ records: records(text, name), anchors, atEpochSeconds }));
  const wire = await outcome(async () => verifyWireZone(await wireInput(text, name), { anchors, atEpochSeconds }));
  const batched = await outcome(async () =>
    verifyWireZone(await wireInput(text, name), { anchors, atEpochSeconds, verify: shuffledVerifier() }, { batchJobs: 3, batchesInFlight: 2 }),
  );
  return { object, wire, batched };
}
