/**
 * A DNS client for one server: UDP first, TCP when the UDP answer is truncated (RFC 1035 §4.2,
 * RFC 7766 §5), with a bounded number of tries and a timeout per try.
 *
 * Implements: a connected UDP socket (so an ICMP port unreachable ends the wait at once); answers
 * accepted only when they parse, are responses, carry the query's id and echo its question
 * (RFC 5452 §9.1; an error RCODE may come without the question) — anything else is set aside and waiting goes on until the timeout, then the
 * query is sent again (same id, at most `udpTries` times); TC → one TCP exchange with the 2-octet
 * length prefix (RFC 1035 §4.2.2). At most `udpTries + 1` messages go out per question.
 * Failures are KskErrors of kind input with the code DNS-UNREACHABLE, DNS-TIMEOUT, DNS-GARBAGE,
 * DNS-WRONG-ID, DNS-WRONG-QUESTION or DNS-TRUNCATED, in one line naming the server.
 * Leaves out: TCP connection reuse and pipelining, DNS over TLS/HTTPS, retrying other servers.
 */
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import type { EventEmitter } from "node:events";
import { isIP, isIPv6, Socket } from "node:net";
import { concatBytes, KskError, type Name, nameToString, namesEqual, typeToString, u16 } from "@ksk/core";
import { type DnsMessage, type Question, Rcode, decodeMessage, encodeQuery, questionOf } from "./message.js";

export interface ServerAddress {
  readonly address: string;
  readonly port: number;
}

export interface ClientLimits {
  /** Milliseconds to wait for an answer to one UDP or TCP try (default 2000). */
  readonly timeoutMs?: number;
  /** UDP sends per question before giving up (default 2). */
  readonly udpTries?: number;
  /** Our EDNS UDP payload size (default 4096, as dig; the resolver's own limit then shows). */
  readonly udpPayloadSize?: number;
}

export interface Exchange {
  readonly question: Question;
  readonly response: DnsMessage;
  /** The answer's size in octets as received (TCP: without the length prefix). */
  readonly sizeBytes: number;
  readonly transport: "udp" | "tcp";
  /** The UDP answer came with TC set (and the TCP answer is the one kept). */
  readonly truncatedOverUdp: boolean;
  /** The size of the truncated UDP answer, when there was one. */
  readonly udpSizeBytes: number | undefined;
  /** Messages sent for this question. */
  readonly queriesSent: number;
  /**
   * With `keepTruncated`: why the TCP retry of a truncated UDP answer failed (the response is then
   * the truncated UDP one, transport "udp").
   */
  readonly tcpFailure?: string;
}

export const DEFAULT_LIMITS = { timeoutMs: 2000, udpTries: 2, udpPayloadSize: 4096 } as const;

function serverText(s: ServerAddress): string {
  return isIPv6(s.address) ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

function dnsError(code: string, server: ServerAddress, q: Question, detail: string): KskError {
  return new KskError("input", code, `${detail}`, { where: `${serverText(server)} ${nameToString(q.name)} ${typeToString(q.type)}` });
}

/** Why a received message is not the answer to our query, or undefined when it is. */
function mismatch(message: DnsMessage, id: number, q: Question): { code: string; detail: string } | undefined {
  if (!message.flags.response) return { code: "DNS-GARBAGE", detail: "got a message that is not a response (QR=0)" };
  if (message.id !== id) return { code: "DNS-WRONG-ID", detail: `answer carries message id ${message.id}, not the query's ${id}` };
  // An error answer may leave the question out (a FORMERR from a server without EDNS, RFC 6891 §7):
  // its id and source already tie it to the query, and its RCODE is the answer.
  if (message.questions.length === 0 && message.rcode !== Rcode.NOERROR) return undefined;
  const echoed = message.questions[0];
  if (message.questions.length !== 1 || !echoed || !namesEqual(echoed.name, q.name) || echoed.type !== q.type || echoed.class !== q.class) {
    return { code: "DNS-WRONG-QUESTION", detail: "answer does not echo the question asked" };
  }
  return undefined;
}

function parse(bytes: Uint8Array): DnsMessage | { code: string; detail: string } {
  try {
    return decodeMessage(bytes);
  } catch (e) {
    const truncated = e instanceof KskError && e.code === "DNS-TRUNCATED";
    return { code: truncated ? "DNS-TRUNCATED" : "DNS-GARBAGE", detail: `not a DNS message (${(e as Error).message})` };
  }
}

/**
 * The one way an exchange ends: a send callback, a timer or a late error may fire after the end,
 * so the first outcome settles the promise, the socket's listeners are dropped (a stray error then
 * goes nowhere instead of crashing the process) and `release` frees the socket and its timer, once.
 */
function settleOnce<T>(
  socket: EventEmitter,
  release: () => void,
  resolve: (value: T) => void,
  reject: (error: KskError) => void,
): (result: T | KskError) => void {
  let done = false;
  return (result) => {
    if (done) return;
    done = true;
    socket.removeAllListeners();
    socket.on("error", () => {});
    release();
    if (result instanceof KskError) reject(result);
    else resolve(result);
  };
}

function udpExchange(
  server: ServerAddress,
  query: Uint8Array,
  id: number,
  q: Question,
  tries: number,
  timeoutMs: number,
): Promise<{ message: DnsMessage; size: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.address) ? "udp6" : "udp4");
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let rejected: { code: string; detail: string } | undefined;
    const finish = settleOnce<{ message: DnsMessage; size: number }>(
      socket,
      () => {
        clearTimeout(timer);
        socket.close();
      },
      (result) => resolve({ ...result, sent }),
      reject,
    );
    const send = () => {
      sent++;
      socket.send(query, (e) => {
        if (e) finish(dnsError("DNS-UNREACHABLE", server, q, `cannot send over UDP: ${e.message}`));
      });
      timer = setTimeout(() => {
        if (sent < tries) return send();
        const why = rejected ? `; the only replies: ${rejected.detail}` : "";
        finish(dnsError(rejected?.code ?? "DNS-TIMEOUT", server, q, `no answer over UDP after ${sent} tries of ${timeoutMs} ms${why}`));
      }, timeoutMs);
    };
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const detail = e.code === "ECONNREFUSED" ? "connection refused (nothing listens on that UDP port)" : `UDP error: ${e.message}`;
      finish(dnsError("DNS-UNREACHABLE", server, q, detail));
    });
    socket.on("message", (bytes) => {
      const message = parse(bytes);
      if ("code" in message) {
        rejected = message;
        return;
      }
      const wrong = mismatch(message, id, q);
      if (wrong) {
        rejected = wrong;
        return;
      }
      finish({ message, size: bytes.length });
    });
    socket.connect(server.port, server.address, () => send());
  });
}

