import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeTorrc, loadTorrcText, parseTorrc } from '../../lib/index.js';
import { coldSample } from './bench-decode.js';
import { type BenchResult, target } from './bench-result.js';
import { buildDist } from './build-dist.js';
import { compareBatches } from './compare-batches.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

let sink = 0;

// One call every `gapMs`, `count` times, each timed alone (µs): what a save every few ms costs,
// with the caches cold from the pause. Alternated with the other side by the caller.
async function spaced(run: () => Promise<void> | void, count: number, gapMs: number) {
  const us: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(gapMs);
    const t0 = performance.now();
    await run();
    us.push((performance.now() - t0) * 1000);
  }
  return us;
}

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
 * load in µs, and the ratio, three ways: warm (batches back to back), spaced (one load every
 * 5 ms, as saves come: caches cold, the code warm), and the first call in a fresh process on
 * dist/. Target: a warm load under 1 ms (a reload must never be the slow part of a poll tick);
 * the ratios are reported, not targeted, since JSON.parse does no validation at all.
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
    const spacedLoad: number[] = [];
    const spacedJson: number[] = [];
    for (let round = 0; round < 10; round++) {
      spacedLoad.push(
        ...(await spaced(
          async () => {
            const r = await loadTorrcText(text, path);
            sink += isLeft(r) ? -1 : r.right.files.length;
          },
          10,
          5,
        )),
      );
      spacedJson.push(
        ...(await spaced(
          () => {
            sink += Object.keys(JSON.parse(json) as object).length;
          },
          10,
          5,
        )),
      );
    }
    const spacedLoadUs = summarize(spacedLoad, 'µs');
    const spacedJsonUs = summarize(spacedJson, 'µs');
    const jsonPath = join(dir, 'settings.json');
    await writeFile(jsonPath, json);
    await buildDist();
    const coldLoad: number[] = [];
    const coldJson: number[] = [];
    for (let i = 0; i < 7; i++) {
      coldLoad.push((await coldSample('text', path)) * 1000);
      coldJson.push((await coldSample('parse', jsonPath)) * 1000);
    }
    const coldLoadUs = summarize(coldLoad, 'µs');
    const coldJsonUs = summarize(coldJson, 'µs');
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
        {
          name: 'load 40-line torrc, one per 5 ms',
          subject: 'loadTorrcText',
          baseline: 'JSON.parse (same settings)',
          measured: spacedLoadUs,
          reference: spacedJsonUs,
          ratio: spacedLoadUs.median / spacedJsonUs.median,
        },
        {
          name: 'load 40-line torrc, first call',
          subject: 'fresh process',
          baseline: 'JSON.parse, first call',
          measured: coldLoadUs,
          reference: coldJsonUs,
          ratio: coldLoadUs.median / coldJsonUs.median,
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
