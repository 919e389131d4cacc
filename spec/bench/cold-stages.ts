// Why a rename-save's commit takes what it takes: `npx tsx spec/bench/cold-stages.ts [N]`.
// Two measurements, on dist/ (built first), as users run hotrc:
// 1. N rename-saves (default 300, after 20 warm-ups) of bench 8's typical torrc to one
//    ReloadableConfig alone in this process (fast path on, polling once a minute), each timed as
//    bench 8 times them: from just before the rename to config$ delivering the saved content.
//    Bench 8 runs hotrc in one process with four other ways of watching; this is hotrc alone.
// 2. What the same work costs back to back against once per save: each stage of a load of that
//    torrc (Tor's line syntax, decodeTorrc, validateConfig, the whole loadTorrcText) timed 300
//    times back to back, then 300 times each after 5 ms of busy waiting and after a 5 ms sleep.
//    A save comes after such a gap, and the gap, not the load, sets the price: the code and
//    data a load needs are no longer in the CPU's caches.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../support/waiting.js';
import { importDist } from './build-dist.js';
import { percentile } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const ms = (x: number) => `${x.toFixed(3)} ms`;
const us = (x: number) => `${(x * 1000).toFixed(1)} µs`;

const hotrc = await importDist();
const n = Number(process.argv[2] ?? 300);
const warmups = 20;

const dir = await mkdtemp(join(tmpdir(), 'hotrc-cold-stages-'));
try {
  const path = join(dir, 'torrc');
  await writeFile(path, typicalTorrc(32));
  const rc = new hotrc.ReloadableConfig(await hotrc.loadFromFile(path), path);
  let waiting: { want: number; resolve: (at: number) => void } | undefined;
  const delivered = rc.config$.subscribe((c) => {
    if (waiting !== undefined && c.CircuitPoolMaxSize === waiting.want) {
      const w = waiting;
      waiting = undefined;
      w.resolve(performance.now());
    }
  });
  rc.startWatcher(60_000);
  await sleep(500);
  const latencies: number[] = [];
  for (let i = 0; i < warmups + n; i++) {
    // As bench 8: never the value just before, golden-ratio pauses.
    const want = 33 + (i % 60);
    await writeFile(`${path}.tmp`, typicalTorrc(want));
    const at = new Promise<number>((resolve) => {
      waiting = { want, resolve };
    });
    const savedAt = performance.now();
    await rename(`${path}.tmp`, path);
    const t = await Promise.race([at, sleep(5000).then(() => Number.NaN)]);
    if (Number.isNaN(t)) throw new Error(`save ${i} was not delivered within 5 s`);
    if (i >= warmups) latencies.push(t - savedAt);
    await sleep(((i * 0.618034) % 1) * 5);
  }
  delivered.unsubscribe();
  await rc.stop();
  console.log(`1. rename-save -> config$, hotrc alone in its process (${n} saves)`);
  console.log(
    `   p50 ${ms(percentile(latencies, 0.5))}  p90 ${ms(percentile(latencies, 0.9))}  p99 ${ms(percentile(latencies, 0.99))}`,
  );

  const text = typicalTorrc(40);
  const entries = hotrc.parseTorrcEntries(text, { file: path });
  if (entries._tag === 'Left') throw new Error('the typical torrc does not parse');
  const decoded = hotrc.decodeTorrc(entries.right);
  if (decoded._tag === 'Left') throw new Error('the typical torrc does not decode');
  const config = decoded.right.config;
  const stages: ReadonlyArray<readonly [string, () => unknown]> = [
    ['parseTorrcEntries', () => hotrc.parseTorrcEntries(text, { file: path })],
    ['decodeTorrc', () => hotrc.decodeTorrc(entries.right)],
    ['validateConfig', () => hotrc.validateConfig(config)],
    ['loadTorrcText', () => hotrc.loadTorrcText(text, path)],
  ];
  const gaps = ['back to back', 'after 5 ms busy', 'after 5 ms asleep'] as const;
  console.log('2. one load of the typical torrc, by stage (p50 of 300)');
  console.log(`   ${'stage'.padEnd(18)}${gaps.map((g) => g.padStart(20)).join('')}`);
  for (const [name, run] of stages) {
    for (let i = 0; i < 3000; i++) await run();
    const cells: string[] = [];
    for (const gap of gaps) {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await run();
        times.push(performance.now() - t0);
        if (gap === 'after 5 ms busy') spin(5);
        else if (gap === 'after 5 ms asleep') await sleep(5);
      }
      cells.push(us(percentile(times, 0.5)).padStart(20));
    }
    console.log(`   ${name.padEnd(18)}${cells.join('')}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
