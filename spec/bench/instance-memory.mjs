// What each watched file costs in memory, in a fresh process per count: `node
// spec/bench/instance-memory.mjs [N ...]` (default 1 100 1000) prints, for each N, the RSS once
// every first look is done and 6 s later (the idle bench's moment), heapUsed then, and after a
// full GC the live heap per instance (what one more ReloadableConfig keeps). Plain node on
// dist/ (run `npm run build` first), as idle-child.mjs, so the figures compare with its RSS row.
// The files are written, then left 2.5 s to leave the racy window, as the idle bench's are.
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

async function child(count, dist) {
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
    const started = process.memoryUsage();
    await sleep(6000);
    const idle = process.memoryUsage();
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--child') {
  const [count, dist] = rest;
  process.stdout.write(`${JSON.stringify(await child(Number(count), dist))}\n`);
} else {
  const counts = (mode === undefined ? ['1', '100', '1000'] : [mode, ...rest]).map(Number);
  const dist = process.env.HOTRC_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
  const f = (x) => x.toFixed(1).padStart(8);
  process.stdout.write('       N  RSS started  RSS idle 6s  heapUsed idle  live KiB/instance\n');
  for (const count of counts) {
    const out = execFileSync(process.execPath, [self, '--child', String(count), dist], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const r = JSON.parse(out);
    process.stdout.write(
      `${String(count).padStart(8)}  ${f(r.startedRssMiB)}     ${f(r.idleRssMiB)}     ${f(r.idleHeapUsedMiB)}       ${f(r.liveKiBPerInstance)}\n`,
    );
  }
}
