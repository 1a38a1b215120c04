/**
 * TEST ONLY: build a DNSKEY with a chosen key tag by adjusting the last two octets of a public key
 * (the key tag is a 16-bit checksum of the RDATA, RFC 4034 Appendix B, so two adjacent octets
 * reach every tag; a third is flipped so the key always differs from the base). The result is not a usable key; it stands for "a known key with this tag".
 */
import { type DnskeyRdata, keyTag } from "@ksk/core";

export function dnskeyWithTag(base: DnskeyRdata, targetTag: number, flags = base.flags): DnskeyRdata {
  const key = new Uint8Array(base.publicKeyBytes);
  // Change a third octet first, so that the result differs from `base` even for base's own tag.
  key[key.length - 3] = (key[key.length - 3] as number) ^ 0x01;
  for (let v = 0; v < 0x10000; v++) {
    key[key.length - 2] = v >> 8;
    key[key.length - 1] = v & 0xff;
    const candidate: DnskeyRdata = { ...base, flags, publicKeyBytes: new Uint8Array(key) };
    if (keyTag(candidate) === targetTag) return candidate;
  }
  throw new Error(`no two-octet change gives key tag ${targetTag}`);
}
