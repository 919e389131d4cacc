// `npm run bench`: every measurement next to a baseline timed the same way in the same process,
// ratios first (machines are shared and noisy), targets checked at the end. Exit status 1 when a
// target fails or a benchmark breaks. `--json` prints the results as JSON instead of the table;
// `--only parse,poll` runs some of them. Progress goes to stderr, so stdout is only the report.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDecode } from './bench-decode.js';
import { benchFanout } from './bench-fanout.js';
import { benchFleet } from './bench-fleet.js';
import { benchIdle } from './bench-idle.js';
import { benchLatency } from './bench-latency.js';
import { benchLoad } from './bench-load.js';
import { benchMemory } from './bench-memory.js';
import { benchParse } from './bench-parse.js';
import { benchPoll } from './bench-poll.js';
import { benchQuiet } from './bench-quiet.js';
import type { BenchResult } from './bench-result.js';
import { benchWatch } from './bench-watch.js';
import { formatReport } from './format-report.js';

type Bench = (dir: string) => Promise<BenchResult>;

const benches: ReadonlyArray<readonly [string, Bench]> = [
  ['parse', () => benchParse()],
  ['load', () => benchLoad()],
  ['poll', (dir) => benchPoll(dir)],
  ['idle', (dir) => benchIdle(dir)],
  ['latency', (dir) => benchLatency(dir)],
  ['memory', (dir) => benchMemory(dir)],
  ['quiet', (dir) => benchQuiet(dir)],
  ['watch', (dir) => benchWatch(dir)],
  ['decode', () => benchDecode()],
  ['fanout', (dir) => benchFanout(dir)],
  ['fleet', (dir) => benchFleet(dir)],
];

function usage(): never {
  process.stderr.write(
    `usage: npm run bench [-- --json] [-- --only ${benches.map(([id]) => id).join(',')}]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: ReadonlyArray<string>): { json: boolean; only: ReadonlySet<string> } {
  let json = false;
  let only: ReadonlySet<string> = new Set(benches.map(([id]) => id));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (list === undefined) usage();
      only = new Set(list.split(','));
      for (const id of only) if (!benches.some(([known]) => known === id)) usage();
    } else usage();
  }
  return { json, only };
}

async function main(): Promise<number> {
  const { json, only } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const root = await mkdtemp(join(tmpdir(), 'hotrc-bench-'));
  const results: BenchResult[] = [];
  const broken: { id: string; error: string }[] = [];
  try {
    for (const [id, bench] of benches) {
      if (!only.has(id)) continue;
      process.stderr.write(`bench: ${id}...\n`);
      const dir = join(root, id);
      await mkdir(dir);
      try {
        results.push(await bench(dir));
      } catch (err) {
        broken.push({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const targets = results.flatMap((r) => r.targets);
  const pass = broken.length === 0 && targets.every((t) => t.pass);
  const environment = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    seconds,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify({ environment, results, broken, pass }, null, 2)}\n`);
  } else {
    const header = `hotrc benchmark: node ${environment.node}, ${environment.platform}, ${environment.cpus} CPUs (${environment.cpu}), ${seconds.toFixed(1)} s. Medians; iqr = interquartile range / median.`;
    const lines = formatReport(results, header);
    for (const b of broken) lines.push(`  FAIL  ${b.id} did not run: ${b.error}`);
    lines.push('', pass ? 'all targets met' : 'TARGETS FAILED');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return pass ? 0 : 1;
}

// No process.exit on success: the run ending by itself shows every watcher and timer was stopped.
process.exitCode = await main();
