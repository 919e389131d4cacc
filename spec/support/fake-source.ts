// An in-memory SnapshotSource whose file changes on a virtual-time timeline, for marble tests of
// the pipeline (TestScheduler does not drive promises or the real file system).
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { defer, map, Observable, of, type SchedulerLike, timer } from 'rxjs';
import { invalidRejection } from '../../lib/engine/load-document.js';
import type {
  ReadResult,
  RejectionFields,
  SnapshotSource,
  SourceState,
} from '../../lib/engine/types.js';
import { problemOf } from '../../lib/tor/config-file.js';
import { decodeTorrc } from '../../lib/tor/schema/decode.js';
import { parseTorrc } from '../../lib/tor/torrc.js';

/** What the fake file is at some moment: its text (empty text is the `empty` problem), or missing. */
export type FakeFile =
  | { readonly text: string; readonly racy?: boolean }
  | { readonly missing: true };

export interface FakeSourceLog {
  looks: number;
  reads: number;
  readsAborted: number;
  decodes: number;
  decodesAborted: number;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A source over a timeline: `[[0, a], [30, b]]` means the file is `a` from 0 ms and `b` from
 * 30 ms on. Reads take `readMs` of virtual time and see the file as it is when they end (a read
 * across a change reports `moved`); decodes take `decodeMs`.
 */
export class FakeSource implements SnapshotSource {
  readonly name = '/fake/torrc';
  readonly log: FakeSourceLog = {
    looks: 0,
    reads: 0,
    readsAborted: 0,
    decodes: 0,
    decodesAborted: 0,
  };

  constructor(
    readonly scheduler: SchedulerLike,
    private readonly timeline: ReadonlyArray<readonly [number, FakeFile]>,
    private readonly readMs = 0,
    private readonly decodeMs = 0,
  ) {}

  /** The index of the timeline entry in force now. */
  private indexAt(now: number): number {
    let index = 0;
    for (const [i, [at]] of this.timeline.entries()) if (at <= now) index = i;
    return index;
  }

  stateAt(now: number): SourceState {
    const index = this.indexAt(now);
    const file = this.timeline[index]?.[1] ?? { missing: true };
    // Like the real file source: a missing or empty file is a problem state, not a snapshot.
    if ('missing' in file || file.text === '') {
      const cause = 'missing' in file ? 'missing' : 'empty';
      const rejection: RejectionFields = {
        kind: 'io',
        cause,
        reason: `${this.name}: ${cause}`,
        path: this.name,
        problems: [],
      };
      return { kind: 'problem', rejection };
    }
    return {
      kind: 'snapshot',
      version: `v${index}`,
      racy: file.racy ?? false,
      read: () => this.read(index, file.text),
    };
  }

  private read(index: number, text: string): Observable<ReadResult> {
    return new Observable<ReadResult>((subscriber) => {
      this.log.reads++;
      let done = false;
      const wait = timer(this.readMs, this.scheduler).subscribe(() => {
        done = true;
        subscriber.next(
          this.indexAt(this.scheduler.now()) === index
            ? { kind: 'read', bytes: new TextEncoder().encode(text), sha256: sha(text) }
            : { kind: 'moved' },
        );
        subscriber.complete();
      });
      return () => {
        if (!done) this.log.readsAborted++;
        wait.unsubscribe();
      };
    });
  }

  look(): Observable<SourceState> {
    return defer(() => {
      this.log.looks++;
      return of(this.stateAt(this.scheduler.now()));
    });
  }

  decode(bytes: Uint8Array, signal: AbortSignal) {
    return defer(() => {
      this.log.decodes++;
      signal.addEventListener('abort', () => this.log.decodesAborted++, { once: true });
      return timer(this.decodeMs, this.scheduler).pipe(
        map(() => {
          const text = new TextDecoder().decode(bytes);
          const entries = parseTorrc(text, { file: this.name });
          if (E.isLeft(entries))
            return E.left(invalidRejection(this.name, [problemOf(entries.left)]));
          const decoded = decodeTorrc(entries.right);
          if (E.isLeft(decoded)) return E.left(invalidRejection(this.name, decoded.left));
          return E.right({
            config: decoded.right.config,
            warnings: decoded.right.warnings,
            files: [this.name],
            watched: [this.name],
          });
        }),
      );
    });
  }
}
