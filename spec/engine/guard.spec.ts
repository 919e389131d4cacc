import assert from 'node:assert/strict';
import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  EMPTY,
  firstValueFrom,
  NEVER,
  Observable,
  of,
  Subject,
  throwError,
  toArray,
} from 'rxjs';
import {
  describeError,
  guardLoad,
  guardSource,
  internalRejection,
} from '../../lib/engine/guard.js';
import type {
  ChangeHint,
  Load,
  ReadResult,
  SnapshotSource,
  SourceState,
} from '../../lib/engine/types.js';
import { defaultConfig, TorConfig } from '../../lib/tor/schema/tor-config.js';

const signal = new AbortController().signal;
const bytes = new TextEncoder().encode('LogLevel debug\n');

function source(over: Partial<SnapshotSource>): SnapshotSource {
  return {
    name: '/hostile/torrc',
    look: () =>
      of<SourceState>({ kind: 'snapshot', version: 'v1', racy: false, read: () => EMPTY }),
    ...over,
  };
}

const boom = new Error('boom');

describe('guardSource', () => {
  const looks: Array<[string, () => Observable<SourceState>]> = [
    [
      'throws synchronously',
      () => {
        throw boom;
      },
    ],
    ['errors', () => throwError(() => boom)],
    ['completes without a value', () => EMPTY],
    ['returns something that is not an observable', () => 42 as unknown as Observable<SourceState>],
    ['emits a state of unknown kind', () => of({ kind: 'weird' } as unknown as SourceState)],
    [
      'emits a snapshot without a version',
      () => of({ kind: 'snapshot', racy: false, read: () => EMPTY } as unknown as SourceState),
    ],
    [
      'emits a snapshot whose readVerifies is not a boolean',
      () =>
        of({
          kind: 'snapshot',
          version: 'v1',
          racy: false,
          readVerifies: 'yes',
          read: () => EMPTY,
        } as unknown as SourceState),
    ],
    [
      'emits a problem without a rejection',
      () => of({ kind: 'problem' } as unknown as SourceState),
    ],
    ['emits null', () => of(null as unknown as SourceState)],
  ];
  for (const [how, look] of looks) {
    it(`turns a look() that ${how} into one internal problem state`, async () => {
      const states = await firstValueFrom(guardSource(source({ look })).look().pipe(toArray()));
      assert.equal(states.length, 1);
      const [state] = states;
      assert.ok(state?.kind === 'problem');
      assert.deepEqual([state.rejection.kind, state.rejection.cause], ['internal', 'look']);
      assert.match(state.rejection.reason, /^internal error in look of \/hostile\/torrc: /);
      assert.equal(state.rejection.path, '/hostile/torrc');
    });
  }

  it('keeps what a look() threw as the rejection error', async () => {
    const state = await firstValueFrom(
      guardSource(source({ look: () => throwError(() => boom) })).look(),
    );
    assert.ok(state.kind === 'problem');
    assert.equal(state.rejection.error, boom);
    assert.equal(state.rejection.reason, 'internal error in look of /hostile/torrc: boom');
  });

  it('takes only the first state of a look() that emits several, and passes good states through', async () => {
    const good: SourceState = {
      kind: 'snapshot',
      version: 'v1',
      racy: true,
      readVerifies: true,
      read: () => EMPTY,
    };
    const states = await firstValueFrom(
      guardSource(source({ look: () => of(good, good) }))
        .look()
        .pipe(toArray()),
    );
    assert.equal(states.length, 1);
    assert.ok(states[0]?.kind === 'snapshot');
    assert.deepEqual(
      [states[0].version, states[0].racy, states[0].readVerifies],
      ['v1', true, true],
    );
  });

  const reads: Array<[string, () => Observable<ReadResult>]> = [
    [
      'throws synchronously',
      () => {
        throw boom;
      },
    ],
    ['errors', () => throwError(() => boom)],
    ['completes without a value', () => EMPTY],
    [
      'gives a read without bytes',
      () => of({ kind: 'read', sha256: 'x' } as unknown as ReadResult),
    ],
  ];
  for (const [how, read] of reads) {
    it(`turns a snapshot read() that ${how} into an internal problem`, async () => {
      const guarded = guardSource(
        source({
          look: () => of<SourceState>({ kind: 'snapshot', version: 'v', racy: false, read }),
        }),
      );
      const state = await firstValueFrom(guarded.look());
      assert.ok(state.kind === 'snapshot');
      const result = await firstValueFrom(state.read());
      assert.ok(result.kind === 'problem');
      assert.deepEqual([result.rejection.kind, result.rejection.cause], ['internal', 'read']);
    });
  }

  const loads: Array<[string, Load<TorConfig>]> = [
    [
      'throws synchronously',
      () => {
        throw boom;
      },
    ],
    ['errors', () => throwError(() => boom)],
    [
      'returns something that is not an Either',
      () => of({ config: defaultConfig() } as unknown as E.Either<never, never>),
    ],
    [
      'returns a config that is not a TorConfig',
      () => of(E.right({ config: { LogLevel: 7 } as never, warnings: [], files: [], watched: [] })),
    ],
    [
      'returns a Right without files',
      () => of(E.right({ config: defaultConfig(), warnings: [] } as never)),
    ],
  ];
  for (const [how, load] of loads) {
    it(`turns a load that ${how} into an internal Left`, async () => {
      const result = await firstValueFrom(
        guardLoad('/hostile/torrc', load, TorConfig.is)(bytes, signal),
      );
      assert.ok(E.isLeft(result));
      assert.deepEqual([result.left.kind, result.left.cause], ['internal', 'decode']);
    });
  }

  it('turns an isConfig that throws into an internal Left keeping the error, and lets go of the load', async () => {
    const loaded = { config: defaultConfig(), warnings: [], files: ['/t'], watched: ['/t'] };
    const open = new Subject<E.Either<never, typeof loaded>>();
    const thrown = new Error('codec is() threw');
    const answer = firstValueFrom(
      guardLoad(
        '/t',
        () => open,
        () => {
          throw thrown;
        },
      )(bytes, signal),
    );
    open.next(E.right(loaded));
    const result = await answer;
    assert.ok(E.isLeft(result));
    assert.deepEqual([result.left.kind, result.left.cause], ['internal', 'decode']);
    assert.equal(result.left.error, thrown);
    // The first value is the answer: the load is unsubscribed, not left open.
    assert.equal(open.observed, false);
  });

  it('answers a look that emits while it is being subscribed, and unsubscribes it at once', async () => {
    let unsubscribed = 0;
    const state: SourceState = { kind: 'snapshot', version: 'v1', racy: false, read: () => EMPTY };
    const eager = new Observable<SourceState>((subscriber) => {
      subscriber.next(state);
      subscriber.next({ ...state, version: 'v2' });
      return () => {
        unsubscribed++;
      };
    });
    const states = await firstValueFrom(
      guardSource(source({ look: () => eager }))
        .look()
        .pipe(toArray()),
    );
    assert.deepEqual(
      states.map((s) => (s.kind === 'snapshot' ? s.version : s.kind)),
      ['v1'],
    );
    assert.equal(unsubscribed, 1);
  });

  it('without isConfig takes any config a load hands back: a load that checks its own (loadDocument)', async () => {
    const odd = { config: { LogLevel: 7 } as never, warnings: [], files: ['/t'], watched: ['/t'] };
    const result = await firstValueFrom(guardLoad('/t', () => of(E.right(odd)))(bytes, signal));
    assert.ok(E.isRight(result) && result.right === odd);
    // The shape of the rest is still checked.
    const noFiles = { config: defaultConfig(), warnings: [] } as never;
    const refused = await firstValueFrom(
      guardLoad('/t', () => of(E.right(noFiles)))(bytes, signal),
    );
    assert.ok(E.isLeft(refused) && refused.left.kind === 'internal');
  });

  it('passes a good load through untouched and unsubscribes from a plug-in that never ends', async () => {
    const config = defaultConfig();
    const loaded = { config, warnings: [], files: ['/t'], watched: ['/t'] };
    const result = await firstValueFrom(
      guardLoad('/t', () => of(E.right(loaded)), TorConfig.is)(bytes, signal),
    );
    assert.ok(E.isRight(result) && result.right === loaded);
    const open = new Subject<SourceState>();
    const sub = guardSource(source({ look: () => open }))
      .look()
      .subscribe();
    assert.equal(open.observed, true);
    sub.unsubscribe();
    assert.equal(open.observed, false);
    assert.ok(guardSource(source({ look: () => NEVER })).look());
  });

  it('describes errors that refuse to be described', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    assert.equal(describeError(hostile), 'an error that cannot be described');
    assert.equal(describeError('plain'), 'plain');
    assert.equal(internalRejection('/x', 'look', hostile).error, hostile);
  });

  it('passes change hints through; a hint stream that throws or errors ends as one unavailable hint', async () => {
    const good: ChangeHint[] = [{ kind: 'armed' }, { kind: 'changed' }];
    const passed = guardSource(source({ changeHints: () => of(...good) }));
    assert.deepEqual(
      await firstValueFrom(passed.changeHints?.(asyncScheduler).pipe(toArray()) ?? EMPTY),
      good,
    );
    for (const bad of [
      () => {
        throw boom;
      },
      () => throwError(() => boom),
      // A hint whose shape throws when it is looked at: the stream is broken from there.
      () =>
        of(
          new Proxy(
            {},
            {
              get() {
                throw boom;
              },
            },
          ) as ChangeHint,
          { kind: 'changed' } as ChangeHint,
        ),
    ]) {
      const hints = guardSource(source({ changeHints: bad })).changeHints?.(asyncScheduler);
      const all = await firstValueFrom((hints ?? EMPTY).pipe(toArray()));
      assert.deepEqual(
        all.map((h) => h.kind),
        ['unavailable'],
      );
      const [h] = all;
      assert.ok(h?.kind === 'unavailable');
      assert.match(h.reason, /internal error in changeHints of \/hostile\/torrc: boom/);
      assert.equal(h.error, boom);
    }
    assert.equal(guardSource(source({})).changeHints, undefined, 'no hints, none made up');
  });

  it('takes a hint of an unknown shape for a change (a look is always safe)', async () => {
    const odd = [null, 42, { kind: 'weird' }, { kind: 'unavailable', reason: 7 }];
    const hints = guardSource(
      source({ changeHints: () => of(...(odd as unknown as ChangeHint[])) }),
    ).changeHints?.(asyncScheduler);
    const all = await firstValueFrom((hints ?? EMPTY).pipe(toArray()));
    assert.deepEqual(all, [
      { kind: 'changed' },
      { kind: 'changed' },
      { kind: 'changed' },
      { kind: 'unavailable', reason: '7' },
    ]);
  });

  it('keeps a track() that throws or rejects from reaching the engine, and passes paths on', async () => {
    const told: Array<ReadonlyArray<string>> = [];
    const throwing = guardSource(
      source({
        track: (paths) => {
          told.push(paths);
          throw boom;
        },
      }),
    );
    await throwing.track?.(['/a']);
    const rejecting = guardSource(source({ track: () => Promise.reject(boom) }));
    await rejecting.track?.(['/b']);
    assert.deepEqual(told, [['/a']]);
    assert.equal(guardSource(source({})).track, undefined, 'a source without track gets none');
  });
});
