import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Subject, type Subscription } from 'rxjs';
import { loadFromFile, ReloadableConfig, type TorConfig } from '../../lib/index.js';
import { type BenchResult, target } from './bench-result.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchFanout runs. */
export interface FanoutOptions {
  readonly subscribers: number;
  /** Changes timed per side, the sides alternating; the first `warmups` are not counted. */
  readonly changes: number;
  readonly warmups: number;
}

const defaults: FanoutOptions = { subscribers: 10_000, changes: 31, warmups: 5 };

// Every subscriber adds to this, so no engine can prove the calls unused and skip them.
let sink = 0;

/**
 * `subscribers` observers of `source`: the first notes when the value reached it (the commit:
 * the first subscriber is called as the value is pushed), every one reads a field, the last
 * notes when it was called. Returns the span of the latest value and the teardown.
 */
function subscribeMany(
  source: { subscribe(next: (c: TorConfig) => void): Subscription },
  count: number,
): { span: () => number; unsubscribe: () => void } {
  let first = 0;
  let last = 0;
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    source.subscribe((c) => {
      first = performance.now();
      sink += c.CircuitPoolMaxSize;
    }),
  );
  for (let i = 2; i < count; i++) {
    subscriptions.push(
      source.subscribe((c) => {
        sink += c.CircuitPoolMaxSize;
      }),
    );
  }
  subscriptions.push(
    source.subscribe((c) => {
      sink += c.CircuitPoolMaxSize;
      last = performance.now();
    }),
  );
  return {
    span: () => last - first,
    unsubscribe: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}

/**
 * Benchmark 10, fan-out: one committed change delivered to `subscribers` subscribers of a real
 * ReloadableConfig's `config$` (a file rewritten, then `reload()`), timed from the first
 * subscriber being called (the commit pushing the new config) to the last one, against a bare
 * RxJS `Subject` with as many subscribers doing the same work, pushed the two configs in turn.
 * The sides alternate change by change, so drift weighs on both. Target: at most 1.5x the
 * bare Subject (config$ is a BehaviorSubject seen through asObservable: a wrapper per
 * subscriber, no operator per subscriber).
 * @example const result = await benchFanout(dir, { subscribers: 100, changes: 5 });
 */
export async function benchFanout(
  dir: string,
  options: Partial<FanoutOptions> = {},
): Promise<BenchResult> {
  const o: FanoutOptions = { ...defaults, ...options };
  const path = join(dir, 'torrc');
  const contents = [typicalTorrc(40), typicalTorrc(48)] as const;
  await writeFile(path, contents[0]);
  const configs = [await loadFromFile(path), undefined as TorConfig | undefined];
  const rc = new ReloadableConfig(configs[0] as TorConfig, path, undefined, {
    settleMs: 0,
    writeQuietMs: 0,
  });
  const subject = new Subject<TorConfig>();
  const hotrc = subscribeMany(rc.config$, o.subscribers);
  const bare = subscribeMany(subject, o.subscribers);
  const hotrcSpans: number[] = [];
  const bareSpans: number[] = [];
  const reloadMs: number[] = [];
  let notApplied = 0;
  try {
    for (let i = 1; i <= o.warmups + o.changes; i++) {
      await writeFile(path, contents[i % 2] as string);
      const asked = performance.now();
      const result = await rc.reload();
      const done = performance.now();
      if (result.status !== 'applied') notApplied++;
      const config = rc.get();
      configs[i % 2] = config;
      subject.next(config);
      if (i > o.warmups) {
        hotrcSpans.push(hotrc.span() * 1000);
        bareSpans.push(bare.span() * 1000);
        reloadMs.push(done - asked);
      }
    }
  } finally {
    hotrc.unsubscribe();
    bare.unsubscribe();
    await rc.stop();
  }
  if (sink === 0) throw new Error('bench: no subscriber was called');
  const measured = summarize(hotrcSpans, 'µs');
  const reference = summarize(bareSpans, 'µs');
  const ratio = measured.median / reference.median;
  return {
    id: 'fanout',
    title: `10. Fan-out of one change to ${o.subscribers} subscribers`,
    rows: [
      {
        name: `commit -> last of ${o.subscribers} subscribers`,
        subject: 'ReloadableConfig config$',
        baseline: 'bare RxJS Subject',
        measured,
        reference,
        ratio,
      },
    ],
    facts: [
      {
        label: 'per subscriber, config$',
        value: (measured.median * 1000) / o.subscribers,
        unit: 'ns',
      },
      {
        label: 'per subscriber, bare Subject',
        value: (reference.median * 1000) / o.subscribers,
        unit: 'ns',
      },
      {
        label: 'write + reload() to applied, with the subscribers',
        value: summarize(reloadMs, 'ms').median,
        unit: 'ms',
      },
    ],
    targets: [
      target(
        'fan-out to 10,000 config$ subscribers / bare Subject',
        ratio,
        '<=',
        1.5,
        'x',
        'config$ adds no work per subscriber beyond a Subject',
      ),
      target('changes not applied', notApplied, '==', 0, '', 'every write alternates the config'),
    ],
  };
}
