import assert from 'node:assert/strict';
import { map, type Observable } from 'rxjs';
import { loadLatest } from '../../lib/pipeline/load-latest.js';
import type { Candidate, FailedLoad, Observation, TriggerKind } from '../../lib/pipeline/types.js';
import { type FakeFile, FakeSource } from '../support/fake-source.js';
import { scheduler } from '../support/marbles.js';

const SETTLE = 10;

// Candidates shown by LogLevel, failures by cause: enough to tell every outcome apart.
const summary = map((r: Candidate | FailedLoad) =>
  r.kind === 'candidate'
    ? `ok:${r.loaded.config.LogLevel}@${r.answers}`
    : `fail:${r.rejection.cause}`,
);

function run(
  timeline: ReadonlyArray<readonly [number, FakeFile]>,
  triggers: string,
  expected: string,
  expectedValues: Record<string, string>,
  options: {
    readMs?: number;
    decodeMs?: number;
    rounds?: number;
    triggerKinds?: Record<string, TriggerKind>;
    check?: (s: FakeSource) => void;
  } = {},
) {
  const ts = scheduler();
  ts.run(({ cold, expectObservable }) => {
    const source = new FakeSource(ts, timeline, options.readMs ?? 0, options.decodeMs ?? 0);
    const kinds = options.triggerKinds ?? {};
    const observations: Observable<Observation> = cold(triggers).pipe(
      map((t) => ({ trigger: kinds[t] ?? 'poll', state: source.stateAt(ts.now()) })),
    );
    let requests = 0;
    const out = observations.pipe(
      map((o) => {
        if (o.trigger === 'manual') requests++;
        return o;
      }),
      loadLatest(source, {
        settleMs: SETTLE,
        maxSettleRounds: options.rounds ?? 5,
        scheduler: ts,
        requestNumber: () => requests,
      }),
      summary,
    );
    expectObservable(out).toBe(expected, expectedValues);
    ts.flush();
    options.check?.(source);
  });
}

describe('loadLatest', () => {
  it('reads a file that has held still at once, then decodes it', () => {
    run(
      [[0, { text: 'LogLevel debug\n' }]],
      'a',
      '3ms a',
      { a: 'ok:debug@0' },
      { readMs: 2, decodeMs: 1 },
    );
  });

  it('waits for a racy (just written) file to hold still for the settle delay before reading', () => {
    run([[0, { text: 'LogLevel warn\n', racy: true }]], 'a', `${SETTLE}ms a`, { a: 'ok:warn@0' });
  });

  it('keeps settling while the file keeps changing, and reads the last version only', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n', racy: true }],
        [5, { text: 'LogLevel info\n', racy: true }],
        [15, { text: 'LogLevel error\n', racy: true }],
      ],
      'a',
      `${3 * SETTLE}ms a`,
      { a: 'ok:error@0' },
      { check: (s) => assert.equal(s.log.reads, 1) },
    );
  });

  it('never applies the empty file of a truncate-then-write', () => {
    run(
      [
        [0, { text: '', racy: true }],
        [4, { text: 'LogLevel warn\n', racy: true }],
      ],
      'a',
      `${2 * SETTLE}ms a`,
      { a: 'ok:warn@0' },
      { check: (s) => assert.equal(s.log.reads, 1) },
    );
  });

  it('settles and retries when the file moves during the read (stat, read, stat)', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [3, { text: 'LogLevel error\n' }],
      ],
      'a',
      // The read (0-5 ms) sees the move; the new version is seen at 15 ms, holds still until
      // 25 ms, and is read 25-30 ms.
      `${2 * SETTLE + 10}ms a`,
      { a: 'ok:error@0' },
      { readMs: 5, check: (s) => assert.equal(s.log.reads, 2) },
    );
  });

  it('supersedes an older attempt: the stale read is aborted and only the newest result comes out', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [4, { text: 'LogLevel error\n' }],
      ],
      'a 3ms b',
      `${4 + 8}ms b`,
      { b: 'ok:error@0' },
      { readMs: 8, check: (s) => assert.deepEqual([s.log.reads, s.log.readsAborted], [2, 1]) },
    );
  });

  it('aborts a stale decode through its AbortSignal', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [2, { text: 'LogLevel error\n' }],
      ],
      'a 1ms b',
      '-- 6ms b',
      { b: 'ok:error@0' },
      {
        decodeMs: 6,
        check: (s) => assert.deepEqual([s.log.decodes, s.log.decodesAborted], [2, 1]),
      },
    );
  });

  it('reports a missing file only once it stays missing for the settle delay', () => {
    run([[0, { missing: true }]], 'a', `${SETTLE}ms a`, { a: 'fail:missing' });
  });

  it('does not report a delete-and-recreate save as missing', () => {
    run(
      [
        [0, { missing: true }],
        [4, { text: 'LogLevel warn\n' }],
      ],
      'a',
      `${2 * SETTLE}ms a`,
      { a: 'ok:warn@0' },
    );
  });

  it('gives up on a file that never holds still, as a rejection', () => {
    const timeline = Array.from(
      { length: 30 },
      (_, i) => [i * 5, { text: `LogLevel ${i % 2 ? 'info' : 'warn'}\n`, racy: true }] as const,
    );
    run(timeline, 'a', `${3 * SETTLE}ms a`, { a: 'fail:unstable' }, { rounds: 3 });
  });

  it('turns a bad file into a failure carrying every problem, not an error', () => {
    run([[0, { text: 'LogLevel loud\nConnLimit 0\n' }]], 'a', 'a', { a: 'fail:invalid' });
  });

  it('answers the manual requests made before the attempt began', () => {
    run(
      [[0, { text: 'LogLevel debug\n' }]],
      'm 2ms m',
      '8ms b',
      { b: 'ok:debug@2' },
      { readMs: 5, triggerKinds: { m: 'manual' } },
    );
  });
});
