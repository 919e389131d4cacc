// The new-inode gap, step by step, with no timing in it: `npx tsx spec/stress/new-inode-gap.ts`.
// Exits 1 while the watcher applies half of an in-place save made into a file it has not looked
// at since the file got its name (the write storm's torn reads, every one of them), 0 once fixed.
//
// 1. The watcher looks at the torrc (inode A).
// 2. A rename-save gives the path inode B; the watcher does not look (a poll interval is long).
// 3. Someone writes B in place, in two chunks with a pause far under writeQuietMs.
// 4. The watcher looks during the pause: B is another inode than A. Trusted as "arrived whole"
//    for that alone, it is read at once, and half a file is applied; fingerprint.ts nextSighting
//    wants evidence that it was written before it got its name, and finds the opposite (its
//    mtime equals its ctime: a write was the last thing done to it), so it waits for quiet.
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { stormConfigs } from './storm-configs.js';

const torrc = stormConfigs.torrc;
const dir = await mkdtemp(join(tmpdir(), 'hotrc-gap-'));
const path = join(dir, 'torrc');
const decodeOf = async (text: string) => {
  const file = join(dir, 'scratch');
  await writeFile(file, text);
  return loadFromFile(file);
};
try {
  await writeFile(path, torrc.valid(100_000));
  const rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {
    writeQuietMs: 250,
  });
  const emitted: unknown[] = [];
  rc.config$.subscribe((c) => emitted.push(c));
  await rc.reload(); // 1: the watcher has seen inode A

  await writeFile(join(dir, '.torrc.tmp'), torrc.valid(100_001));
  await rename(join(dir, '.torrc.tmp'), path); // 2: inode B, not looked at

  const c = Buffer.from(torrc.valid(100_002));
  const cut = c.indexOf('LogLevel'); // the first half ends after CircuitPoolMaxSize 100002
  const fh = await open(path, 'w'); // 3: in place, first chunk
  await fh.write(c, 0, cut, 0);
  // 4: a look during the pause, which is far under writeQuietMs (the reload is not awaited: a
  // watcher that rightly waits for quiet would wait for the pause to end, and it ends only once
  // the second chunk is written).
  const during = rc.reload().then(
    (r) => r.status,
    (e: unknown) => `rejected: ${String(e)}`,
  );
  await sleep(50);
  await fh.write(c, cut, c.length - cut, cut);
  await fh.close();
  const ended = await during;

  const half = await decodeOf(c.subarray(0, cut).toString());
  const torn = emitted.some((e) => isDeepStrictEqual(e, half));
  console.log(
    torn
      ? `GAP: the look during the in-place save ${ended} the first ${cut} of ${c.length} bytes (CircuitPoolMaxSize ${rc.get().CircuitPoolMaxSize}, LogLevel ${rc.get().LogLevel}, the rest of the file missing)`
      : `no gap: the look during the in-place save ended ${ended} (CircuitPoolMaxSize ${rc.get().CircuitPoolMaxSize}), and nothing half-written was applied`,
  );
  await rc.stop();
  process.exitCode = torn ? 1 : 0;
} finally {
  await rm(dir, { recursive: true, force: true });
}
