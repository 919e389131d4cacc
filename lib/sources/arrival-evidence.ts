import { basename, dirname } from 'node:path';
import type { DirectoryWatch, FsPort, WatchEventKind } from './fs-port.js';

/**
 * What the fast path saw happen to the entries of the directories it watches, kept as evidence
 * that a new file arrived whole (see nextSighting): `watch` is FsPort.watch, recording each
 * event before passing it on, and `boundUnwritten` answers from those records.
 * @example const evidence = arrivalEvidence(nodeFs.watch!.bind(nodeFs)); fsWatch({ ...o, watch: evidence.watch });
 */
export interface ArrivalEvidence {
  readonly watch: NonNullable<FsPort['watch']>;
  /**
   * Whether the last event on `realPath`'s entry, seen by a watch that is open now and was open
   * all along since, bound the name to a file (a rename into place, a create, a link) rather
   * than wrote it: so the file there now was not written since it got the name. False when no
   * open watch saw an event on that entry (a directory not watched, or watched only since).
   *
   * Linux only (inotify), and only once a poll phase of the event loop has begun after the call:
   * every write syscall queues its IN_MODIFY before it returns, so one made before the caller's
   * stat is in the kernel's queue when this is asked, and the next poll phase reads that queue to
   * the end. One setImmediate is not enough: asked from an I/O callback (a stat finishing on the
   * thread pool), it runs in the check phase of the same turn, before the next poll; a second one,
   * queued from the check phase, runs in the next turn's, after its poll. So a write the stat saw
   * has been recorded by the time the answer is given. Elsewhere the order is not promised (FSEvents on macOS delivers
   * later, kqueue does not report writes to entries at all), and the answer is always false.
   * Writes the kernel does not report are not seen: through a shared mmap, or by another host
   * on NFS (where the fast path is silent anyway, and so no rename is recorded either).
   */
  boundUnwritten(realPath: string): Promise<boolean>;
}

/** Names remembered per watched directory; the oldest are forgotten (which only loses evidence). */
const maxNames = 1024;

// Until a poll phase has begun after now (see boundUnwritten): the second immediate is queued
// from the check phase, so it runs in the next turn, after that turn's poll.
const pollPassed = (): Promise<void> =>
  new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Evidence over `watch` (an FsPort's). `platform` is the platform whose event order it relies on
 * (default `process.platform`); any but `linux` records nothing.
 * @example const evidence = arrivalEvidence(nodeFs.watch!.bind(nodeFs));
 */
export function arrivalEvidence(
  watch: NonNullable<FsPort['watch']>,
  platform: NodeJS.Platform = process.platform,
): ArrivalEvidence {
  if (platform !== 'linux') return { watch, boundUnwritten: () => Promise.resolve(false) };
  // One record per open watch: what it saw last on each entry. A watch that closed or died takes
  // its records with it, since whatever happened after was not seen.
  const open = new Set<EvidenceWatch>();
  return {
    watch: (directory, onEvent, onError) =>
      new EvidenceWatch(open, watch, directory, onEvent, onError),
    boundUnwritten: async (realPath) => {
      const dir = dirname(realPath);
      const name = basename(realPath);
      let watched = false;
      for (const r of open) if (r.directory === dir) watched = true;
      if (!watched) return false;
      await pollPassed();
      let bound = false;
      for (const r of open) {
        if (r.directory !== dir) continue;
        const kind = r.last?.get(name);
        if (kind === 'change') return false;
        if (kind === 'rename') bound = true;
      }
      return bound;
    },
  };
}

// One open watch and what it saw last on each entry (made at its first event: most directories
// of a watcher see none for hours). Open while in `open`.
class EvidenceWatch implements DirectoryWatch {
  last: Map<string, WatchEventKind> | undefined;
  readonly #handle: DirectoryWatch;
  constructor(
    private readonly open: Set<EvidenceWatch>,
    watch: NonNullable<FsPort['watch']>,
    readonly directory: string,
    private readonly onEvent: (name: string | null, kind?: WatchEventKind) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    open.add(this);
    try {
      this.#handle = watch(
        directory,
        (name, kind) => this.#event(name, kind),
        (err) => {
          open.delete(this);
          this.onError(err);
        },
      );
    } catch (err) {
      open.delete(this);
      throw err;
    }
  }

  #event(name: string | null, kind: WatchEventKind | undefined): void {
    if (name === null || kind === undefined) {
      // Something changed, we are not told what: nothing seen before counts now.
      this.last?.clear();
    } else {
      this.last ??= new Map();
      const last = this.last;
      last.delete(name);
      last.set(name, kind);
      if (last.size > maxNames) {
        const oldest = last.keys().next().value;
        if (oldest !== undefined) last.delete(oldest);
      }
    }
    this.onEvent(name, kind);
  }

  close(): void {
    this.open.delete(this);
    this.#handle.close();
  }
}
