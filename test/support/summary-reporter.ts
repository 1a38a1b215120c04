/**
 * A vitest reporter that ends the run with one plain line, `Tests: N passed, N failed, N skipped`,
 * which CI reads, after one such line per tier that ran (`unit: …`, `system: …`, `lab: …`; the
 * tiers are the projects of vitest.config.ts). With CI=true a skipped test fails the run: CI
 * installs every tool, so a skip there means a test silently did not run.
 */
import type { Reporter, TestModule } from "vitest/node";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const line = (c: Counts) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const tiers = new Map<string, Counts>();
    const skippedNames: string[] = [];
    for (const module of testModules) {
      const name = module.project.name || "tests";
      const tier = tiers.get(name) ?? { passed: 0, failed: 0, skipped: 0 };
      tiers.set(name, tier);
      const count = (state: keyof Counts) => {
        tier[state]++;
        total[state]++;
      };
      const tests = [...module.children.allTests()];
      // A file that failed with no failed test failed outside one (an import, a hook): count it once.
      if (module.state() === "failed" && !tests.some((test) => test.result().state === "failed")) count("failed");
      for (const test of tests) {
        const state = test.result().state;
        if (state === "passed") count("passed");
        else if (state === "failed") count("failed");
        else {
          count("skipped");
          skippedNames.push(`${module.moduleId}: ${test.fullName}`);
        }
      }
    }
    total.failed += unhandledErrors.length;
    if (process.env.CI === "true" && total.skipped > 0) {
      process.stdout.write(`CI=true: ${total.skipped} skipped test(s) count as failures:\n  ${skippedNames.join("\n  ")}\n`);
      process.exitCode = 1;
    }
    for (const [name, counts] of [...tiers].sort(([a], [b]) => a.localeCompare(b))) process.stdout.write(`  ${name}: ${line(counts)}\n`);
    process.stdout.write(`Tests: ${line(total)}\n`);
  }
}
