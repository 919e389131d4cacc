// What each watched file costs in memory, in a fresh process per count: `node
// spec/bench/instance-memory.mjs [N ...]` (default 1 100 1000) prints, for each N, the RSS once
// every first look is done and 6 s later (the idle bench's moment), heapUsed then, and after a
// full GC the live heap per instance (what one more ReloadableConfig keeps). Plain node on
// dist/ (run `npm run build` first), as idle-child.mjs, so the figures compare with its RSS row.
// The files are written, then left 2.5 s to leave the racy window, as the idle bench's are.
// With `--settle S` (before the counts) each process then stays idle until S s after its start,
// untouched, and prints its RSS then and when it fell there: V8 shrinks a grown new space only
// in the collection its memory reducer makes in an idle process, tens of seconds in. chokidar
// `usePolling` (100 ms) over the same files is measured the same way beside each count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MiB = 1024 * 1024;
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const torrc =
  'SocksPort 9050\nLog notice stdout\nCircuitBuildTimeout 30\nMaxCircuitDirtiness 600\n';

// RSS every second until `settleS` after `startedAt`: the last reading, and since when it held
// (within 1 MiB).
async function settle(startedAt, settleS) {
  let settledAt = 0;
  let last = process.memoryUsage().rss;
  while (performance.now() - startedAt < settleS * 1000) {
    await sleep(1000);
    const rss = process.memoryUsage().rss;
    if (Math.abs(rss - last) > MiB) settledAt = (performance.now() - startedAt) / 1000;
    last = rss;
  }
  return { settledRssMiB: last / MiB, settledAtS: settledAt };
}

async function peer(count, settleS) {
  const dir = mkdtempSync(join(tmpdir(), 'hotrc-instance-memory-'));
  try {
    const paths = Array.from({ length: count }, (_, i) => join(dir, `torrc-${i}`));
    for (const p of paths) writeFileSync(p, torrc);
    await sleep(2500);
    const { watch } = await import('chokidar');
    const watcher = watch(paths, { usePolling: true, interval: 100, ignoreInitial: true });
    await new Promise((resolve) => watcher.once('ready', resolve));
    const startedAt = performance.now();
    const started = process.memoryUsage().rss;
    await sleep(6000);
    const idle = process.memoryUsage().rss;
    const settled = await settle(startedAt, settleS);
    await watcher.close();
    return { count, startedRssMiB: started / MiB, idleRssMiB: idle / MiB, ...settled };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(count, dist, settleS) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const dir = mkdtempSync(join(tmpdir(), 'hotrc-instance-memory-'));
  try {
    const paths = Array.from({ length: count }, (_, i) =>
      join(dir, `torrc-${String(i).padStart(4, '0')}`),
    );
    for (const p of paths) writeFileSync(p, torrc);
    await sleep(2500);
    const { loadFromFile, ReloadableConfig } = await import(join(dist, 'index.js'));
    const initial = await loadFromFile(paths[0]);
    gc();
    const before = process.memoryUsage().heapUsed;
    const configs = paths.map((p) => new ReloadableConfig(initial, p, undefined, {}));
    for (const rc of configs) rc.startWatcher(100);
    while (!configs.every((rc) => rc.status().sha256 !== undefined)) await sleep(50);
    const startedAt = performance.now();
    const started = process.memoryUsage();
    await sleep(6000);
    const idle = process.memoryUsage();
    const settled = settleS > 0 ? await settle(startedAt, settleS) : {};
    gc();
    gc();
    const live = process.memoryUsage().heapUsed - before;
    await Promise.all(configs.map((rc) => rc.stop()));
    return {
      count,
      startedRssMiB: started.rss / MiB,
      idleRssMiB: idle.rss / MiB,
      idleHeapUsedMiB: idle.heapUsed / MiB,
      liveKiBPerInstance: live / count / 1024,
      ...settled,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--child') {
  const [count, dist, settleS, kind] = rest;
  const r =
    kind === 'chokidar'
      ? await peer(Number(count), Number(settleS))
      : await child(Number(count), dist, Number(settleS));
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  const args = mode === undefined ? [] : [mode, ...rest];
  const settleS = args[0] === '--settle' ? Number(args[1]) : 0;
  const given = settleS > 0 ? args.slice(2) : args;
  const counts = (given.length === 0 ? ['1', '100', '1000'] : given).map(Number);
  const dist = process.env.HOTRC_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
  const f = (x) => x.toFixed(1).padStart(8);
  const run = (count, kind) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [self, '--child', String(count), dist, String(settleS), kind],
        {
          encoding: 'utf8',
          timeout: 300_000 + settleS * 1000,
        },
      ),
    );
  const settledColumns = (r) =>
    settleS > 0 ? `  ${f(r.settledRssMiB)} (since ${r.settledAtS.toFixed(0)} s)` : '';
  process.stdout.write(
    `       N  RSS started  RSS idle 6s  heapUsed idle  live KiB/instance${settleS > 0 ? `  RSS at ${settleS} s` : ''}\n`,
  );
  for (const count of counts) {
    const r = run(count, 'hotrc');
    process.stdout.write(
      `${String(count).padStart(8)}  ${f(r.startedRssMiB)}     ${f(r.idleRssMiB)}     ${f(r.idleHeapUsedMiB)}       ${f(r.liveKiBPerInstance)}${settledColumns(r)}\n`,
    );
    if (settleS > 0) {
      const c = run(count, 'chokidar');
      process.stdout.write(
        `chokidar  ${f(c.startedRssMiB)}     ${f(c.idleRssMiB)}                                  ${settledColumns(c)}   hotrc ${(r.settledRssMiB / c.settledRssMiB).toFixed(2)}x\n`,
      );
    }
  }
}
