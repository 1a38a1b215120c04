/**
 * The one RRSIG signed-data builder (RFC 4034 §3.1.8.1 with §6.2–6.3; RFC 4035 §5.3.2). Signing
 * and verifying both call `rrsigSignedData`, so the two cannot drift apart.
 *
 *   signed data = RRSIG_RDATA (all fields but the signature, signer name lowercased)
 *               | RR(1) | RR(2) | …   each in canonical form, with
 *                 - owner lowercased, or `*.` + the rightmost `labels` labels for a wildcard expansion,
 *                 - TTL = the RRSIG's Original TTL,
 *                 - RRs sorted by canonical RDATA and duplicates removed.
 */
import { bytesEqual, compareBytes, concatBytes, u16, u32 } from "./bytes.js";
import { inputError } from "./errors.js";
import { type Name, nameFromLabels, nameToString, nameToWire, namesEqual, rrsigLabelCount } from "./name.js";
import { type RrsigRdata, encodeRdata, encodeRrsigFieldsWithoutSignature } from "./rdata.js";
import { type RR, rrType } from "./rr.js";
import { typeToString } from "./rrtype.js";

/** The RRSIG fields that are signed: everything but the signature itself. */
export type RrsigTemplate = Omit<RrsigRdata, "kind" | "signatureBytes">;

const WILDCARD_LABEL = new Uint8Array([0x2a]);

/** The owner name as it appears in the signed data (RFC 4035 §5.3.2 wildcard rule). */
function signedOwner(owner: Name, labels: number): Name {
  const count = rrsigLabelCount(owner);
  if (labels > count) {
    throw inputError("RRSIG-LABELS", `RRSIG labels field ${labels} exceeds the ${count} labels of ${nameToString(owner)}`);
  }
  if (labels === owner.labels.length) return owner;
  return nameFromLabels([WILDCARD_LABEL, ...owner.labels.slice(owner.labels.length - labels)]);
}

export function rrsigSignedData(template: RrsigTemplate, rrset: readonly RR[]): Uint8Array {
  const first = rrset[0];
  if (!first) throw inputError("RRSET-EMPTY", "cannot sign or verify an empty RRset");
  for (const rr of rrset) {
    if (!namesEqual(rr.owner, first.owner) || rr.class !== first.class || rrType(rr) !== rrType(first)) {
      throw inputError(
        "RRSET-MIXED",
        `RRset mixes ${nameToString(first.owner)}/${typeToString(rrType(first))} with ${nameToString(rr.owner)}/${typeToString(rrType(rr))}`,
      );
    }
  }
  if (rrType(first) !== template.typeCovered) {
    throw inputError("RRSIG-TYPE", `RRSIG covers ${typeToString(template.typeCovered)} but the RRset is ${typeToString(rrType(first))}`);
  }
  const ownerWire = nameToWire(signedOwner(first.owner, template.labels), true);
  const rdatas = rrset.map((rr) => encodeRdata(rr.rdata, true)).sort(compareBytes);
  const unique = rdatas.filter((rdata, i) => i === 0 || !bytesEqual(rdatas[i - 1] as Uint8Array, rdata)); // RFC 4034 §6.3
  return signedDataFromWire(encodeRrsigFieldsWithoutSignature(template), ownerWire, first.class, template.originalTtlSeconds, unique);
}

/**
 * The signed data laid out from parts already in wire form — the one layout both `rrsigSignedData`
 * and the compact zone signer (which keeps its records in canonical wire form) use:
 * `rrsigFields` (encodeRrsigFieldsWithoutSignature), then for each RDATA the owner as signed
 * (`ownerWire`, canonical), TYPE (the RRSIG's type covered), CLASS, Original TTL, RDLENGTH and the
 * RDATA. `rdatas` must be canonical, in canonical order, without duplicates.
 */
export function signedDataFromWire(
  rrsigFields: Uint8Array,
  ownerWire: Uint8Array,
  rrClass: number,
  originalTtlSeconds: number,
  rdatas: readonly Uint8Array[],
): Uint8Array {
  let size = rrsigFields.length;
  for (const rdata of rdatas) size += ownerWire.length + 10 + rdata.length;
  const out = new Uint8Array(size);
  out.set(rrsigFields, 0);
  // TYPE (the type covered, the first field of the RRSIG RDATA), CLASS and Original TTL are the
  // same for every record: written once, copied beside each owner.
  const fixed = concatBytes(rrsigFields.subarray(0, 2), u16(rrClass), u32(originalTtlSeconds));
  let at = rrsigFields.length;
  for (const rdata of rdatas) {
    out.set(ownerWire, at);
    at += ownerWire.length;
    out.set(fixed, at);
    out[at + 8] = rdata.length >>> 8;
    out[at + 9] = rdata.length & 0xff;
    out.set(rdata, at + 10);
    at += 10 + rdata.length;
  }
  return out;
}
