/**
 * A vitest reporter that ends the run with one plain line, `Tests: N passed, N failed, N skipped`,
 * which CI reads. With CI=true a skipped test fails the run: CI installs every tool, so a skip
 * there means a test silently did not run.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const skippedNames: string[] = [];
    for (const module of testModules) {
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else {
          skipped++;
          skippedNames.push(`${module.moduleId}: ${test.fullName}`);
        }
      }
    }
    failed += unhandledErrors.length;
    if (process.env.CI === "true" && skipped > 0) {
      process.stdout.write(`CI=true: ${skipped} skipped test(s) count as failures:\n  ${skippedNames.join("\n  ")}\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
