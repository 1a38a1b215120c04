/**
 * RFC 8145 trust-anchor signals in a query (pure): which root KSK tags a validating resolver says
 * it trusts.
 *
 * Implements: the key-tag query (§5): QNAME `_ta-<tag>[-<tag>]….<anchor>` with each tag four
 * hexadecimal digits (§5.1 writes them lower case and sorted; read here in either case, as a
 * resolver's 0x20 randomisation may change it) — only for the root's anchor (`_ta-….` directly
 * under the root). §5.1 asks QTYPE NULL, but any QTYPE is taken: with QNAME minimisation (RFC 9156,
 * on by default in unbound 1.17) the root sees the name asked with QTYPE A — measured against the
 * lab's knotd, where unbound's "keytag query _ta-4b4d. NULL IN" arrives as `_ta-4b4d. A`. The edns-key-tag option (§4, EDNS option code 14), whose data is a list of
 * 16-bit key tags, in any query. A query that does not parse as a DNS message, or an option 14
 * whose length is zero or odd (§4.1), is an input error.
 * Leaves out: signals for trust anchors other than the root's (counted, not read), the response
 * side (RFC 8145 §4.2 says a server ignores the option in answers).
 */
import { inputError, nameFromLabels, nameToString } from "@ksk/core";
import { decodeMessage } from "../message.js";

/** The EDNS option code of edns-key-tag (RFC 8145 §4.1). */
export const EDNS_KEY_TAG_OPTION = 14;

export interface QuerySignals {
  /** Tags of a `_ta-` query for the root (RFC 8145 §5), or undefined when the query is not one. */
  readonly taQuery: readonly number[] | undefined;
  /** Tags of an edns-key-tag option (RFC 8145 §4), or undefined when the query has none. */
  readonly ednsKeyTags: readonly number[] | undefined;
  /** A `_ta-` query for another trust anchor than the root's (its name). */
  readonly otherAnchor: string | undefined;
}

const TA_LABEL = /^_ta-[0-9a-f]{4}(?:-[0-9a-f]{4})*$/i;

export function querySignals(queryBytes: Uint8Array): QuerySignals {
  let message: ReturnType<typeof decodeMessage>;
  try {
    message = decodeMessage(queryBytes);
  } catch (e) {
    throw inputError("DNSTAP-DNS", `the query does not parse: ${(e as Error).message}`);
  }
  let taQuery: number[] | undefined;
  let otherAnchor: string | undefined;
  const q = message.questions[0];
  const first = q?.name.labels[0];
  if (q && first) {
    const label = new TextDecoder().decode(first);
    if (TA_LABEL.test(label)) {
      const tags = label
        .slice(4)
        .split("-")
        .map((h) => Number.parseInt(h, 16));
      if (q.name.labels.length === 1) taQuery = tags;
      else otherAnchor = nameToString(nameFromLabels(q.name.labels.slice(1)));
    }
  }
  let ednsKeyTags: number[] | undefined;
  for (const option of message.edns?.options ?? []) {
    if (option.code !== EDNS_KEY_TAG_OPTION) continue;
    const data = option.dataBytes;
    if (data.length === 0 || data.length % 2 !== 0)
      throw inputError("DNSTAP-DNS", `edns-key-tag option of ${data.length} octets (a non-empty list of 2-octet key tags)`);
    ednsKeyTags = [];
    for (let i = 0; i < data.length; i += 2) ednsKeyTags.push(((data[i] as number) << 8) | (data[i + 1] as number));
  }
  return { taQuery, ednsKeyTags, otherAnchor };
}
