/**
 * The inputs and the plot of `pnpm bench:zone`'s scale section: generated zones of a known size,
 * and an SVG of time and peak memory against the number of records.
 *
 * - A root-shaped zone (`writeRootShapedZone`): an apex with SOA and NS, then TLD delegations the
 *   way the real root holds them (test/data/root-zone, keys-example/test-root.zone): 4–6 NS per
 *   TLD, glue A for three in-bailiwick name servers and AAAA for two of them, one or two DS for six
 *   TLDs in seven: about 11.1 records per TLD, so 1,542 TLDs hold about the 17,186 records of the
 *   real-sized root.
 * - A flat zone (`writeFlatZone`): `h{i}. 3600 IN A …` below an apex whose NS is `h0.`, the shape
 *   of the million-record input in which per-record cost shows most plainly.
 *
 * Each is written twice: without SOA (`ksk zone sign` takes the SOA with --soa, as for the lab
 * root) and with it (the peers, `ksk zone digest`). Names and digests are made from the index
 * alone, so a size always gives the same zone. Left out: DNSKEYs (each signer publishes its own)
 * and anything the root does not hold (wildcards, CNAMEs, NSEC3).
 *
 * `scaleSvg` draws the plot by hand: two log–log panels (wall seconds, peak RSS in MB) against
 * records, one line per command and job through the root-shaped sizes, the flat zone a square.
 */
import { closeSync, openSync, writeSync } from "node:fs";

/** TLDs in one real-sized root: 1,542 generated TLDs hold as many records as test/data/root-zone. */
export const TLDS_PER_ROOT = 1542;

export interface GeneratedZone {
  /** Without SOA: for `ksk zone sign … --soa`. */
  readonly unsignedFile: string;
  /** With the SOA: for the peers and `ksk zone digest`. */
  readonly withSoaFile: string;
  /** Records in `withSoaFile`. */
  readonly records: number;
}

/** Buffered line writer: a million records are written without holding them all as one string. */
function lineWriter(file: string) {
  const fd = openSync(file, "w");
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, chunk.join(""));
    chunk = [];
    size = 0;
  };
  return {
    line(text: string) {
      chunk.push(`${text}\n`);
      size += text.length + 1;
      if (size > 1 << 20) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}

/** 64 hex digits made from `i` (a SHA-256-sized DS digest; only its form matters here). */
function hexFrom(i: number, salt: number): string {
  let out = "";
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  while (out.length < 64) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    out += x.toString(16).padStart(8, "0");
  }
  return out.slice(0, 64).toUpperCase();
}

const ipv4 = (i: number, k: number) => `10.${(i >> 8) & 255}.${i & 255}.${k + 1}`;
const ipv6 = (i: number, k: number) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::${k + 1}`;

const SOA = ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2020091300 1800 900 604800 86400";

/** Write the two files of a root-shaped zone with `tlds` delegations under `base` (.zone / -soa.zone). */
export function writeRootShapedZone(base: string, tlds: number): GeneratedZone {
  const unsignedFile = `${base}.zone`;
  const withSoaFile = `${base}-soa.zone`;
  const plain = lineWriter(unsignedFile);
  const soa = lineWriter(withSoaFile);
  let records = 0;
  const both = (text: string) => {
    plain.line(text);
    soa.line(text);
    records++;
  };
  soa.line(SOA);
  records++;
  // The apex's name servers sit under the first TLD with glue, as the root's sit under net.
  for (let k = 0; k < 3; k++) both(`. 518400 IN NS ns${k + 1}.nic.tld0.`);
  for (let i = 0; i < tlds; i++) {
    const tld = `tld${i}.`;
    const servers = 4 + (i % 3);
    for (let k = 0; k < servers; k++) {
      // Three name servers in the TLD itself, the others the next TLD's (glue under a sibling, as
      // in the root).
      const target = k < 3 ? `ns${k + 1}.nic.${tld}` : `ns${k - 2}.nic.tld${(i + 1) % tlds}.`;
      both(`${tld} 172800 IN NS ${target}`);
    }
    if (i % 7 !== 6) {
      const tag = (i * 7919) % 65536;
      both(`${tld} 86400 IN DS ${tag} 8 2 ${hexFrom(i, 1)}`);
      if (i % 3 === 0) both(`${tld} 86400 IN DS ${(tag + 1) % 65536} 8 2 ${hexFrom(i, 2)}`);
    }
    for (let k = 0; k < 3; k++) {
      both(`ns${k + 1}.nic.${tld} 172800 IN A ${ipv4(i, k)}`);
      if (k < 2) both(`ns${k + 1}.nic.${tld} 172800 IN AAAA ${ipv6(i, k)}`);
    }
  }
  plain.close();
  soa.close();
  return { unsignedFile, withSoaFile, records };
}

/** Write the two files of a flat zone of `count` A records `h{i}.` (plus SOA and the apex NS). */
export function writeFlatZone(base: string, count: number): GeneratedZone {
  const unsignedFile = `${base}.zone`;
  const withSoaFile = `${base}-soa.zone`;
  const plain = lineWriter(unsignedFile);
  const soa = lineWriter(withSoaFile);
  soa.line(SOA);
  for (const w of [plain, soa]) w.line(". 518400 IN NS h0.");
  for (let i = 0; i < count; i++) {
    const text = `h${i}. 3600 IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    plain.line(text);
    soa.line(text);
  }
  plain.close();
  soa.close();
  return { unsignedFile, withSoaFile, records: count + 2 };
}

