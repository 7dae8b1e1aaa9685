/**
 * --record and --out: the run's JSON, and one dated row per clip and concurrency in the
 * "Runs" section of docs/benchmarks.md. The rows have more columns than the table the
 * first runs were recorded in, so they go to a table of their own, started the first
 * time under its own heading; the older table is left as it is.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchReport, ClipReport } from './report.js';
import { stagesText } from './report.js';

const HEADER = [
  'date',
  'machine',
  'commit',
  'bundle',
  'clip',
  'concurrency',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'req/s',
  'CPU s/req',
  'peak RSS MiB',
  'median stages (ms)',
  'decode floor ms',
  'model floor ms',
  'p50 / floors',
  'peer ms',
  'peer / p50',
];
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const HEADER_ROW = row(HEADER);

function intro(date: string): string[] {
  return [
    `### Runs with floors and peer (since ${date})`,
    '',
    'One row per clip and concurrency: (a) the 5-s 512×512 reference, (b) the portrait clip, (c) the',
    '~34-s clip (`npm run bench -- --help`; the clips actually sent are named in the printed header',
    'and in docs/bench/latest.json). Peak RSS is per configuration. The floors, `p50 / floors`',
    '(target ≤ 1.5) and the peer (@vladmandic/human on TF.js wasm: our decode floor + its model',
    "time) are per clip, on the clip's lowest-concurrency row.",
    '',
    HEADER_ROW,
    row(HEADER.map(() => '---')),
  ];
}

export function markdownRows(report: BenchReport): string[] {
  const { run } = report;
  const date = run.date.slice(0, 10);
  const machine = `${run.machine.cores} × ${run.machine.cpu}`;
  const commit = `${run.commit}${run.dirty ? '+dirty' : ''}`;
  const out: string[] = [];
  for (const c of report.clips)
    for (const l of c.levels) {
      const perClip = l.concurrency === c.ratio.concurrency ? clipCells(c) : ['', '', '', '', ''];
      out.push(
        row([
          date,
          machine,
          commit,
          run.bundle,
          c.id,
          l.concurrency,
          l.p50Ms.toFixed(0),
          l.p95Ms.toFixed(0),
          l.p99Ms.toFixed(0),
          l.reqPerSecond.toFixed(2),
          l.cpuSecondsPerRequest.toFixed(2),
          l.peakRssMiB.toFixed(0),
          stagesText(l),
          ...perClip,
        ]),
      );
    }
  return out;
}

function clipCells(c: ClipReport): string[] {
  const peer =
    'unavailable' in c.peer
      ? ['n/a', 'n/a']
      : [c.peer.requestMs.toFixed(0), c.peer.vsOursE2e.toFixed(2)];
  return [
    c.floors.decodeMedianMs.toFixed(0),
    c.floors.modelMedianMs.toFixed(0),
    c.ratio.value.toFixed(2),
    ...peer,
  ];
}

/**
 * Inserts the rows after the last row of the newest table with this header inside
 * "## Runs"; without one, starts that table at the end of the section (a "## Runs"
 * section is appended when the document has none).
 */
export function insertRows(doc: string, rows: readonly string[], date: string): string {
  const lines = doc.replace(/\n+$/, '').split('\n');
  let start = lines.findIndex((l) => /^## Runs\b/.test(l));
  if (start === -1) {
    lines.push('', '## Runs');
    start = lines.length - 1;
  }
  const next = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const end = next === -1 ? lines.length : next;
  const header = lines.lastIndexOf(HEADER_ROW, end - 1);
  if (header > start) {
    let after = header + 1;
    while (after < end && lines[after]!.startsWith('|')) after++;
    lines.splice(after, 0, ...rows);
  } else {
    // Keep one blank line between the section's last line and the new table.
    let at = end;
    while (at > start + 1 && lines[at - 1]!.trim() === '') at--;
    const gap = next !== -1 && at === end ? [''] : [];
    lines.splice(at, 0, '', ...intro(date), ...rows, ...gap);
  }
  return `${lines.join('\n')}\n`;
}

export async function recordMarkdown(report: BenchReport, file: string): Promise<void> {
  const doc = await readFile(file, 'utf8');
  await writeFile(file, insertRows(doc, markdownRows(report), report.run.date.slice(0, 10)));
}

/**
 * JSON has no NaN or Infinity: they are written as strings. Integers (bytes, counts) stay
 * exact; five significant digits are more than any timing here supports and keep the
 * file diffable.
 */
function jsonNumbers(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? v : Number(v.toPrecision(5));
}

export async function writeJson(report: object, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, jsonNumbers, 1)}\n`);
}
