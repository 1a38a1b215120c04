/**
 * The toolkit's version. The build (scripts/build-cli.mjs) replaces KSK_BUILD_VERSION with the
 * cli package's version, and vitest.config.ts does the same for in-process tests, so the
 * installed command never reads a manifest at run time. Run straight from the sources (tsx) it
 * says so instead of guessing.
 */
declare const KSK_BUILD_VERSION: string | undefined;

export const VERSION: string = typeof KSK_BUILD_VERSION === "string" ? KSK_BUILD_VERSION : "unbuilt (run from the sources)";
