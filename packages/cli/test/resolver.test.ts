/**
 * `ksk resolver check` against servers that are not resolvers: a port with nothing listening and
 * fake UDP servers (answers built with dns-packet, an independent encoder) that answer garbage, a
 * wrong message id, a message cut short, a truncated answer with no TCP behind it, or nothing.
 * Each must end in exit 3 with one line on stderr, after a bounded number of queries (the fake
 * server counts them). Usage errors are exit 2.
 */
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import path from "node:path";
import dnsPacket from "dns-packet";
import { freePort } from "@ksk/resolver";
import { afterEach, describe, expect, it } from "vitest";
import { ksk } from "./harness.js";

type Reply = (query: Buffer) => Buffer | undefined;

const servers: Socket[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A UDP server on 127.0.0.1 that answers each query with `reply(query)` (or not at all); counts queries. */
async function fakeServer(reply: Reply): Promise<{ port: number; received: () => number }> {
  const port = await freePort("127.0.0.1");
  const socket = createSocket("udp4");
  servers.push(socket);
  let received = 0;
  socket.on("message", (msg, rinfo) => {
    received++;
    const out = reply(msg);
    if (out) socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", () => resolve()));
  return { port, received: () => received };
}

function answerTo(query: Buffer, change: Partial<dnsPacket.Packet> = {}): Buffer {
  const q = dnsPacket.decode(query);
  return dnsPacket.encode({
    id: q.id,
    type: "response",
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: q.questions,
    answers: [{ type: "SOA", name: ".", ttl: 60, data: { mname: "a.lab", rname: "b.lab", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } }],
    ...change,
  });
}

const check = (port: number, ...extra: string[]) =>
  ksk(["resolver", "check", "--server", "127.0.0.1", "--port", String(port), "--tags", "20326", "--timeout", "0.5", ...extra]);

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe("ksk resolver check: not a resolver → exit 3, one line, bounded queries", () => {
  it("nothing listening on the port: connection refused", async () => {
    const port = await freePort("127.0.0.1");
    const r = await check(port);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(`ksk: 127.0.0.1:${port} . SOA: connection refused (nothing listens on that UDP port)`);
  });

  it("garbage", async () => {
    const s = await fakeServer(() => Buffer.from("this is not a DNS message"));
    const r = await check(s.port);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/^ksk: 127\.0\.0\.1:\d+ \. SOA: no answer over UDP after 2 tries of 500 ms; the only replies: not a DNS message \(/);
    expect(s.received()).toBe(2);
  });

  it("a wrong message id", async () => {
    const s = await fakeServer((q) => answerTo(q, { id: (q.readUInt16BE(0) + 1) & 0xffff }));
    const r = await check(s.port);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/the only replies: answer carries message id \d+, not the query's \d+$/);
    expect(s.received()).toBe(2);
  });

  it("a message cut short", async () => {
    const s = await fakeServer((q) => answerTo(q).subarray(0, 30));
    const r = await check(s.port);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/not a DNS message \(.*runs past the end/);
    expect(s.received()).toBe(2);
  });

  it("a truncated answer (TC) with no TCP server behind it", async () => {
    const s = await fakeServer((q) => answerTo(q, { flags: dnsPacket.TRUNCATED_RESPONSE, answers: [] }));
    const r = await check(s.port);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/ \. SOA: TCP connection refused$/);
    expect(s.received()).toBe(1);
  });

  it("never an answer", async () => {
    const s = await fakeServer(() => undefined);
    const r = await check(s.port);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/ \. SOA: no answer over UDP after 2 tries of 500 ms$/);
    expect(s.received()).toBe(2);
  });

  it("a well-formed answer is accepted (the fake server is not broken by itself)", async () => {
    // Same server, good answers: the check runs to its end (no AD, so not ready: exit 1).
    const s = await fakeServer((q) => answerTo(q));
    const r = await check(s.port);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^validation: no — \. SOA answered without AD$/m);
    // SOA, the broken name, one sentinel pair, . DNSKEY at 1,232 and at 4,096.
    expect(s.received()).toBe(6);
  });

  it("a FORMERR without the question (a server without EDNS) is an answer: not ready, exit 1, not 3", async () => {
    const s = await fakeServer((q) => answerTo(q, { flags: 1, questions: [], answers: [] }));
    const r = await check(s.port);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^validation: no — \. SOA answered FORMERR$/m);
  });

  it("--domain: SOA, broken and sentinel names are asked under it, . DNSKEY at the root, in that order", async () => {
    const asked: string[] = [];
    const s = await fakeServer((q) => {
      const question = dnsPacket.decode(q).questions?.[0];
      asked.push(`${question?.name || "."} ${question?.type}`);
      return answerTo(q);
    });
    const r = await ksk([
      "resolver",
      "check",
      "--server",
      "127.0.0.1",
      "--port",
      String(s.port),
      "--tags",
      "20326,5",
      "--domain",
      "ksk-test.example",
      "--timeout",
      "0.5",
    ]);
    expect(r.code).toBe(1);
    expect(asked).toEqual([
      "ksk-test.example SOA",
      "bogus-rrsig.ksk-test.example A",
      "root-key-sentinel-is-ta-20326.ksk-test.example A",
      "root-key-sentinel-not-ta-20326.ksk-test.example A",
      "root-key-sentinel-is-ta-00005.ksk-test.example A",
      "root-key-sentinel-not-ta-00005.ksk-test.example A",
      ". DNSKEY",
      ". DNSKEY",
    ]);
  });

  it("--bufsize N asks . DNSKEY once, at N; TC with no TCP behind it is a finding (not ready, exit 1), not a fault", async () => {
    const sizes: number[] = [];
    const s = await fakeServer((q) => {
      const p = dnsPacket.decode(q);
      if (p.questions?.[0]?.type !== "DNSKEY") return answerTo(q);
      const opt = (p.additionals ?? []).find((a) => a.type === "OPT") as { udpPayloadSize?: number } | undefined;
      sizes.push(opt?.udpPayloadSize ?? 0);
      return answerTo(q, { flags: dnsPacket.TRUNCATED_RESPONSE, answers: [] });
    });
    const r = await check(s.port, "--bufsize", "1232");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(sizes).toEqual([1232]);
    expect(r.stdout).toMatch(/^\. DNSKEY at a 1232-octet EDNS buffer: TC \(\d+ octets over UDP\); TCP retry FAILED: TCP connection refused$/m);
    expect(r.stdout).toMatch(/needs TCP and TCP failed \(with a 1,232-octet EDNS buffer: TCP connection refused\)/);
  });

  it("usage errors: exit 2", async () => {
    expect((await ksk(["resolver", "check", "--server", "127.0.0.1"])).code).toBe(2);
    expect((await ksk(["resolver", "check", "--server", "127.0.0.1", "--tags", "70000"])).stderr).toMatch(/--tags: "70000" is not a key tag/);
    expect((await ksk(["resolver", "check", "--server", "127.0.0.1", "--tags", "1", "--anchors", "x.xml"])).code).toBe(2);
    const small = await ksk(["resolver", "check", "--server", "127.0.0.1", "--tags", "1", "--bufsize", "511"]);
    expect(small.code).toBe(2);
    expect(small.stderr).toBe("ksk: --bufsize: 511 is not an EDNS buffer size from 512 to 65535\n");
    const named = await ksk(["resolver", "check", "--server", "resolver.example", "--tags", "1"]);
    expect(named.code).toBe(2);
    expect(named.stderr).toBe('ksk: server "resolver.example" is not an IPv4 or IPv6 address\n');
  });

  it("the real process prints one line and exits 3 for a port with nothing listening", async () => {
    const port = await freePort("127.0.0.1");
    const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(path.join(repo, "packages/cli/bin/ksk"), [
        "resolver",
        "check",
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        "--tags",
        "20326,38696",
      ]);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toMatch(/connection refused/);
  });
});
