import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

// Node exposes `gc` only when started with --expose-gc. Setting the flag at run time and taking
// `gc` from a fresh context gives the same function, so `npm run bench` needs no node flags.
function findGc(): Gc {
  const global = (globalThis as { gc?: Gc }).gc;
  if (typeof global === 'function') return global;
  setFlagsFromString('--expose-gc');
  const fresh: unknown = runInNewContext('gc');
  if (typeof fresh !== 'function') throw new Error('cannot expose the garbage collector');
  return fresh as Gc;
}

let gc: Gc | undefined;

/**
 * Collects garbage until the heap stops shrinking (a few full GCs, with the event loop let run
 * between them so pending callbacks and finalizers can drop their references), then returns
 * `heapUsed` in bytes.
 * @example const before = await settledHeap();
 */
export async function settledHeap(): Promise<number> {
  gc ??= findGc();
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 6; round++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (round >= 2 && used >= least - 1024) return used;
    least = Math.min(least, used);
  }
  return least;
}
