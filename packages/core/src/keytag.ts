/**
 * Key tags (RFC 4034 Appendix B) and DNSKEY flag bits (RFC 4034 §2.1.1, RFC 5011 §7).
 *
 * The key tag is computed over the DNSKEY RDATA, so setting the REVOKE bit changes it: the tag
 * must be recomputed, never derived by adding 128 (the sum folds carries, so +128 is wrong in
 * general even though it happens to hold for some keys).
 */
import { inputError } from "./errors.js";
import { type DnskeyRdata, encodeRdata } from "./rdata.js";

export const DNSKEY_FLAG_ZONE = 0x0100; // bit 7: Zone Key
export const DNSKEY_FLAG_REVOKE = 0x0080; // bit 8: REVOKE (RFC 5011)
export const DNSKEY_FLAG_SEP = 0x0001; // bit 15: Secure Entry Point

/** Key tag of a DNSKEY (RFC 4034 Appendix B), including the algorithm 1 rule (B.1). */
export function keyTag(dnskey: DnskeyRdata): number {
  const rdata = encodeRdata(dnskey);
  if (dnskey.algorithm === 1) {
    // B.1: the most significant 16 bits of the least significant 24 bits of the modulus, which
    // ends the RDATA (RFC 3110 key format).
    const n = rdata.length;
    if (n < 4 + 3) throw inputError("DNSKEY-KEY-LENGTH", `algorithm 1 DNSKEY public key of ${n - 4} octets is too short for a key tag`);
    return ((rdata[n - 3] as number) << 8) | (rdata[n - 2] as number);
  }
  let accumulator = 0;
  for (let i = 0; i < rdata.length; i++) {
    accumulator += i & 1 ? (rdata[i] as number) : (rdata[i] as number) << 8;
  }
  accumulator += (accumulator >>> 16) & 0xffff;
  return accumulator & 0xffff;
}

export function isRevoked(dnskey: DnskeyRdata): boolean {
  return (dnskey.flags & DNSKEY_FLAG_REVOKE) !== 0;
}

export function isZoneKey(dnskey: DnskeyRdata): boolean {
  return (dnskey.flags & DNSKEY_FLAG_ZONE) !== 0;
}

export function isSep(dnskey: DnskeyRdata): boolean {
  return (dnskey.flags & DNSKEY_FLAG_SEP) !== 0;
}

/** The same key with the REVOKE bit set (flags 257 → 385). */
export function withRevokeBit(dnskey: DnskeyRdata): DnskeyRdata {
  return { ...dnskey, flags: dnskey.flags | DNSKEY_FLAG_REVOKE };
}

/** The same key with the REVOKE bit cleared (385 → 257): the key as it was before revocation. */
export function withoutRevokeBit(dnskey: DnskeyRdata): DnskeyRdata {
  return { ...dnskey, flags: dnskey.flags & ~DNSKEY_FLAG_REVOKE };
}

/** Key tag of the key with its REVOKE bit set (20326 → 20454 for KSK-2017). */
export function revokedKeyTag(dnskey: DnskeyRdata): number {
  return keyTag(withRevokeBit(dnskey));
}

/** Do two DNSKEYs hold the same key, whatever the REVOKE bit says? */
export function sameKeyMaterial(a: DnskeyRdata, b: DnskeyRdata): boolean {
  return (
    a.algorithm === b.algorithm &&
    a.protocol === b.protocol &&
    (a.flags & ~DNSKEY_FLAG_REVOKE) === (b.flags & ~DNSKEY_FLAG_REVOKE) &&
    Buffer.compare(a.publicKeyBytes, b.publicKeyBytes) === 0
  );
}
