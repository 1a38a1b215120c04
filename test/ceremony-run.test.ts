/**
 * `ksk ceremony run` as operators run it (the real process, each step a real `ksk` process), on
 * acts that need no HSM: the real root KSKs' DNSKEYs (keys-example/root-ksks.zone) through `ksk
 * ds`, `ksk keytag` and `ksk words`. A failing step stops the ceremony naming act, step and reason,
 * records it, runs nothing after it and leaves no partial artefact; a new run refuses to start
 * over it; `--resume` continues there; a private-key step needs a typed Yes (through a real
 * pseudo-terminal, test/support/type-at-prompt.py) or a recorded `--yes`; a secret file never enters the
 * transcript; `ksk transcript verify` passes, then fails on an altered artefact. And the runtime
 * cannot be subverted: a ceremony file's `env` is an allow-list, a broken transcript gets no new
 * entries, a FIFO artefact is named without being opened, `--out` must be a directory, names hold
 * no control characters, and `ksk report` writes as every output does.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const base = mkdtempSync(path.join(tmpdir(), "ksk ceremony #run-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const PIN = "914273";

function ksk(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(bin, args, { cwd: base, encoding: "utf8", input: options.input ?? "", timeout: 240_000, ...(options.env ? { env: options.env } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function entries(out: string): Record<string, unknown>[] {
  return readFileSync(path.join(out, "transcript.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A ceremony directory: the ceremony file, two act files, and where the outputs go. */
function setUp(name: string, { actTwoPrivate = false } = {}) {
  const dir = path.join(base, name);
  mkdirSync(dir);
  copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(dir, "root-ksks.zone"));
  writeFileSync(
    path.join(dir, "ceremony.yaml"),
    `operator: Test Operator
witnesses: [Witness One]
hsm: { module: /usr/lib/softhsm/libsofthsm2.so, token: none }
variables: { zone: input.zone }
setup:
  files:
    - { path: secret.pin, text: "${PIN}\\n", secret: true }
  copy:
    - { from: root-ksks.zone, to: input.zone }
`,
  );
  writeFileSync(
    path.join(dir, "01-tags.yaml"),
    `act: 1
name: tags
title: Key tags and DS of the real root KSKs
steps:
  - does: Key tags
    run: [keytag, "\${zone}"]
    inputs: ["\${zone}"]
    stdout: tags.txt
    outputs: [tags.txt]
  - does: DS records
    run: [ds, "\${zone}", --digest, "2"]
    inputs: ["\${zone}"]
    stdout: root.ds
    outputs: [root.ds]
`,
  );
  writeFileSync(
    path.join(dir, "02-words.yaml"),
    `act: 2
name: words
title: PGP words, after a check of extra keys
steps:
  - does: DS of the extra keys
    run: [ds, extra.zone]
    inputs: [extra.zone]
    stdout: extra.ds
    outputs: [extra.ds]
  - does: PGP words of the DS
    run: [words, root.ds, extra.ds]
    inputs: [root.ds, extra.ds]
    private_key: ${actTwoPrivate}
    stdout: words.txt
    outputs: [words.txt]
`,
  );
  const out = path.join(dir, "out");
  const run = (extra: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
    ksk(
      [
        "ceremony",
        "run",
        path.join(dir, "02-words.yaml"),
        path.join(dir, "01-tags.yaml"),
        "--ceremony",
        path.join(dir, "ceremony.yaml"),
        "--out",
        out,
        ...extra,
      ],
      options,
    );
  return { dir, out, run };
}

