/**
 * Signing a zone as the Root Zone Maintainer does, for a zone given as located records (the lab,
 * the library's users and tests): plan first, then sign through an injected `Signer` (the
 * bundle's ZSK), the signed zone returned as text.
 *
 * There is one zone signer, the compact one (./wire-sign.ts plans, ./wire-sign-run.ts signs and
 * streams): `planZoneSigning` hands each record to it in canonical wire form and `signZone`
 * collects what it streams. What the plan holds and how each signature is verified is said there.
 * `ksk zone sign` feeds the same signer straight from the zone reader and streams to a file.
 *
 * Left out: zones larger than memory holds as text (`ksk zone sign` streams them to a file).
 */
import { type LocatedRR, type Name, type Signer, bytesEqual, checkFailed, encodeRdata, nameToString, nameToWire, namesEqual, rrType } from "@ksk/core";
import type { WireRecordInput } from "./wire-records.js";
import { type KsrResponseDocument, documentDomain } from "@ksk/ksr";
import { WireSigningInput, type WireZoneSigningOptions, type WireZoneSigningPlan, planWireZoneSigning } from "./wire-sign.js";
import { type WireSignOptions, signWireZone } from "./wire-sign-run.js";

export interface ZoneSigningRequest extends WireZoneSigningOptions {
  readonly records: readonly LocatedRR[];
  readonly origin: Name;
  readonly skr: KsrResponseDocument;
  readonly atEpochSeconds: number;
}

/** A located record as the compact store takes it: canonical wire form, the form as written when it differs, and its `file` and `line` ("generated" has no line). */
export function wireRecordOf({ rr, where }: LocatedRR): { record: WireRecordInput; file: string; line: number } {
  const ownerWire = nameToWire(rr.owner, true);
  const rdataWire = encodeRdata(rr.rdata, true);
  const written = { ownerWire: nameToWire(rr.owner, false), rdataWire: encodeRdata(rr.rdata, false) };
  const differs = !bytesEqual(written.ownerWire, ownerWire) || !bytesEqual(written.rdataWire, rdataWire);
  const colon = where.lastIndexOf(":");
  const line = Number(where.slice(colon + 1));
  const place = colon < 0 || !Number.isInteger(line) ? { file: where, line: 0 } : { file: where.slice(0, colon), line };
  return { record: { ownerWire, type: rrType(rr), ttlSeconds: rr.ttlSeconds, rdataWire, original: differs ? written : undefined }, ...place };
}

/** Plan the signing of a zone given as located records (see ./wire-sign.ts). */
export function planZoneSigning(request: ZoneSigningRequest): WireZoneSigningPlan {
  const domain = documentDomain(request.skr);
  if (!namesEqual(domain, request.origin)) {
    throw checkFailed("ZONE-SKR-BUNDLE", `SKR ${request.skr.id} is for ${nameToString(domain)}, the zone is ${nameToString(request.origin)}`);
  }
  const input = new WireSigningInput(request.skr, request.atEpochSeconds);
  for (const located of request.records) {
    const { record, file, line } = wireRecordOf(located);
    input.add(record, file, line);
  }
  return planWireZoneSigning(input, request);
}

/** Execute a plan with the bundle's signing ZSK; the signed zone as text, ZONEMD computed and signed. */
export async function signZone(plan: WireZoneSigningPlan, signer: Signer, options: WireSignOptions = {}): Promise<string> {
  let apex: Uint8Array = new Uint8Array(0);
  const body: Uint8Array[] = [];
  await signWireZone(
    plan,
    signer,
    {
      begin: () => undefined,
      body: (bytes) => {
        body.push(bytes);
      },
      end: (bytes) => {
        apex = bytes;
      },
    },
    options,
  );
  return Buffer.concat([apex, ...body]).toString("latin1");
}
