/**
 * The size of the DNS message that answers `<domain> DNSKEY` with the DO bit set (RFC 3225), as a
 * resolver receives it for one slot: header (12) + question + the DNSKEY RRset + its RRSIGs + an
 * EDNS0 OPT record with no options (11). Owner names in answers equal the question name and are
 * compressed to a 2-octet pointer, except the root, whose 1-octet name is shorter than a pointer;
 * RRSIG signer names are never compressed (RFC 4034 §3.1.7).
 *
 * For the root with RSA-2048 keys this gives 864 octets for 1 KSK + 1 ZSK, 1414 for 2 KSKs + 2 ZSKs
 * and 1425 for a revoked and a new KSK + 1 ZSK with two RRSIGs. Above 1232 octets (the DNS Flag Day
 * 2020 EDNS buffer size) a UDP answer risks truncation and a fallback to TCP; above 1452 it no longer
 * fits one IPv6 packet on a 1500-octet path.
 */
import { type DnskeyRdata, type Name, type RR, type RrsigRdata, encodeRdata, nameToWire } from "@ksk/core";

export const DNSKEY_RESPONSE_WARN_BYTES = 1232;
/**
 * The largest answer that fits one unfragmented UDP datagram on a 1500-octet Ethernet path over
 * IPv6: 1500 − 40 (IPv6 header) − 8 (UDP header). Above it an answer is fragmented or goes to TCP.
 */
export const DNSKEY_RESPONSE_MAX_BYTES = 1452;

const HEADER_BYTES = 12;
const OPT_RR_BYTES = 11;
const RR_FIXED_BYTES = 10; // type, class, TTL, RDLENGTH

export function dnskeyResponseSizeBytes(domain: Name, dnskeys: readonly RR<DnskeyRdata>[], rrsigs: readonly RR<RrsigRdata>[]): number {
  const qnameBytes = nameToWire(domain).length;
  const ownerBytes = Math.min(qnameBytes, 2);
  let size = HEADER_BYTES + qnameBytes + 4 + OPT_RR_BYTES;
  for (const rr of [...dnskeys, ...rrsigs]) size += ownerBytes + RR_FIXED_BYTES + encodeRdata(rr.rdata).length;
  return size;
}
