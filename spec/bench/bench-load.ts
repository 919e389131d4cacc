import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeTorrc, loadTorrcText, parseTorrc } from '../../lib/index.js';
import { type BenchResult, target } from './bench-result.js';
import { compareBatches } from './compare-batches.js';
import { typicalTorrc } from './typical-torrc.js';

let sink = 0;

// The same settings as a JSON config file would hold them: the fields the torrc sets, with their
// decoded values (numbers, booleans, arrays), pretty-printed as people write config files.
function equivalentJson(text: string): string {
  const entries = parseTorrc(text);
  if (isLeft(entries))
    throw new Error(`bench: typical torrc does not parse: ${entries.left.message}`);
  const decoded = decodeTorrc(entries.right);
  if (isLeft(decoded)) throw new Error('bench: typical torrc does not decode');
  const { config, sources } = decoded.right;
  return JSON.stringify(
    Object.fromEntries([...sources.keys()].map((f) => [f, config[f]])),
    null,
    2,
  );
}

/**
 * Benchmark 2, a whole load: `loadTorrcText` (parse, %include resolution, decode, validate) of a
 * typical 40-line torrc at a real path, against `JSON.parse` of the same settings as JSON. Per
 * load in µs, and the ratio. Target: a load under 1 ms (a reload must never be the slow part of
 * a poll tick); the ratio is reported, not targeted, since JSON.parse does no validation at all.
 * @example const result = await benchLoad(); result.rows[0]?.measured.median // µs
 */
export async function benchLoad(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'hotrc-bench-load-'));
  try {
    const path = join(dir, 'torrc');
    const text = typicalTorrc();
    await writeFile(path, text);
    const json = equivalentJson(text);
    const check = await loadTorrcText(text, path);
    if (isLeft(check)) throw new Error(`bench: typical torrc does not load: ${check.left.message}`);
    const c = await compareBatches(
      async (k) => {
        for (let i = 0; i < k; i++) {
          const r = await loadTorrcText(text, path);
          sink += isLeft(r) ? -1 : r.right.files.length;
        }
      },
      (k) => {
        for (let i = 0; i < k; i++) sink += Object.keys(JSON.parse(json) as object).length;
      },
      { minBatchMs: 25, warmups: 3, repeats: 21, unit: 'µs' },
    );
    if (sink === 0) throw new Error('bench: nothing loaded');
    return {
      id: 'load',
      title: '2. Full load of a typical torrc',
      rows: [
        {
          name: 'load 40-line torrc',
          subject: 'loadTorrcText',
          baseline: 'JSON.parse (same settings)',
          measured: c.subject,
          reference: c.baseline,
          ratio: c.ratio,
        },
      ],
      facts: [
        { label: 'torrc bytes', value: text.length, unit: 'B' },
        { label: 'JSON bytes', value: json.length, unit: 'B' },
      ],
      targets: [
        target(
          'load 40-line torrc, median',
          c.subject.median,
          '<',
          1000,
          'µs',
          'one load per change must be negligible next to the settle delay (50 ms)',
        ),
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
