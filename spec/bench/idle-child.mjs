// Plain JavaScript, run by plain node (no tsx loader, whose ~35 MiB would blur every RSS), and
// hotrc from its build (dist/), as users run it. Run by benchIdle in a fresh process per sample: watches `count` unchanged files (torrc-0000..)
// in `dir` one way (`kind`) at `intervalMs`, once started lets it settle for `warmMs` (past
// hotrc's 2 s racy window, whose re-read is by design), then prints the CPU it
// spent over `windowMs` (% of one core, every thread) and its RSS as JSON on stdout.
import { statSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';

const [kind, countArg, intervalArg, dir, warmArg, windowArg] = process.argv.slice(2);
const count = Number(countArg);
const intervalMs = Number(intervalArg);
const warmMs = Number(warmArg);
const windowMs = Number(windowArg);
const paths = Array.from({ length: count }, (_, i) =>
  join(dir, `torrc-${String(i).padStart(4, '0')}`),
);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts watching; the returned function stops it. */
async function start() {
  switch (kind) {
    case 'statSync': {
      // The fastest plain way to do the same work: one timer, a bigint stat of each file per tick.
      let sink = 0n;
      const timer = setInterval(() => {
        for (const p of paths) sink ^= statSync(p, { bigint: true }).mtimeNs;
      }, intervalMs);
      return async () => {
        clearInterval(timer);
        if (sink === -1n) process.stderr.write('');
      };
    }
    case 'statSyncPlain': {
      // The same loop with plain stats (Numbers, no BigInt): all a wake-up filter needs.
      let sink = 0;
      const timer = setInterval(() => {
        for (const p of paths) sink += statSync(p).mtimeMs;
      }, intervalMs);
      return async () => {
        clearInterval(timer);
        if (sink === -1) process.stderr.write('');
      };
    }
    case 'watchFile': {
      const listener = () => {};
      for (const p of paths) watchFile(p, { interval: intervalMs, bigint: true }, listener);
      return async () => {
        for (const p of paths) unwatchFile(p, listener);
      };
    }
    case 'chokidar': {
      const { watch } = await import('chokidar');
      const watcher = watch(paths, { usePolling: true, interval: intervalMs, ignoreInitial: true });
      await new Promise((resolve) => watcher.once('ready', () => resolve()));
      return () => watcher.close();
    }
    case 'hotrc': {
      // Loaded only here, so the other kinds' RSS does not carry hotrc's modules.
      const { loadFromFile, ReloadableConfig } = await import('../../dist/index.js');
      const initial = await loadFromFile(paths[0]);
      const configs = paths.map((p) => new ReloadableConfig(initial, p, undefined, {}));
      for (const rc of configs) rc.startWatcher(intervalMs);
      // Started means every first look done (as chokidar's 'ready'): with 1000 files on a busy
      // machine that can take seconds, which a fixed warm-up would count as idle time.
      while (!configs.every((rc) => rc.status().sha256 !== undefined)) await sleep(50);
      return async () => {
        await Promise.all(configs.map((rc) => rc.stop()));
      };
    }
    default:
      throw new Error(`idle-child: unknown kind ${kind}`);
  }
}

const stop = await start();
await sleep(warmMs);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await sleep(windowMs);
const cpu = process.cpuUsage(cpu0);
const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
const rssMiB = process.memoryUsage().rss / (1024 * 1024);
await stop();
process.stdout.write(
  `${JSON.stringify({ cpuPercent: ((cpu.user + cpu.system) / elapsedUs) * 100, rssMiB })}\n`,
);