export interface ScalePoint {
  /** "sign", "verify" or "digest". */
  readonly job: string;
  /** The command, e.g. "ksk" or "dnssec-signzone". */
  readonly who: string;
  readonly records: number;
  /** A root-shaped zone (points joined by a line) or the flat zone (a square on its own). */
  readonly shape: "root" | "flat";
  readonly seconds: number;
  readonly peakRssMB: number;
}

const COLOURS = ["#1f77b4", "#aec7e8", "#d62728", "#ff9896", "#2ca02c", "#98df8a", "#9467bd", "#c5b0d5"];

/** The scale plot: time and peak RSS against records, log–log, one polyline per job and command. */
export function scaleSvg(points: readonly ScalePoint[], title: string): string {
  const series = [...new Set(points.map((p) => `${p.job}: ${p.who}`))];
  const width = 980;
  const panel = { w: 400, h: 300, top: 50, left: [70, 560] as const };
  const log = Math.log10;
  const range = (values: number[]) => {
    const positive = values.filter((v) => v > 0);
    return [Math.floor(log(Math.min(...positive))), Math.ceil(log(Math.max(...positive)))] as const;
  };
  const xr = range(points.map((p) => p.records));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panel.top + panel.h + 70 + 18 * Math.ceil(series.length / 2)}" font-family="sans-serif" font-size="12">`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  const panels = [
    { name: "wall time (s)", value: (p: ScalePoint) => p.seconds },
    { name: "peak RSS (MB)", value: (p: ScalePoint) => p.peakRssMB },
  ];
  panels.forEach(({ name, value }, index) => {
    const left = panel.left[index] as number;
    const yr = range(points.map(value));
    const x = (v: number) => left + ((log(v) - xr[0]) / Math.max(1, xr[1] - xr[0])) * panel.w;
    const y = (v: number) => panel.top + panel.h - ((log(v) - yr[0]) / Math.max(1, yr[1] - yr[0])) * panel.h;
    out.push(`<rect x="${left}" y="${panel.top}" width="${panel.w}" height="${panel.h}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top - 8}" text-anchor="middle">${name} against records</text>`);
    for (let e = xr[0]; e <= xr[1]; e++) {
      const at = x(10 ** e);
      out.push(`<line x1="${at}" y1="${panel.top}" x2="${at}" y2="${panel.top + panel.h}" stroke="#eee"/>`);
      out.push(`<text x="${at}" y="${panel.top + panel.h + 16}" text-anchor="middle">1e${e}</text>`);
    }
    for (let e = yr[0]; e <= yr[1]; e++) {
      const at = y(10 ** e);
      out.push(`<line x1="${left}" y1="${at}" x2="${left + panel.w}" y2="${at}" stroke="#eee"/>`);
      out.push(`<text x="${left - 6}" y="${at + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`);
    }
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top + panel.h + 34}" text-anchor="middle">records</text>`);
    series.forEach((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const mine = points.filter((p) => `${p.job}: ${p.who}` === s && value(p) > 0).sort((a, b) => a.records - b.records);
      const at = (p: ScalePoint) => [x(p.records).toFixed(1), y(value(p)).toFixed(1)] as const;
      const line = mine.filter((p) => p.shape === "root").map(at);
      if (line.length > 1) out.push(`<polyline points="${line.map((c) => c.join(",")).join(" ")}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      for (const [cx, cy] of line) out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour}"/>`);
      for (const [cx, cy] of mine.filter((p) => p.shape === "flat").map(at)) {
        out.push(`<rect x="${Number(cx) - 4}" y="${Number(cy) - 4}" width="8" height="8" fill="none" stroke="${colour}" stroke-width="2"/>`);
      }
    });
  });
  series.forEach((s, i) => {
    const lx = 70 + (i % 2) * 490;
    const ly = panel.top + panel.h + 56 + 18 * Math.floor(i / 2);
    out.push(`<rect x="${lx}" y="${ly - 9}" width="14" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`);
    out.push(`<text x="${lx + 20}" y="${ly}">${escapeXml(s)}</text>`);
  });
  const noteY = panel.top + panel.h + 56 + 18 * Math.ceil(series.length / 2);
  out.push(`<text x="70" y="${noteY}">dots and lines: generated root-shaped zones; hollow squares: the flat zone (h{i}. IN A)</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
