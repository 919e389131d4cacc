import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  defaultConfig,
  loadFromFile,
  ReloadableConfig,
  readTorrcDocument,
  TorConfig,
} from '../../lib/index.js';
import { type BenchResult, target } from './bench-result.js';
import { bridgeHeavyTorrc } from './bridge-heavy-torrc.js';
import { buildDist } from './build-dist.js';
import { compareBatches } from './compare-batches.js';
import { type Summary, summarize } from './summarize.js';

const MiB = 1024 * 1024;
const MB = 1e6;

// Results flow into this so no engine can prove the work unused and skip it.
let sink = 0;

const child = fileURLToPath(new URL('./cold-decode-child.mjs', import.meta.url));

/**
 * One fresh process, on dist/ (see buildDist), timing one first call (see cold-decode-child.mjs),
 * in ms.
 * @example const ms = await coldSample('load', '/tmp/torrc');
 */
export function coldSample(
  what: 'load' | 'json' | 'text' | 'parse',
  path: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, what, path], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(`bench: cold ${what} child failed: ${err.message} ${stderr}`));
      } else resolve((JSON.parse(stdout) as { ms: number }).ms);
    });
  });
}

/** Options for benchDecode; the defaults are what `npm run bench` runs. */
export interface DecodeBenchOptions {
  /** Fresh processes per side for the first-call figures. */
  readonly coldSamples: number;
  /** Timed samples per side of the constructor, taken in ABBA order after three warm-ups. */
  readonly constructorSamples: number;
  /** A constructor sample builds instances until it has taken at least this long (ms). */
  readonly constructorSampleMs: number;
}

const defaults: DecodeBenchOptions = {
  coldSamples: 7,
  constructorSamples: 15,
  constructorSampleMs: 30,
};

// `new ReloadableConfig(initial, path)` alone, per construction in µs, for each initial config:
// every instance is stopped after the clock stops, so a sample times the constructor and
// nothing else. Each side's batch size is found first (constructions until the batch takes
// constructorSampleMs), so a slow side takes a few constructions and a fast one hundreds.
async function constructorCost(
  initials: ReadonlyArray<() => TorConfig>,
  path: string,
  o: DecodeBenchOptions,
): Promise<Summary[]> {
  const batch = async (make: () => TorConfig, count: number): Promise<number> => {
    const configs = Array.from({ length: count }, make);
    const made: ReloadableConfig[] = [];
    const start = performance.now();
    for (const config of configs) made.push(new ReloadableConfig(config, path));
    const ms = performance.now() - start;
    await Promise.all(made.map((rc) => rc.stop()));
    return ms;
  };
  const counts: number[] = [];
  for (const make of initials) {
    let count = 1;
    for (;;) {
      const ms = await batch(make, count);
      if (ms >= o.constructorSampleMs || count >= 256) break;
      count = Math.min(256, ms <= 0 ? count * 8 : Math.ceil((count * o.constructorSampleMs) / ms));
    }
    counts.push(count);
  }
  const samples: number[][] = initials.map(() => []);
  const order = initials.map((_, i) => i);
  for (let round = -3; round < o.constructorSamples; round++) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      const count = counts[i] as number;
      const us = ((await batch(initials[i] as () => TorConfig, count)) / count) * 1000;
      if (round >= 0) (samples[i] as number[]).push(us);
    }
  }
  return samples.map((s) => summarize(s, 'µs'));
}

/**
 * Benchmark 9, decoding at scale: `loadFromFile` of a 1 MiB bridge-heavy torrc (about 6,500
 * bridge lines and 1,100 router set entries, each checked as Tor checks it) against `JSON.parse`
 * + `TorConfig.decode` of the same config as JSON, which checks every bridge line and router set
 * entry with the same value codecs but reads no file and no torrc syntax. Warm (medians of
 * batches) and cold (the first call in a fresh process running dist/, as users do, each side in its own
 * processes, since a reload is rare and mostly runs in V8's interpreter). Then what the value codecs leave: reading
 * the same file into entries (`readTorrcDocument`: the file policy's checks, the read, bytes to
 * text, Tor's line syntax) against `JSON.parse` alone. Last, the price of handing the loaded
 * config to `new ReloadableConfig`, against a tiny initial config: a config loadFromFile built
 * is decoded, validated and frozen already, so it must not be decoded, walked by every codec or
 * copied again (a structuredClone of it, which must be, shows what that costs).
 * Targets from issue 8: >= 100 MB/s warm, >= 40 MB/s cold, faster than the JSON baseline, and a
 * constructor that costs no decode (its extra over a tiny config under a tenth of one).
 * @example const result = await benchDecode(); result.rows[0]?.ratio
 */