describe("ksk ceremony run", () => {
  it("stops at a failing step naming act, step and reason; refuses a fresh start; --resume continues there", () => {
    const { out, run } = setUp("stop-resume");
    mkdirSync(out);
    writeFileSync(path.join(out, "extra.zone"), ".\t172800\tIN\tDNSKEY\t257 3 8 not*base64\n");
    const first = run(["--yes"]);
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(
      /^ksk: 02-words act 02 step 1 \(DS of the extra keys\): ksk exited 3: ksk: extra\.zone:1: .*not valid base64.*the ceremony stopped here: no later step ran \(resume from act 02 step 1 with --resume\)$/m,
    );
    // Act 1 ran in full, act 2 stopped at its first step: nothing after it, no partial extra.ds.
    expect(existsSync(path.join(out, "tags.txt"))).toBe(true);
    expect(existsSync(path.join(out, "extra.ds"))).toBe(false);
    expect(existsSync(path.join(out, "words.txt"))).toBe(false);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const recorded = entries(out);
    const failed = recorded.find((e) => e.status === "failed");
    expect(failed).toMatchObject({ type: "step", act: 2, step: 1, exitCode: 3 });
    expect(String(failed?.reason)).toMatch(/ksk exited 3/);
    expect(recorded.at(-1)).toMatchObject({ type: "end", status: "stopped", resumeFrom: { act: 2, step: 1 } });
    expect(recorded.filter((e) => e.type === "step" && e.act === 2)).toHaveLength(1);

    const report = ksk(["report", out]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/^FAIL: STOPPED at act 02 step 1: ksk exited 3: /m);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain('class="step failed" data-act="2" data-step="1"');

    const again = run(["--yes"]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/the last run stopped at act 2 step 1 .*; continue it with --resume/);

    copyFileSync(path.join(out, "input.zone"), path.join(out, "extra.zone"));
    const resumed = run(["--yes", "--resume"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = entries(out);
    const lastStart = after.map((e) => e.type).lastIndexOf("start");
    expect(after[lastStart]).toMatchObject({ resumedFrom: { act: 2, step: 1 }, mode: "scripted", operator: "Test Operator" });
    const resumedSteps = after.slice(lastStart).filter((e) => e.type === "step");
    expect(resumedSteps.map((e) => [e.act, e.step, e.status])).toEqual([
      [2, 1, "ok"],
      [2, 2, "ok"],
    ]);
    expect(after.at(-1)).toMatchObject({ type: "end", status: "complete" });
    expect(readFileSync(path.join(out, "words.txt"), "utf8")).toMatch(/SHA-256/);

    const verified = ksk(["transcript", "verify", path.join(out, "transcript.jsonl")]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/Transcript verified: .* entries chained, 6 artefacts match/);
    // The lab secret was written (0600) but never hashed or recorded.
    expect(readFileSync(path.join(out, "secret.pin"), "utf8")).toBe(`${PIN}\n`);
    expect(readFileSync(path.join(out, "transcript.jsonl"), "utf8")).not.toContain(PIN);
    expect(readFileSync(path.join(out, "transcript.jsonl"), "utf8")).not.toContain("secret.pin");

    writeFileSync(path.join(out, "root.ds"), `${readFileSync(path.join(out, "root.ds"), "utf8")} `);
    const altered = ksk(["transcript", "verify", path.join(out, "transcript.jsonl")]);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toMatch(/^FAIL .*transcript\.jsonl: root\.ds: has SHA-256 .* as entry \d+ records$/m);
    expect(ksk(["transcript", "verify", path.join(out, "absent.jsonl")]).code).toBe(3);
  }, 240_000);

  it("stops on SIGTERM with the transcript consistent and the resume point recorded; --resume finishes", async () => {
    const { out, run } = setUp("interrupt");
    mkdirSync(out);
    copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(out, "extra.zone"));
    const { dir } = { dir: path.dirname(out) };
    const child = spawn(
      bin,
      [
        "ceremony",
        "run",
        path.join(dir, "01-tags.yaml"),
        path.join(dir, "02-words.yaml"),
        "--ceremony",
        path.join(dir, "ceremony.yaml"),
        "--out",
        out,
        "--yes",
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Wait (by polling the file, not by the clock) until the first step is recorded, then interrupt.
    const transcript = path.join(out, "transcript.jsonl");
    while (!(existsSync(transcript) && readFileSync(transcript, "utf8").includes('"type":"step"'))) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    expect(await exited).toBe(5);
    const recorded = entries(out);
    const failed = recorded.find((e) => e.status === "failed");
    expect(String(failed?.reason)).toMatch(/interrupted \(SIGTERM\)/);
    expect(recorded.at(-1)).toMatchObject({ type: "end", status: "stopped", resumeFrom: { act: failed?.act, step: failed?.step } });
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const verified = ksk(["transcript", "verify", transcript]);
    expect(verified.code, verified.stdout).toBe(0);
    const resumed = run(["--yes", "--resume"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(path.join(out, "words.txt"))).toBe(true);
  }, 240_000);

  it("skips a step whose required program is not installed, recording why; fails it under CI=true; runs it when present", () => {
    const requiring = (name: string, program: string) => {
      const ceremony = setUp(name);
      const act = path.join(ceremony.dir, "01-tags.yaml");
      writeFileSync(act, readFileSync(act, "utf8").replace("    stdout: root.ds\n", `    stdout: root.ds\n    requires: [sh, ${program}]\n`));
      mkdirSync(ceremony.out);
      copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(ceremony.out, "extra.zone"));
      return ceremony;
    };
    const { CI: _ci, ...withoutCi } = process.env;
    const local = requiring("requires-local", "no-such-lab-server");
    const skipped = local.run(["--yes"], { env: withoutCi });
    // Act 02 needs root.ds, which the skipped step did not write: the ceremony stops there.
    expect(skipped.stdout).toMatch(/SKIPPED: no-such-lab-server not installed; this step did not run/);
    expect(entries(local.out).find((e) => e.act === 1 && e.step === 2)).toMatchObject({ status: "skipped", reason: "no-such-lab-server not installed" });
    expect(existsSync(path.join(local.out, "root.ds"))).toBe(false);
    const ci = requiring("requires-ci", "no-such-lab-server");
    const failed = ci.run(["--yes"], { env: { ...withoutCi, CI: "true" } });
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/act 01 step 2 .*no-such-lab-server not installed \(CI=true: a skip is a failure\)/);
    expect(entries(ci.out).find((e) => e.act === 1 && e.step === 2)).toMatchObject({ status: "failed" });
    const present = requiring("requires-present", "node");
    const ran = present.run(["--yes"], { env: { ...withoutCi, CI: "true" } });
    expect(ran.code, ran.stderr).toBe(0);
    expect(entries(present.out).find((e) => e.act === 1 && e.step === 2)).toMatchObject({ status: "ok" });
  }, 240_000);

  it("refuses an act that lists a secret file, before any step runs", () => {
    const { dir, out, run } = setUp("secret");
    writeFileSync(
      path.join(dir, "01-tags.yaml"),
      readFileSync(path.join(dir, "01-tags.yaml"), "utf8").replace(`inputs: ["\${zone}"]\n    stdout: tags.txt`, "inputs: [secret.pin]\n    stdout: tags.txt"),
    );
    const r = run(["--yes"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/secret\.pin is a secret file: it is never hashed or recorded/);
    expect(existsSync(path.join(out, "transcript.jsonl"))).toBe(false);
    expect(existsSync(path.join(out, "secret.pin"))).toBe(false);
  }, 60_000);

  it("asks for the exact Yes before a private-key step: refused without a terminal, recorded when --yes stands in", () => {
    const { out, run } = setUp("consent", { actTwoPrivate: true });
    mkdirSync(out);
    copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(out, "extra.zone"));
    const refused = run(["--operator", "Command-Line Operator", "--witness", "Witness A", "--witness", "Witness B"]);
    expect(refused.code).toBe(5);
    expect(entries(out)[0]).toMatchObject({ operator: "Command-Line Operator", witnesses: ["Witness A", "Witness B"], mode: "witnessed" });
    expect(refused.stderr).toMatch(/act 02 step 2 .*a witness must type Yes/);
    expect(existsSync(path.join(out, "words.txt"))).toBe(false);
    expect(entries(out).find((e) => e.status === "failed")).toMatchObject({ act: 2, step: 2 });
    const scripted = run(["--yes", "--resume"]);
    expect(scripted.code, scripted.stderr).toBe(0);
    expect(entries(out).find((e) => e.act === 2 && e.step === 2 && e.status === "ok")).toMatchObject({ consent: "--yes (scripted lab run)" });
  }, 240_000);

  it.runIf(hasTool("python3"))(
    "takes a Yes typed at a real pseudo-terminal, and refuses a lower-case yes",
    () => {
      const { dir, out } = setUp("typed", { actTwoPrivate: true });
      mkdirSync(out);
      copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(out, "extra.zone"));
      const typeAnswer = (answer: string, extra: string[]) => {
        const argv = [
          bin,
          "ceremony",
          "run",
          path.join(dir, "01-tags.yaml"),
          path.join(dir, "02-words.yaml"),
          "--ceremony",
          path.join(dir, "ceremony.yaml"),
          "--out",
          out,
          ...extra,
        ];
        const r = spawnSync("python3", [path.join(root, "test/support/type-at-prompt.py"), "Type Yes to continue:", answer, "--", ...argv], {
          encoding: "utf8",
          timeout: 240_000,
        });
        return { code: r.status, out: r.stdout };
      };
      const lower = typeAnswer("yes", []);
      expect(lower.code).toBe(5);
      expect(lower.out).toMatch(/Use the private key: PGP words of the DS\? Type Yes to continue:/);
      expect(lower.out).toMatch(/the answer was "yes", not "Yes": the step did not run/);
      const typed = typeAnswer("Yes", ["--resume"]);
      expect(typed.code, typed.out).toBe(0);
      expect(entries(out).find((e) => e.act === 2 && e.step === 2 && e.status === "ok")).toMatchObject({ consent: "typed Yes at the terminal" });
      expect(
        entries(out)
          .filter((e) => e.type === "start")
          .at(-1),
      ).toMatchObject({ mode: "witnessed", witnesses: ["Witness One"] });
    },
    240_000,
  );
});

/** Rewrite a transcript's entries and chain them again, as a forger who knows the format would. */
function forge(out: string, change: (entries: Record<string, unknown>[]) => void): void {
  const list = entries(out);
  change(list);
  let previous = "0".repeat(64);
  const lines = list.map((e) => {
    const line = JSON.stringify({ ...e, previousSha256Hex: previous });
    previous = createHash("sha256").update(line).digest("hex");
    return line;
  });
  writeFileSync(path.join(out, "transcript.jsonl"), `${lines.join("\n")}\n`);
}

/** A completed ceremony's output directory. */
function completed(name: string) {
  const made = setUp(name);
  mkdirSync(made.out);
  copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(made.out, "extra.zone"));
  const r = made.run(["--yes"]);
  expect(r.code, r.stderr).toBe(0);
  return made;
}

