import { performance } from 'node:perf_hooks';
import type { Etcd3, Watcher } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { map, type Observable, type SchedulerLike, type Subscription, skip, tap } from 'rxjs';
import type { ChangeHint, SnapshotSource, SourceState } from '../../lib/core/source.js';
import { Reloadable } from '../../lib/engine/reloadable-config.js';
import { hostReport } from '../../lib/fleet/host-report.js';
import { HostReporter } from '../../lib/fleet/host-reporter.js';
import { loadFromEtcd } from '../../lib/fleet/load-from-etcd.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { type EtcdSource, etcdSource } from '../../lib/sources/etcd-source.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { EtcdServer, etcdBinary } from '../support/etcd.js';
import { sleep } from '../support/waiting.js';
import { type BenchResult, type Row, target } from './bench-result.js';
import { percentile, type Summary, summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchFleet runs. */
export interface FleetBenchOptions {
  /** hotrc hosts, and as many bare etcd3 watchers beside them. */
  readonly clients: number;
  /** Puts timed (after the warm-ups). */
  readonly puts: number;
  /** Puts done first and not counted. */
  readonly warmups: number;
}

const defaults: FleetBenchOptions = { clients: 5, puts: 150, warmups: 10 };

/** The key's poll: long, so that only the watch can explain a put applied within the run. */
const intervalMs = 60_000;

/** The typical torrc with eight more bridges: about 2 KB, CircuitPoolMaxSize = `poolMax`. */
export function fleetTorrc(poolMax: number): string {
  const bridges = Array.from(
    { length: 8 },
    (_, i) =>
      `Bridge obfs4 192.0.2.${20 + i}:443 ${String(i).repeat(40)} cert=abcdefghijklmnop${i} iat-mode=0\n`,
  ).join('');
  return typicalTorrc(poolMax) + bridges;
}

/** When one host saw one revision go by: the watch hint, the look (a `get`), the read, the commit. */
interface Seen {
  hint?: number;
  lookStart?: number;
  lookEnd?: number;
  read?: number;
  commit?: number;
}

/**
 * The etcd source with a stopwatch: it is the same source (every call goes to it), and notes
 * when a hint came, when a look began and ended with which version, and when that version was
 * read (handed to the decode). The engine is not touched.
 */
function timedSource(inner: EtcdSource, seen: (version: string) => Seen, hints: number[]) {
  const stamp = (): number => performance.now();
  const source: SnapshotSource = {
    name: inner.name,
    look(): Observable<SourceState> {
      const started = stamp();
      return inner.look().pipe(
        map((state): SourceState => {
          if (state.kind !== 'snapshot') return state;
          const s = seen(state.version);
          s.lookStart ??= started;
          s.lookEnd ??= stamp();
          return {
            ...state,
            read: () =>
              state.read().pipe(
                tap(() => {
                  s.read ??= stamp();
                }),
              ),
          };
        }),
      );
    },
    changeHints: (scheduler: SchedulerLike): Observable<ChangeHint> =>
      inner.changeHints(scheduler).pipe(
        tap((h) => {
          if (h.kind === 'changed') hints.push(stamp());
        }),
      ),
    health: () => inner.health(),
  };
  return source;
}

interface Host {
  readonly rc: Reloadable<TorConfig>;
  readonly reporter: HostReporter;
  readonly subscriptions: Subscription[];
  readonly seen: Map<string, Seen>;
  readonly hints: number[];
}

/** One hotrc host as joinFleet wires it (engine on the etcd source, record under a lease), timed. */
async function startHost(endpoint: string, key: string, name: string): Promise<Host> {
  const seen = new Map<string, Seen>();
  const hints: number[] = [];
  const of = (version: string) => {
    const s = seen.get(version) ?? {};
    seen.set(version, s);
    return s;
  };
  let committedAt: number | undefined;
  const started = await loadFromEtcd({ hosts: endpoint, key, profile: torProfile });
  if (E.isLeft(started)) throw started.left;
  const inner = etcdSource({ hosts: endpoint, key });
  const rc = new Reloadable<TorConfig>(started.right.loaded.config, key, undefined, {
    profile: torProfile,
    source: timedSource(inner, of, hints),
  });
  const reporter = new HostReporter({ hosts: endpoint, key, name });
  const subscriptions = [
    rc.status$.subscribe((status) =>
      reporter.report(hostReport(name, status, { from: 'etcd', at: new Date() })),
    ),
    // config$ emits in the commit itself, the moment the new config is live; changes$ follows
    // once status() names the version committed.
    rc.config$.pipe(skip(1)).subscribe(() => {
      committedAt = performance.now();
    }),
    rc.changes$.subscribe(() => {
      const version = rc.status().version;
      if (version !== undefined) of(version).commit ??= committedAt ?? performance.now();
      committedAt = undefined;
    }),
  ];
  rc.startWatcher(intervalMs);
  return { rc, reporter, subscriptions, seen, hints };
}

/** A bare etcd3 watcher on its own client: when each revision's put event arrived. */
async function bareWatcher(endpoint: string, key: string) {
  const client: Etcd3 = await connectEtcd({ hosts: endpoint });
  const arrived = new Map<string, number>();
  const watcher: Watcher = await client.watch().key(key).create();
  watcher.on('put', (kv) => {
    arrived.set(kv.mod_revision, performance.now());
  });
  watcher.on('error', () => {});
  return {
    arrived,
    stop: async () => {
      await watcher.cancel().catch(() => {});
      client.close();
    },
  };
}

const row = (name: string, subject: string, measured: Summary, reference: Summary): Row => ({
  name,
  subject,
  baseline: 'bare etcd3 watch',
  measured,
  reference,
  ratio: measured.median / reference.median,
});

/**
 * Benchmark: the fleet's put-to-applied. A real etcd (one member on loopback, EtcdServer), `clients`
 * hotrc hosts in this process (the engine on etcdSource with the Tor profile and a HostReporter,
 * as joinFleet wires them) and as many bare etcd3 watchers on the same key; `puts` values of
 * about 2 KB put one after another, each once every host and watcher has it. Timed from the put's
 * resolve: to each host's commit (put to applied, every host x put), to each bare watcher's put
 * event (etcd's own put to watch event, the baseline), and the host's time split into its steps:
 * watch hint, the look's `get`, read, decode + validate + commit.
 * @example const result = await benchFleet(dir); result.rows[0]?.ratio
 */
export async function benchFleet(
  _dir: string,
  options: Partial<FleetBenchOptions> = {},
): Promise<BenchResult> {
  const o: FleetBenchOptions = { ...defaults, ...options };
  const bin = etcdBinary();
  if (bin === undefined) throw new Error('no etcd binary here (apt-get install etcd-server)');
  const server = await EtcdServer.start(bin);
  const key = '/hotrc-bench/torrc';
  const writer = await connectEtcd({ hosts: server.endpoint });
  const hosts: Host[] = [];
  const watchers: Array<Awaited<ReturnType<typeof bareWatcher>>> = [];
  const applied: number[] = [];
  const noDecode: number[] = [];
  const toHint: number[] = [];
  const toLook: number[] = [];
  const getTime: number[] = [];
  const decodeTime: number[] = [];
  const bare: number[] = [];
  const putTime: number[] = [];
  try {
    await writer.put(key).value(fleetTorrc(32)).exec();
    for (let i = 0; i < o.clients; i++) {
      hosts.push(await startHost(server.endpoint, key, `bench-${i + 1}`));
      watchers.push(await bareWatcher(server.endpoint, key));
    }
    // Every host has had its first look (its version set) before the first put.
    const deadline = Date.now() + 10_000;
    while (hosts.some((h) => h.rc.status().version === undefined)) {
      if (Date.now() > deadline) throw new Error('bench: a host never looked at the key');
      await sleep(10);
    }
    for (let i = 0; i < o.warmups + o.puts; i++) {
      const text = fleetTorrc(33 + (i % 200));
      const issued = performance.now();
      const revision = (await writer.put(key).value(text).exec()).header.revision;
      const resolved = performance.now();
      const until = Date.now() + 5000;
      while (
        hosts.some((h) => h.seen.get(revision)?.commit === undefined) ||
        watchers.some((w) => !w.arrived.has(revision))
      ) {
        if (Date.now() > until) {
          const errors = hosts.map((h) => h.rc.status().lastError?.reason).filter(Boolean);
          throw new Error(`bench: put ${i} (revision ${revision}) not applied in 5 s ${errors}`);
        }
        await sleep(1);
      }
      if (i < o.warmups) continue;
      putTime.push(resolved - issued);
      for (const w of watchers) bare.push((w.arrived.get(revision) as number) - resolved);
      for (const h of hosts) {
        const s = h.seen.get(revision) as Required<Seen>;
        const hint = h.hints.find((t) => t >= issued) ?? Number.NaN;
        applied.push(s.commit - resolved);
        noDecode.push(s.lookEnd - resolved);
        toHint.push(hint - resolved);
        toLook.push(s.lookStart - hint);
        getTime.push(s.lookEnd - s.lookStart);
        decodeTime.push(s.commit - s.read);
      }
      // An uneven pause, so puts do not line up with any timer.
      await sleep(5 + ((i * 0.618034) % 1) * 20);
    }
  } finally {
    for (const h of hosts) for (const s of h.subscriptions) s.unsubscribe();
    await Promise.all(hosts.map((h) => h.rc.stop()));
    await Promise.all(hosts.map((h) => h.reporter.stop()));
    await Promise.all(watchers.map((w) => w.stop()));
    writer.close();
    await server.stop();
  }
  const measured = summarize(applied, 'ms');
  const reference = summarize(bare, 'ms');
  const withoutDecode = summarize(noDecode, 'ms');
  const p = (xs: number[], q: number) => percentile(xs, q);
  return {
    id: 'fleet',
    title: `Fleet: put -> applied on ${o.clients} in-process hosts, ${o.puts} puts of ${fleetTorrc(33).length} B (real etcd on loopback)`,
    rows: [
      row(`put -> applied (${applied.length} host x put)`, 'hotrc host', measured, reference),
      row('put -> value read (decode excluded)', 'hotrc host', withoutDecode, reference),
    ],
    facts: [
      { label: 'put -> applied p50', value: p(applied, 0.5), unit: 'ms' },
      { label: 'put -> applied p99', value: p(applied, 0.99), unit: 'ms' },
      { label: 'put -> watch event (bare) p50', value: p(bare, 0.5), unit: 'ms' },
      { label: 'put -> watch event (bare) p99', value: p(bare, 0.99), unit: 'ms' },
      { label: 'put -> value read, decode excluded, p50', value: p(noDecode, 0.5), unit: 'ms' },
      { label: 'put -> value read, decode excluded, p99', value: p(noDecode, 0.99), unit: 'ms' },
      { label: 'step: put -> watch hint p50', value: p(toHint, 0.5), unit: 'ms' },
      { label: 'step: hint -> look starts p50', value: p(toLook, 0.5), unit: 'ms' },
      { label: 'step: the look (get) p50', value: p(getTime, 0.5), unit: 'ms' },
      {
        label: 'step: read -> commit (decode, validate, apply) p50',
        value: p(decodeTime, 0.5),
        unit: 'ms',
      },
      { label: 'step: read -> commit p99', value: p(decodeTime, 0.99), unit: 'ms' },
      { label: 'the put itself (issue -> resolve) p50', value: p(putTime, 0.5), unit: 'ms' },
    ],
    targets: [
      target(
        'fleet put -> applied p50',
        p(applied, 0.5),
        '<',
        1000,
        'ms',
        'issue 9: applied everywhere within a second',
      ),
    ],
  };
}
