/**
 * dnstap events (pure): one Frame Streams data frame → the event it carries, decoded with
 * protobufjs from the schema in ./dnstap.proto (the text is in ./dnstap-schema.ts). protobufjs is
 * loaded by `loadDnstapCodec` through a dynamic import, once: the `ksk` bundle then keeps it in a
 * chunk of its own that only commands reading dnstap load (every command that imports this package
 * would otherwise pay for it at start-up).
 *
 * Implements: the Dnstap envelope (type MESSAGE with its Message), the Message's type, socket
 * family and protocol, the initiator's address and port (IPv4 dotted, IPv6 in RFC 5952 text),
 * the query time (seconds and nanoseconds) and the query message's octets, as they were. A frame
 * the schema does not decode, an envelope of another type, or an address of the wrong length for
 * its family is an input error.
 * Leaves out: the response fields, Policy and the identity/version/extra annotations (kept raw
 * only as far as a report needs: not at all), encoding except for tests.
 */
import { inputError } from "@ksk/core";
import type { Enum, Type } from "protobufjs";
import { DNSTAP_PROTO } from "./dnstap-schema.js";

export interface DnstapEvent {
  /** The Message type, e.g. AUTH_QUERY (what an authoritative server logs for each query it receives). */
  readonly messageType: string;
  readonly socketFamily: "INET" | "INET6" | undefined;
  readonly socketProtocol: string | undefined;
  /** The initiator's address (for AUTH_QUERY, the resolver's), as text. */
  readonly queryAddress: string | undefined;
  readonly queryPort: number | undefined;
  /** When the query was received: seconds since the epoch, with the nanoseconds as a fraction. */
  readonly queryTimeEpochSeconds: number | undefined;
  /** The query as it arrived, wire form. */
  readonly queryMessageBytes: Uint8Array | undefined;
}

/** RFC 5952 §4 text of a 16-octet IPv6 address: lower case, no leading zeros, the longest run (2+) of zero groups as "::". */
export function ipv6Text(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16));
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  if (best.length < 2) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.length).join(":")}`;
}

function addressText(bytes: Uint8Array, family: string | undefined): string {
  if (family === "INET" && bytes.length === 4) return Array.from(bytes).join(".");
  if (family === "INET6" && bytes.length === 16) return ipv6Text(bytes);
  throw inputError("DNSTAP-ADDRESS", `query_address of ${bytes.length} octets for socket family ${family ?? "(none)"}`);
}

/** The dnstap schema, compiled: decode a frame's payload, encode an event (tests and generators). */
export interface DnstapCodec {
  /** Decode one data frame's payload; faults are input errors without a position (the caller knows the frame's offset). */
  decode(bytes: Uint8Array): DnstapEvent;
  /** Encode one AUTH_QUERY-style event as a dnstap protobuf (the form mod-dnstap writes). */
  encode(event: DnstapEventInput): Uint8Array;
}

let codec: Promise<DnstapCodec> | undefined;

/** protobufjs and the compiled schema, loaded once. */
export function loadDnstapCodec(): Promise<DnstapCodec> {
  codec ??= import("protobufjs").then((m) => {
    const root = m.default.parse(DNSTAP_PROTO, { keepCase: true }).root;
    const dnstapType = root.lookupType("dnstap.Dnstap");
    const messageTypes = root.lookupEnum("dnstap.Message.Type");
    return { decode: (bytes) => decodeDnstap(dnstapType, bytes), encode: (event) => encodeDnstap(dnstapType, messageTypes, event) };
  });
  return codec;
}

function decodeDnstap(DnstapType: Type, bytes: Uint8Array): DnstapEvent {
  let decoded: Record<string, unknown>;
  try {
    decoded = DnstapType.toObject(DnstapType.decode(bytes), { longs: Number, enums: String, defaults: false }) as Record<string, unknown>;
  } catch (e) {
    throw inputError("DNSTAP-PROTOBUF", `not a dnstap event (${(e as Error).message})`);
  }
  if (decoded.type !== "MESSAGE") throw inputError("DNSTAP-PROTOBUF", `a dnstap event of type ${String(decoded.type)}, not MESSAGE`);
  const m = decoded.message as Record<string, unknown> | undefined;
  if (m === undefined) throw inputError("DNSTAP-PROTOBUF", "a dnstap MESSAGE event without its message");
  const family = m.socket_family as DnstapEvent["socketFamily"];
  const seconds = m.query_time_sec as number | undefined;
  const nanoseconds = (m.query_time_nsec as number | undefined) ?? 0;
  const address = m.query_address as Uint8Array | undefined;
  const queryAddress = address === undefined ? undefined : addressText(address, family);
  return {
    messageType: String(m.type),
    socketFamily: family,
    socketProtocol: m.socket_protocol as string | undefined,
    queryAddress,
    queryPort: m.query_port as number | undefined,
    queryTimeEpochSeconds: seconds === undefined ? undefined : seconds + nanoseconds / 1e9,
    queryMessageBytes: m.query_message as Uint8Array | undefined,
  };
}

/** The fields of an event to encode (tests and generators: a dnstap file without a DNS server). */
export interface DnstapEventInput {
  readonly messageType?: string;
  readonly family?: "INET" | "INET6";
  readonly protocol?: "UDP" | "TCP";
  readonly queryAddressBytes?: Uint8Array;
  readonly queryPort?: number;
  readonly queryTimeEpochSeconds?: number;
  readonly queryMessageBytes?: Uint8Array;
}

function encodeDnstap(DnstapType: Type, MessageTypeEnum: Enum, e: DnstapEventInput): Uint8Array {
  const seconds = e.queryTimeEpochSeconds === undefined ? undefined : Math.floor(e.queryTimeEpochSeconds);
  const message = {
    type: MessageTypeEnum.values[e.messageType ?? "AUTH_QUERY"],
    ...(e.family === undefined ? {} : { socket_family: e.family === "INET" ? 1 : 2 }),
    ...(e.protocol === undefined ? {} : { socket_protocol: e.protocol === "UDP" ? 1 : 2 }),
    ...(e.queryAddressBytes === undefined ? {} : { query_address: e.queryAddressBytes }),
    ...(e.queryPort === undefined ? {} : { query_port: e.queryPort }),
    ...(seconds === undefined ? {} : { query_time_sec: seconds, query_time_nsec: Math.round(((e.queryTimeEpochSeconds as number) - seconds) * 1e9) }),
    ...(e.queryMessageBytes === undefined ? {} : { query_message: e.queryMessageBytes }),
  };
  return DnstapType.encode(DnstapType.fromObject({ type: 1, message })).finish();
}