describe("a ceremony runtime that cannot be subverted", () => {
  it("takes only SOFTHSM2_CONF and KSK_* from a ceremony file's env, and shows and records what it sets", () => {
    const { dir, out, run } = setUp("env");
    const ceremony = path.join(dir, "ceremony.yaml");
    const text = readFileSync(ceremony, "utf8");
    writeFileSync(ceremony, `${text}env:\n  SOFTHSM2_CONF: /nonexistent/softhsm2.conf\n  NODE_OPTIONS: "--require /nonexistent/x.js"\n`);
    const refused = run(["--yes"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^ksk: .*ceremony\.yaml: env\.NODE_OPTIONS: refused: only SOFTHSM2_CONF and the toolkit's own KSK_\* variables/m);
    expect(existsSync(path.join(out, "transcript.jsonl"))).toBe(false);
    writeFileSync(ceremony, `${text}env:\n  SOFTHSM2_CONF: /nonexistent/softhsm2.conf\n`);
    mkdirSync(out);
    copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(out, "extra.zone"));
    const ran = run(["--yes"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("Set for every step by the ceremony file: SOFTHSM2_CONF=/nonexistent/softhsm2.conf\n");
    expect(entries(out)[0]).toMatchObject({ type: "start", env: { SOFTHSM2_CONF: "/nonexistent/softhsm2.conf" } });
  }, 240_000);

  it("appends nothing to a transcript whose chain is broken, nor, resuming, when an output it relies on changed", () => {
    const { out, run } = setUp("chain");
    mkdirSync(out);
    writeFileSync(path.join(out, "extra.zone"), ".\t172800\tIN\tDNSKEY\t257 3 8 not*base64\n");
    expect(run(["--yes"]).code).toBe(3);
    copyFileSync(path.join(root, "keys-example/root-ksks.zone"), path.join(out, "extra.zone"));
    const transcript = path.join(out, "transcript.jsonl");
    const good = readFileSync(transcript, "utf8");
    writeFileSync(transcript, good.replace('"operator":"Test Operator"', '"operator":"Someone Else!"'));
    const edited = readFileSync(transcript, "utf8");
    const broken = run(["--yes", "--resume"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^ksk: .*transcript\.jsonl: entry 1 \(line 1\) hashes to .*entry 1 was altered.*: no entry is added to a transcript that does not verify$/m,
    );
    expect(readFileSync(transcript, "utf8")).toBe(edited);
    // A plain new run over it is refused the same way (before it is told to resume).
    expect(run(["--yes"]).code).toBe(1);

    writeFileSync(transcript, good);
    const tags = readFileSync(path.join(out, "tags.txt"), "utf8");
    writeFileSync(path.join(out, "tags.txt"), `${tags}forged\n`);
    const changed = run(["--yes", "--resume"]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/tags\.txt is not the file entry \d+ records .*: no entry is added/);
    expect(readFileSync(transcript, "utf8")).toBe(good);
    writeFileSync(path.join(out, "tags.txt"), tags);
    expect(run(["--yes", "--resume"]).code).toBe(0);
  }, 240_000);

  it("transcript verify names a FIFO without opening it, and a forged path out of the directory as such", () => {
    const { out } = completed("fifo");
    rmSync(path.join(out, "tags.txt"));
    spawnSync("mkfifo", [path.join(out, "tags.txt")]);
    const fifo = spawnSync(bin, ["transcript", "verify", path.join(out, "transcript.jsonl")], { encoding: "utf8", timeout: 30_000 });
    expect(fifo.error).toBeUndefined();
    expect(fifo.status).toBe(1);
    expect(fifo.stdout).toMatch(/^FAIL .*: tags\.txt: is a FIFO, not a regular file: not opened \(recorded in entry \d+\)$/m);
    forge(out, (list) => {
      const step = list.find((e) => e.type === "step" && Array.isArray(e.outputs) && (e.outputs as unknown[]).length > 0) as { outputs: { path: string }[] };
      (step.outputs[0] as { path: string }).path = "/etc/passwd";
    });
    const outside = ksk(["transcript", "verify", path.join(out, "transcript.jsonl")]);
    expect(outside.code).toBe(1);
    expect(outside.stdout).toMatch(/^FAIL .*: \/etc\/passwd: is not a path inside the ceremony directory \(absolute, or climbing out with \.\.\): not read/m);
    expect(outside.stdout).not.toMatch(/\/etc\/passwd: is missing/);
  }, 240_000);

  it("--out naming a file or a dangling symbolic link: one line and exit 2, for ceremony run and ksk lab", () => {
    const { dir, run } = setUp("out-file");
    const file = path.join(dir, "out");
    writeFileSync(file, "a file\n");
    const onFile = run(["--yes"]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toMatch(/^ksk: .*out: is a file, not a directory: give a directory for the outputs\n$/);
    rmSync(file);
    symlinkSync(path.join(dir, "gone"), file);
    const dangling = run(["--yes"]);
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toMatch(/^ksk: .*out: is a dangling symbolic link, not a directory: give a directory for the outputs\n$/);
    for (const extra of [[], ["--rollover"], ["--rollover", "--calendar", "compressed"]]) {
      const lab = ksk(["lab", "--out", file, "--yes", ...extra]);
      expect(lab.code, lab.stderr).toBe(2);
      expect(lab.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
      expect(lab.stderr).toContain("dangling symbolic link");
    }
  }, 240_000);

  it("refuses control characters in the operator's or a witness's name", () => {
    const { dir, out, run } = setUp("names");
    const byOption = run(["--yes", "--operator", "Eve\u001b[2J\u0007"]);
    expect(byOption.code).toBe(2);
    expect(byOption.stderr).toMatch(/a name may not hold control characters/);
    for (const c of ["\u001b", "\u0007"]) expect(byOption.stderr).not.toContain(c);
    const ceremony = path.join(dir, "ceremony.yaml");
    writeFileSync(ceremony, readFileSync(ceremony, "utf8").replace("witnesses: [Witness One]", 'witnesses: ["Witness\\x07One"]'));
    const inFile = run(["--yes"]);
    expect(inFile.code).toBe(3);
    expect(inFile.stderr).toMatch(/ceremony\.yaml: witnesses\.0: a name may not hold control characters/);
    expect(existsSync(path.join(out, "transcript.jsonl"))).toBe(false);
  }, 120_000);

  it("ksk report writes as every output does (--force over a regular file only) and escapes control characters it reads", () => {
    const { out } = completed("report");
    expect([0, 1]).toContain(ksk(["report", out]).code);
    const again = ksk(["report", out]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/report\.html: exists; not overwritten \(use --force to replace it\)/);
    expect(ksk(["report", out, "--force"]).code).toBe(0);
    const target = path.join(out, "..", "elsewhere.html");
    writeFileSync(target, "not the report\n");
    rmSync(path.join(out, "report.html"));
    symlinkSync(target, path.join(out, "report.html"));
    const linked = ksk(["report", out, "--force"]);
    expect(linked.code).toBe(5);
    expect(linked.stderr).toMatch(/report\.html: is a symbolic link, not a regular file; not replaced, even with --force/);
    expect(readFileSync(target, "utf8")).toBe("not the report\n");

    // The report and the annotated script beside it are written together, each only where nothing is.
    rmSync(path.join(out, "report.html"));
    rmSync(path.join(out, "script-annotated.html"));
    forge(out, (list) => {
      const step = list.find((e) => e.type === "step") as { does: string };
      step.does = "Key tags\u001b[2J\u0007\u0000";
    });
    ksk(["report", out]);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    const script = readFileSync(path.join(out, "script-annotated.html"), "utf8");
    for (const c of ["\u0000", "\u0007", "\u001b"]) {
      expect(html).not.toContain(c);
      expect(script).not.toContain(c);
    }
    expect(html).toContain("Key tags\\x1b[2J\\x07\\x00");
  }, 240_000);
});
