/**
 * The one atomic writer: exclusive creation by link(2), `force` only over regular files, symlinks
 * never followed, exact modes, nothing left behind after a failed check, and temporaries of dead
 * processes swept. Real files in a temporary directory; FIFOs made with mkfifo(1).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError } from "@ksk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { abandonPendingWrites, checkOutputPath, sweepStaleTemporaries, temporaryNameFor, writeFileStreamed, writeFilesAtomically } from "../src/atomic-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ksk atomic #"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    return `${(e as KskError).kind}/${(e as KskError).code}`;
  }
  return "no error";
};

/** A pid that existed and has exited: a child that ran `true`. */
function deadPid(): number {
  const child = spawnSync("true");
  return child.pid as number;
}

describe("writeFilesAtomically", () => {
  it("creates 0644 outputs and 0600 secrets exactly, whatever the umask", async () => {
    const old = process.umask(0o077);
    try {
      await writeFilesAtomically(
        [
          { file: path.join(dir, "out.xml"), bytes: "<x/>\n" },
          { file: path.join(dir, "key.pem"), bytes: "secret", mode: 0o600 },
        ],
        { force: false },
      );
    } finally {
      process.umask(old);
    }
    expect(statSync(path.join(dir, "out.xml")).mode & 0o777).toBe(0o644);
    expect(statSync(path.join(dir, "key.pem")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["key.pem", "out.xml"]);
  });

  it("refuses an existing file without force and leaves it unchanged; replaces it with force", async () => {
    const file = path.join(dir, "skr.xml");
    writeFileSync(file, "old");
    expect(await codeOf(writeFilesAtomically([{ file, bytes: "new" }], { force: false }))).toBe("refused/OUTPUT-EXISTS");
    expect(readFileSync(file, "utf8")).toBe("old");
    await writeFilesAtomically([{ file, bytes: "new" }], { force: true });
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["skr.xml"]);
  });

  it("refuses a dangling symlink at the output without force, and creates nothing at its target", async () => {
    const target = path.join(dir, "elsewhere.xml");
    const file = path.join(dir, "skr.xml");
    symlinkSync(target, file);
    expect(await codeOf(writeFilesAtomically([{ file, bytes: "new" }], { force: false }))).toBe("refused/OUTPUT-EXISTS");
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
  });

  it("never replaces a symlink, directory or FIFO, even with force", async () => {
    const regular = path.join(dir, "real.xml");
    writeFileSync(regular, "kept");
    symlinkSync(regular, path.join(dir, "link.xml"));
    mkdirSync(path.join(dir, "sub"));
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    for (const name of ["link.xml", "sub", "fifo"]) {
      expect(await codeOf(writeFilesAtomically([{ file: path.join(dir, name), bytes: "x" }], { force: true }))).toBe("refused/OUTPUT-NOT-REGULAR");
    }
    expect(readFileSync(regular, "utf8")).toBe("kept");
    expect(lstatSync(path.join(dir, "link.xml")).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(dir, "fifo")).isFIFO()).toBe(true);
  });

  it("refuses a character device with force (the /dev/null case) before writing anything", async () => {
    expect(await codeOf(checkOutputPath("/dev/null", true))).toBe("refused/OUTPUT-NOT-REGULAR");
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  it("refuses `-` (standard output) as a usage error", async () => {
    expect(await codeOf(checkOutputPath("-", false))).toBe("usage/OUTPUT-STDOUT");
    expect(await codeOf(checkOutputPath("\u0000stdin", true))).toBe("usage/OUTPUT-STDOUT");
  });

  it("lets exactly one of many simultaneous writers create the output", async () => {
    const file = path.join(dir, "skr.xml");
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => writeFilesAtomically([{ file, bytes: `writer ${i}\n` }], { force: false })));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as KskError).code).toBe("OUTPUT-EXISTS");
    expect(readFileSync(file, "utf8")).toMatch(/^writer \d+\n$/);
    expect(readdirSync(dir)).toEqual(["skr.xml"]);
  });

  it("leaves nothing when the checker rejects what was written", async () => {
    const file = path.join(dir, "anchors.xml");
    let seen = "";
    const failing = writeFilesAtomically(
      [
        {
          file,
          bytes: "written",
          verify: (w) => {
            seen = Buffer.from(w).toString();
            throw new KskError("check", "TA-CHECK", "does not read back");
          },
        },
      ],
      { force: false },
    );
    expect(await codeOf(failing)).toBe("check/TA-CHECK");
    expect(seen).toBe("written");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("writes a set all or none: a second file that exists leaves no first file behind", async () => {
    writeFileSync(path.join(dir, "ca.pem"), "old cert");
    const set = writeFilesAtomically(
      [
        { file: path.join(dir, "ca.key"), bytes: "key", mode: 0o600 },
        { file: path.join(dir, "ca.pem"), bytes: "cert" },
      ],
      { force: false },
    );
    expect(await codeOf(set)).toBe("refused/OUTPUT-EXISTS");
    expect(readdirSync(dir)).toEqual(["ca.pem"]);
    expect(readFileSync(path.join(dir, "ca.pem"), "utf8")).toBe("old cert");
  });

  it("abandonPendingWrites removes a temporary that is on disk (as the SIGINT handler does)", async () => {
    const file = path.join(dir, "skr.xml");
    let during: string[] = [];
    const write = writeFilesAtomically(
      [
        {
          file,
          bytes: "x",
          verify: () => {
            during = readdirSync(dir);
            expect(abandonPendingWrites()).toHaveLength(1);
            throw new KskError("refused", "TEST-STOP", "stopped");
          },
        },
      ],
      { force: false },
    );
    expect(await codeOf(write)).toBe("refused/TEST-STOP");
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(new RegExp(`^\\.skr\\.xml\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("sweepStaleTemporaries", () => {
  it("removes temporaries of processes that are gone and keeps those of live ones and other files", async () => {
    const file = path.join(dir, "skr.xml");
    const dead = path.join(dir, `.skr.xml.${deadPid()}.0123456789ab.tmp`);
    const live = path.join(dir, `.skr.xml.${process.ppid}.0123456789ab.tmp`);
    const other = path.join(dir, `.other.xml.${deadPid()}.0123456789ab.tmp`);
    for (const f of [dead, live, other]) writeFileSync(f, "partial");
    expect(await sweepStaleTemporaries(file)).toEqual([dead]);
    expect(readdirSync(dir).sort()).toEqual([path.basename(other), path.basename(live)].sort());
  });

  it("runs on the next write of the same output", async () => {
    const file = path.join(dir, "skr.xml");
    const dead = path.join(dir, `.skr.xml.${deadPid()}.fedcba987654.tmp`);
    writeFileSync(dead, "partial");
    await writeFilesAtomically([{ file, bytes: "new" }], { force: false });
    expect(readdirSync(dir)).toEqual(["skr.xml"]);
  });

  it("names temporaries after the output, this process and 48 random bits", () => {
    const name = path.basename(temporaryNameFor(path.join(dir, "root-anchors.p7s")));
    expect(name).toMatch(new RegExp(`^\\.root-anchors\\.p7s\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
  });
});

describe("writeFileStreamed", () => {
  const enc = (text: string) => new TextEncoder().encode(text);

  it("writes pieces out of order (the head last, into the room left for it) as one checked, atomic file", async () => {
    const out = path.join(dir, "signed.zone");
    await writeFileStreamed(out, { force: false }, async (file) => {
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toHaveLength(1);
      await file.write(enc("body 1\n"), 5);
      await file.write(enc("body 2\n"), 12);
      await file.write(enc("apex\n"), 0);
    });
    expect(readFileSync(out, "utf8")).toBe("apex\nbody 1\nbody 2\n");
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(["signed.zone"]);
  });

  it("refuses a file with a gap or an overlap (OUTPUT-MISMATCH) and leaves nothing", async () => {
    const out = path.join(dir, "signed.zone");
    const gap = writeFileStreamed(out, { force: false }, async (file) => {
      await file.write(enc("body\n"), 10);
      await file.write(enc("apex\n"), 0);
    });
    expect(await codeOf(gap)).toBe("input/OUTPUT-MISMATCH");
    const overlap = writeFileStreamed(out, { force: false }, async (file) => {
      await file.write(enc("body\n"), 3);
      await file.write(enc("apex\n"), 0);
    });
    expect(await codeOf(overlap)).toBe("input/OUTPUT-MISMATCH");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves nothing when the producer fails part-way, and never replaces an existing output without force", async () => {
    const out = path.join(dir, "signed.zone");
    const failing = writeFileStreamed(out, { force: false }, async (file) => {
      await file.write(enc("part\n"), 0);
      throw new KskError("keystore", "SIGNATURE-NOT-VERIFIED", "a signature did not verify");
    });
    expect(await codeOf(failing)).toBe("keystore/SIGNATURE-NOT-VERIFIED");
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(out, "old\n");
    expect(await codeOf(writeFileStreamed(out, { force: false }, async () => undefined))).toBe("refused/OUTPUT-EXISTS");
    await writeFileStreamed(out, { force: true }, async (file) => file.write(enc("new\n"), 0));
    expect(readFileSync(out, "utf8")).toBe("new\n");
  });
});
