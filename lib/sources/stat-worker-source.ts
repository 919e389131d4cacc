import { maxTimerMs } from '../core/timer-delay.js';

/**
 * The layout of the progress the stat worker shares with the main thread (an Int32Array over a
 * SharedArrayBuffer): `progress` counts the worker's finished batches (a tick, or the first stats
 * of paths just added), `on` is the id of the path whose stat runs now, or -1 between stats.
 * @example Atomics.load(state, statProgress.on) // -1 while the worker waits for its next tick
 */
export const statProgress = { progress: 0, on: 1, length: 2 } as const;

/**
 * The source of the stat worker (CommonJS, for `new Worker(source, { eval: true })`), started
 * with `workerData: { state, periodMs }` (`state` as in statProgress). It keeps its own timer, so
 * an idle tick wakes no other thread and posts nothing: every `periodMs` it makes one synchronous
 * stat of every path (a stat that hangs blocks this thread only, and `on` says which path it is)
 * and posts the ids whose stat moved, if any. Messages in: `{ add: [[id, path], ...] }` (each
 * path is stat'ed at once and reported once), `{ remove: [id, ...] }`.
 *
 * The stats are plain (not bigint): this is a wake-up filter, the looks it wakes make the exact
 * bigint stat. mtimeMs and ctimeMs keep about 0.25 µs at today's epoch, so a change that hides
 * from them must come within 0.25 µs of the ctime reported before; the kernel sets ctime to now
 * on every change, so that change falls inside the racy window of the look that report woke, and
 * that look's own re-looks (content hashes) see it. The last stats live in one Float64Array
 * (mtimeMs, ctimeMs, size, ino, dev per path): nothing is allocated for a path that did not move
 * but the Stats object itself.
 * @example new Worker(statWorkerSource, { eval: true, workerData: { state, periodMs: 100 } })
 */
export const statWorkerSource = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const state = new Int32Array(workerData.state);
const PROGRESS = ${statProgress.progress};
const ON = ${statProgress.on};
const FIELDS = 5;
const options = { throwIfNoEntry: false };
const paths = [];
const ids = [];
// The errno of the last stat of each path, '' when it succeeded, null before the first.
const codes = [];
const indexOf = new Map();
let last = new Float64Array(FIELDS * 64);

// Stats paths[i]; true when its stat moved since the last time.
const look = (i) => {
  Atomics.store(state, ON, ids[i]);
  let s;
  let code = '';
  try {
    s = statSync(paths[i], options);
    if (s === undefined) code = 'ENOENT';
  } catch (err) {
    code = String((err && err.code) || 'error');
  }
  let moved = code !== codes[i];
  codes[i] = code;
  if (s !== undefined) {
    const j = i * FIELDS;
    const mtime = s.mtimeMs;
    const ctime = s.ctimeMs;
    const size = s.size;
    const ino = s.ino;
    const dev = s.dev;
    if (mtime !== last[j] || ctime !== last[j + 1] || size !== last[j + 2] ||
        ino !== last[j + 3] || dev !== last[j + 4]) {
      moved = true;
      last[j] = mtime;
      last[j + 1] = ctime;
      last[j + 2] = size;
      last[j + 3] = ino;
      last[j + 4] = dev;
    }
  }
  return moved;
};

const finish = (moved) => {
  Atomics.store(state, ON, -1);
  Atomics.add(state, PROGRESS, 1);
  if (moved !== undefined) parentPort.postMessage(moved);
};

const tick = () => {
  let moved;
  for (let i = 0; i < paths.length; i++) if (look(i)) (moved ??= []).push(ids[i]);
  finish(moved);
};

parentPort.on('message', (m) => {
  if (m.remove !== undefined) {
    for (const id of m.remove) {
      const i = indexOf.get(id);
      if (i === undefined) continue;
      indexOf.delete(id);
      // The last path takes the removed one's place, with its last stat.
      const end = paths.length - 1;
      if (i !== end) {
        paths[i] = paths[end];
        ids[i] = ids[end];
        codes[i] = codes[end];
        last.copyWithin(i * FIELDS, end * FIELDS, end * FIELDS + FIELDS);
        indexOf.set(ids[i], i);
      }
      paths.pop();
      ids.pop();
      codes.pop();
    }
  }
  if (m.add !== undefined && m.add.length > 0) {
    const from = paths.length;
    for (const [id, path] of m.add) {
      indexOf.set(id, paths.length);
      paths.push(path);
      ids.push(id);
      codes.push(null);
    }
    if (FIELDS * paths.length > last.length) {
      const grown = new Float64Array(Math.max(2 * last.length, FIELDS * paths.length));
      grown.set(last);
      last = grown;
    }
    for (let i = from; i < paths.length; i++) look(i);
    finish(ids.slice(from));
  }
});

// Its own timer (this thread has no scheduler): the event loop is not woken to drive it. Node
// would run a delay past 2^31 - 1 ms every millisecond.
setInterval(tick, Math.min(workerData.periodMs, ${maxTimerMs}));
`;