function tcpExchange(server: ServerAddress, query: Uint8Array, id: number, q: Question, timeoutMs: number): Promise<{ message: DnsMessage; size: number }> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buffered: Uint8Array = new Uint8Array(0);
    const finish = settleOnce<{ message: DnsMessage; size: number }>(
      socket,
      () => {
        clearTimeout(timer);
        socket.destroy();
      },
      resolve,
      reject,
    );
    const timer = setTimeout(() => finish(dnsError("DNS-TIMEOUT", server, q, `no answer over TCP within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const detail = e.code === "ECONNREFUSED" ? "TCP connection refused" : `TCP error: ${e.message}`;
      finish(dnsError("DNS-UNREACHABLE", server, q, detail));
    });
    socket.on("data", (chunk: Buffer) => {
      buffered = concatBytes(buffered, chunk);
      if (buffered.length < 2) return;
      const length = ((buffered[0] as number) << 8) | (buffered[1] as number);
      if (buffered.length < 2 + length) return;
      const bytes = buffered.slice(2, 2 + length);
      const message = parse(bytes);
      if ("code" in message) return finish(dnsError(message.code, server, q, `over TCP: ${message.detail}`));
      // Over TCP an answer to someone else cannot arrive: any mismatch is a broken server.
      const wrong = mismatch(message, id, q);
      if (wrong) return finish(dnsError(wrong.code, server, q, `over TCP: ${wrong.detail}`));
      finish({ message, size: bytes.length });
    });
    socket.on("end", () => finish(dnsError("DNS-TRUNCATED", server, q, `TCP connection closed after ${buffered.length} octets, before a whole answer`)));
    socket.connect(server.port, server.address, () => socket.write(concatBytes(u16(query.length), query)));
  });
}

/**
 * Ask `server` one question (RD set; EDNS with DO when `dnssecOk`). Resolves with the accepted
 * answer, whatever its RCODE; rejects with a KskError of kind input when there is none — except,
 * with `keepTruncated`, a failed TCP retry, which resolves with the truncated UDP answer and
 * `tcpFailure`.
 */
export async function query(
  server: ServerAddress,
  name: Name,
  type: number,
  options: { dnssecOk?: boolean; checkingDisabled?: boolean; keepTruncated?: boolean } & ClientLimits = {},
): Promise<Exchange> {
  // An address, never a host name: looking one up would ask some other resolver first.
  if (!isIP(server.address)) throw new KskError("usage", "USAGE-SERVER", `server ${JSON.stringify(server.address)} is not an IPv4 or IPv6 address`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LIMITS.timeoutMs;
  const tries = options.udpTries ?? DEFAULT_LIMITS.udpTries;
  const question = questionOf(name, type);
  // RFC 5452 §9.2: an unpredictable id.
  const id = randomInt(0, 0x10000);
  const bytes = encodeQuery({
    id,
    question,
    checkingDisabled: options.checkingDisabled ?? false,
    edns: { udpPayloadSize: options.udpPayloadSize ?? DEFAULT_LIMITS.udpPayloadSize, dnssecOk: options.dnssecOk ?? true },
  });
  const udp = await udpExchange(server, bytes, id, question, tries, timeoutMs);
  if (!udp.message.flags.truncated) {
    return { question, response: udp.message, sizeBytes: udp.size, transport: "udp", truncatedOverUdp: false, udpSizeBytes: undefined, queriesSent: udp.sent };
  }
  let tcp: { message: DnsMessage; size: number };
  try {
    tcp = await tcpExchange(server, bytes, id, question, timeoutMs);
  } catch (e) {
    // A readiness probe wants to know that TCP failed, not to stop: the path that needs TCP is the finding.
    if (!(options.keepTruncated && e instanceof KskError)) throw e;
    const tcpFailure = e.detail;
    return {
      question,
      response: udp.message,
      sizeBytes: udp.size,
      transport: "udp",
      truncatedOverUdp: true,
      udpSizeBytes: udp.size,
      queriesSent: udp.sent + 1,
      tcpFailure,
    };
  }
  if (tcp.message.flags.truncated) throw dnsError("DNS-TRUNCATED", server, question, "answer over TCP is marked truncated too");
  return { question, response: tcp.message, sizeBytes: tcp.size, transport: "tcp", truncatedOverUdp: true, udpSizeBytes: udp.size, queriesSent: udp.sent + 1 };
}
