/**
 * The check codes of @ksk/zone, registered with core's registry when the package loads: signing a
 * zone with an SKR bundle, and validating a signed zone.
 */
import { registerChecks } from "@ksk/core";

export const ZONE_CHECKS = registerChecks("@ksk/zone", {
  // --- whole zones (RFC 4035 §2, RFC 8976): signing with an SKR bundle, and validating a signed zone ---
  "ZONE-SKR-BUNDLE": { title: "A bundle of the SKR is valid at the signing time, and the ZSK it publishes for signing is known" },
  "ZONE-APEX-DNSKEY": { title: "The zone's apex DNSKEY RRset is exactly the SKR bundle's (no other apex DNSKEYs in the input)" },
  "ZONE-ALGORITHMS": { title: "Every authoritative RRset is signed with each algorithm of the apex DNSKEY RRset (RFC 4035 §2.2)" },
  "ZONE-DELEGATION": { title: "Delegation NS RRsets and glue carry no RRSIG or NSEC; DS RRsets are signed (RFC 4035 §2.2, §2.3)" },
  "ZONE-NSEC-CHAIN": { title: "One NSEC at every authoritative name and delegation point, linked in canonical order back to the apex (RFC 4035 §2.3)" },
  "ZONE-NSEC-BITMAP": { title: "Each NSEC type bitmap lists exactly the types present at its owner (RFC 4034 §4.1.2)" },
  // --- zone semantics, as kzonecheck judges them (zone verify reports them; zone sign refuses CNAME and missing glue below a cut) ---
  "ZONE-CNAME": { title: "No CNAME beside other data, one CNAME a name (RFC 1034 §3.6.2, RFC 2181 §10.1)" },
  "ZONE-GLUE": { title: "Every name server inside the zone has an A or AAAA record in it: glue below a cut, authoritative data above" },
  "ZONE-OCCLUDED": { title: "Below a zone cut only glue: A and AAAA of a name server the zone's NS records name (RFC 2181 §6)" },
  "ZONE-ZONEMD": { title: "The apex ZONEMD digest matches the zone and its serial is the SOA serial (RFC 8976 §4)" },
});