export async function benchDecode(options: Partial<DecodeBenchOptions> = {}): Promise<BenchResult> {
  const o: DecodeBenchOptions = { ...defaults, ...options };
  const torrc = bridgeHeavyTorrc(MiB);
  const dir = await mkdtemp(join(tmpdir(), 'hotrc-bench-decode-'));
  try {
    const path = join(dir, 'torrc');
    const jsonPath = join(dir, 'torrc.json');
    await writeFile(path, torrc.text);
    const config = await loadFromFile(path);
    const entries = config.ExcludeNodes.length + config.ExcludeExitNodes.length;
    if (config.BridgeAddresses.length !== torrc.bridges || entries !== torrc.excluded) {
      throw new Error(
        `bench: the bridge-heavy torrc does not load as intended: ${config.BridgeAddresses.length} bridges, ${entries} router set entries`,
      );
    }
    const json = JSON.stringify(config);
    await writeFile(jsonPath, json);
    const fromJson = TorConfig.decode(JSON.parse(json));
    if (isLeft(fromJson) || JSON.stringify(fromJson.right) !== json) {
      throw new Error('bench: the JSON config does not decode to the same config');
    }
    const bytes = Buffer.byteLength(torrc.text);
    await buildDist();

    const warm = await compareBatches(
      async (k) => {
        for (let i = 0; i < k; i++) sink += (await loadFromFile(path)).BridgeAddresses.length;
      },
      (k) => {
        for (let i = 0; i < k; i++) {
          const r = TorConfig.decode(JSON.parse(json));
          sink += isLeft(r) ? -1 : r.right.BridgeAddresses.length;
        }
      },
      { minBatchMs: 60, warmups: 3, repeats: 21, unit: 'ms' },
    );
    const syntax = await compareBatches(
      async (k) => {
        for (let i = 0; i < k; i++) {
          const r = await readTorrcDocument(path);
          sink += isLeft(r) ? -1 : r.right.entries.length;
        }
      },
      (k) => {
        for (let i = 0; i < k; i++) sink += (JSON.parse(json) as TorConfig).BridgeAddresses.length;
      },
      { minBatchMs: 40, warmups: 3, repeats: 15, unit: 'ms' },
    );

    const coldLoad: number[] = [];
    const coldJson: number[] = [];
    for (let i = 0; i < o.coldSamples; i++) {
      // Alternated, so a slow spell on a shared machine weighs on both sides alike.
      coldLoad.push(await coldSample('load', path));
      coldJson.push(await coldSample('json', jsonPath));
    }
    const coldLoadMs = summarize(coldLoad, 'ms');
    const coldJsonMs = summarize(coldJson, 'ms');

    const [big, tiny, copied] = await constructorCost(
      [() => config, defaultConfig, () => structuredClone(config) as TorConfig],
      path,
      o,
    );
    if (big === undefined || tiny === undefined || copied === undefined || sink === 0) {
      throw new Error('bench: nothing measured');
    }
    const warmMBs = bytes / MB / (warm.subject.median / 1000);
    const coldMBs = bytes / MB / (coldLoadMs.median / 1000);
    // What handing the big config over costs beyond a tiny one, as a share of one decode of it.
    const constructorExtra = (big.median - tiny.median) / 1000 / warm.baseline.median;
    return {
      id: 'decode',
      title: '9. Loading a 1 MiB bridge-heavy torrc',
      rows: [
        {
          name: `loadFromFile ${(bytes / MiB).toFixed(2)} MiB`,
          subject: 'loadFromFile',
          baseline: 'JSON.parse + TorConfig.decode',
          measured: warm.subject,
          reference: warm.baseline,
          ratio: warm.ratio,
        },
        {
          name: 'loadFromFile 1 MiB, first call',
          subject: 'fresh process',
          baseline: 'JSON + decode, first call',
          measured: coldLoadMs,
          reference: coldJsonMs,
          ratio: coldLoadMs.median / coldJsonMs.median,
        },
        {
          name: 'read 1 MiB into entries, no decode',
          subject: 'readTorrcDocument',
          baseline: 'JSON.parse alone',
          measured: syntax.subject,
          reference: syntax.baseline,
          ratio: syntax.ratio,
        },
        {
          name: 'new ReloadableConfig(1 MiB config)',
          subject: 'loadFromFile result',
          baseline: 'defaultConfig()',
          measured: big,
          reference: tiny,
          ratio: big.median / tiny.median,
        },
        {
          name: 'new ReloadableConfig(1 MiB copy)',
          subject: 'structuredClone of it',
          baseline: 'defaultConfig()',
          measured: copied,
          reference: tiny,
          ratio: copied.median / tiny.median,
        },
      ],
      facts: [
        { label: 'torrc bytes', value: bytes, unit: 'B' },
        { label: 'JSON bytes', value: json.length, unit: 'B' },
        { label: 'bridge lines', value: torrc.bridges, unit: '' },
        { label: 'router set entries', value: torrc.excluded, unit: '' },
        { label: 'loadFromFile throughput, warm', value: warmMBs, unit: 'MB/s' },
        { label: 'loadFromFile throughput, first call', value: coldMBs, unit: 'MB/s' },
        {
          label: 'constructor extra over a tiny config, per decode of the config',
          value: constructorExtra,
          unit: 'x',
        },
      ],
      targets: [
        target('loadFromFile 1 MiB, warm', warmMBs, '>=', 100, 'MB/s', 'issue 8: >= 100 MB/s warm'),
        target(
          'loadFromFile 1 MiB, first call in a fresh process',
          coldMBs,
          '>=',
          40,
          'MB/s',
          'issue 8: >= 40 MB/s in a fresh process',
        ),
        target(
          'loadFromFile / (JSON.parse + TorConfig.decode), warm',
          warm.ratio,
          '<',
          1,
          'x',
          'issue 8: faster than JSON.parse + decode of the same config, in the same run',
        ),
        target(
          'new ReloadableConfig(1 MiB) - new ReloadableConfig(tiny), per decode of the config',
          constructorExtra,
          '<',
          0.1,
          'x',
          'issue 8: no re-decode of an initial config that is already frozen and validated',
        ),
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
