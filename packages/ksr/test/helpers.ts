/** Shared fixtures for the @ksk/ksr tests: the real KSR/SKR files (copies; see fixtures/PROVENANCE.md). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type KsrRequestDocument, type KsrResponseDocument, parseKsrXml } from "../src/index.js";

const here = path.dirname(new URL(import.meta.url).pathname);

export const REAL_FILES = [
  "ksr-root-2010-q1-0.xml",
  "ksr-root-2016-q3-0.xml",
  "ksr-root-2017-q2-0.xml",
  "skr-root-2017-q1-0.xml",
  "skr-root-2017-q2-0.xml",
] as const;

export function fixturePath(name: string): string {
  return path.join(here, "fixtures", name);
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

export function loadKsr(name: string): KsrRequestDocument {
  const { document } = parseKsrXml(fixtureBytes(name), { fileName: name });
  if (document.kind !== "request") throw new Error(`${name} is not a KSR`);
  return document;
}

export function loadSkr(name: string): KsrResponseDocument {
  const { document } = parseKsrXml(fixtureBytes(name), { fileName: name });
  if (document.kind !== "response") throw new Error(`${name} is not an SKR`);
  return document;
}

export const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, m - 1, d, h, mi, s) / 1000;

/** A time before ksr-root-2017-q2-0.xml's first inception and inside its 180-day horizon. */
export const Q2_2017_NOW = utc(2017, 3, 1);
