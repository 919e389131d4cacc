import assert from 'node:assert/strict';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { statProgress, statWorkerSource } from '../../lib/sources/stat-worker-source.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('statWorkerSource, in a real worker on real files', () => {
  let dir: string;
  let worker: Worker | undefined;
  let state: Int32Array;
  let posts: number[][];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-stat-worker-'));
    posts = [];
    state = new Int32Array(new SharedArrayBuffer(4 * statProgress.length));
    state[statProgress.on] = -1;
  });
  afterEach(async () => {
    await worker?.terminate();
    worker = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  function start(periodMs: number): Worker {
    const w = new Worker(statWorkerSource, {
      eval: true,
      workerData: { state: state.buffer, periodMs },
    });
    w.on('message', (ids: number[]) => posts.push(ids));
    worker = w;
    return w;
  }

  /** Waits until the worker has finished `n` more batches than now (5 s at most). */
  async function batches(n: number): Promise<void> {
    const target = Atomics.load(state, statProgress.progress) + n;
    const deadline = Date.now() + 5000;
    while (Atomics.load(state, statProgress.progress) < target) {
      if (Date.now() > deadline) throw new Error(`the worker did not finish ${n} batches`);
      await sleep(5);
    }
  }

  it('reports added paths at once, then posts nothing while their stats hold still', async () => {
    const paths = ['a', 'b', 'c'].map((n) => join(dir, n));
    await Promise.all(paths.map((p) => writeFile(p, 'SocksPort 9050\n')));
    const w = start(10);
    w.postMessage({ add: paths.map((p, i) => [i + 10, p]) });
    await batches(1);
    await batches(10);
    assert.deepEqual(posts, [[10, 11, 12]]);
    // Between stats the worker says so: no path is blamed for a stat that is not running.
    assert.equal(Atomics.load(state, statProgress.on), -1);
    await chmod(paths[1] as string, 0o600);
    await batches(2);
    assert.deepEqual(posts, [[10, 11, 12], [11]]);
  });

  it('reports a path that goes and comes back, with its errno as a state', async () => {
    const path = join(dir, 'torrc');
    const w = start(10);
    w.postMessage({ add: [[0, path]] });
    await batches(3);
    assert.deepEqual(posts, [[0]]);
    // Made elsewhere and renamed in: it appears in one step, whole.
    await writeFile(join(dir, 'tmp'), 'SocksPort 9050\n');
    await rename(join(dir, 'tmp'), path);
    await batches(2);
    assert.deepEqual(posts, [[0], [0]]);
    await rm(path);
    await batches(2);
    assert.deepEqual(posts, [[0], [0], [0]]);
  });

  it('stats exactly the paths left after removals that each fill a gap with the last path', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
    const w = start(10);
    w.postMessage({ add: names.map((n, i) => [i, join(dir, n)]) });
    await batches(1);
    // e fills b's place, then e itself goes, then d (now last): a and c are left.
    w.postMessage({ remove: [1] });
    w.postMessage({ remove: [4] });
    w.postMessage({ remove: [3, 99] });
    await batches(1);
    posts = [];
    // chmod: one step each, so at most one report each.
    for (const n of names) await chmod(join(dir, n), 0o600);
    await batches(2);
    assert.deepEqual(posts.flat().sort(), [0, 2]);
    w.postMessage({ add: [[5, join(dir, 'e')]] });
    await batches(1);
    assert.deepEqual(posts.flat().sort(), [0, 2, 5]);
  });
});
