/**
 * dns-packet (an independent JavaScript DNS implementation) as a wire-format oracle: it encodes a
 * one-answer response without name compression, so the answer section must equal our `rrToWire`.
 */
import dnsPacket from "dns-packet";
import { type RR, bytesToHex, rrToWire } from "../src/index.js";

/** The answer section of a dns-packet response holding just `answer`, as hex. */
export function dnsPacketAnswerHex(answer: dnsPacket.Answer): string {
  const packet = dnsPacket.encode({ type: "response", id: 0, flags: 0, answers: [answer] });
  return bytesToHex(new Uint8Array(packet.subarray(12)));
}

/** Our wire RR read back by dns-packet, as the answer object it decodes. */
export function dnsPacketDecode(rr: RR): dnsPacket.Answer {
  const header = Buffer.from([0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const decoded = dnsPacket.decode(Buffer.concat([header, Buffer.from(rrToWire(rr))]));
  const answer = decoded.answers?.[0];
  if (!answer) throw new Error("dns-packet decoded no answer");
  return answer;
}
