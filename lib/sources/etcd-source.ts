// A SnapshotSource on one etcd key: the version is the key's mod_revision, the bytes are its
// value. A look is one linearizable `get` (with a deadline), so a look can never be wrong for
// long, except that a put event newer than anything served is served as it came (it is etcd's
// committed history; a `get` would only repeat it). FLEET.md found that the etcd3 client's watch
// loses events around reconnections and dies for good on compaction, so the watch is never
// trusted to be complete: a `get` on every (re)connection, on a jittered period and after a
// delete, and on any watch error the client is thrown away and a new one made, after a backoff.
import { createHash } from 'node:crypto';
import type { Etcd3, IKeyValue, IRangeResponse, Watcher } from 'etcd3';
import {
  BehaviorSubject,
  defer,
  filter,
  map,
  merge,
  Observable,
  of,
  repeat,
  type SchedulerLike,
  type Subscription,
  timer,
} from 'rxjs';
import type {
  ChangeHint,
  ReadResult,
  RejectionFields,
  SnapshotSource,
  SourceHealth,
  SourceState,
} from '../core/source.js';
import { timerDelay } from '../core/timer-delay.js';
import { jittered, nextBackoff } from './etcd-backoff.js';
import { EtcdClientHolder } from './etcd-client-holder.js';
import {
  connectEtcd,
  defaultMaxValueBytes,
  type EtcdConnection,
  etcdFailure,
  etcdHosts,
} from './etcd-connect.js';

/**
 * Everything an etcd source can be tuned with, besides where etcd is (EtcdConnection).
 * @example const o: Partial<EtcdSourceOptions> = { key: '/hotrc/torrc', resyncMs: 10_000 };
 */
export interface EtcdSourceOptions extends EtcdConnection {
  /** The key whose value is the config's text. */
  readonly key: string;
  /** A larger value is refused (kind `security`) before it is decoded. Default 1 MiB. */
  readonly maxBytes: number;
  /**
   * The safety-net look, about this often (ms, spread ±20% per host): it finds what a watch that
   * hangs (a partitioned member) or drops an event never tells. Default 30000.
   */
  readonly resyncMs: number;
  /** The first wait before a new watch after one failed (ms). Default 100. */
  readonly backoffMinMs: number;
  /** The longest wait between two watch attempts while etcd is away (ms). Default 5000. */
  readonly backoffMaxMs: number;
  /** The random numbers of the jitter (0 <= r < 1). Default Math.random. */
  readonly random: () => number;
  /** The clock of `health().since` (ms since the epoch). Default Date.now. */
  readonly now: () => number;
}

/**
 * The options as given: `hosts` and `key` required, the rest from the defaults.
 * @example etcdSource({ hosts: ['10.0.0.1:2379', '10.0.0.2:2379'], key: '/hotrc/torrc' })
 */
export type EtcdSourceInput = Partial<EtcdSourceOptions> & Pick<EtcdSourceOptions, 'hosts' | 'key'>;

/**
 * An etcd source, and what the fleet needs to know of it besides a SnapshotSource.
 * @example const source = etcdSource({ hosts, key }); source.valueAt(rc.status().version ?? '')
 */
export interface EtcdSource extends SnapshotSource {
  readonly key: string;
  readonly hosts: ReadonlyArray<string>;
  /** The highest mod_revision seen so far (it only moves forward), or undefined. */
  readonly revision: string | undefined;
  /**
   * The value of a version this source served lately (the last few), e.g. to keep the applied
   * one in a cache file; undefined when it is not one of them.
   */
  valueAt(version: string): { readonly bytes: Uint8Array; readonly sha256: string } | undefined;
  changeHints(scheduler: SchedulerLike): Observable<ChangeHint>;
  health(): Observable<SourceHealth>;
}

/**
 * The defaults of every option but `hosts` and `key`.
 * @example etcdSourceDefaults.resyncMs // 30000
 */
export const etcdSourceDefaults = Object.freeze({
  maxBytes: defaultMaxValueBytes,
  resyncMs: 30_000,
  backoffMinMs: 100,
  backoffMaxMs: 5000,
  random: Math.random,
  now: Date.now,
});

const knownOptions: ReadonlySet<string> = new Set([
  ...Object.keys(etcdSourceDefaults),
  'hosts',
  'key',
  'tls',
  'auth',
  'callTimeoutMs',
]);

/** How many recent values valueAt remembers. */
const remembered = 4;

const changed: ChangeHint = { kind: 'changed' };
const armed: ChangeHint = { kind: 'armed' };

/**
 * Completes and checks the options once; anything wrong is a programmer error (TypeError).
 * @example resolveEtcdSourceOptions({ hosts: '127.0.0.1:2379', key: '/k' }).maxBytes // 1048576
 */
export function resolveEtcdSourceOptions(input: EtcdSourceInput): EtcdSourceOptions {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('etcdSource options must be an object');
  }
  for (const name of Object.keys(input)) {
    if (!knownOptions.has(name)) throw new TypeError(`unknown etcdSource option '${name}'`);
  }
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const o = { ...etcdSourceDefaults, ...defined } as EtcdSourceOptions;
  if (etcdHosts(o.hosts).length === 0) {
    throw new TypeError('etcdSource needs hosts: "host:port" or a non-empty list of them');
  }
  if (typeof o.key !== 'string' || o.key === '') {
    throw new TypeError('etcdSource needs a key (a non-empty string)');
  }
  if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes <= 0) {
    throw new TypeError(`maxBytes must be a whole number of bytes > 0, got ${String(o.maxBytes)}`);
  }
  for (const name of ['resyncMs', 'backoffMinMs', 'backoffMaxMs', 'callTimeoutMs'] as const) {
    const v = o[name];
    if (v === undefined && name === 'callTimeoutMs') continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new TypeError(`${name} must be a number of ms > 0, got ${String(v)}`);
    }
  }
  if (o.backoffMaxMs < o.backoffMinMs) {
    throw new TypeError(
      `backoffMaxMs (${o.backoffMaxMs}) must not be less than backoffMinMs (${o.backoffMinMs})`,
    );
  }
  if (typeof o.random !== 'function' || typeof o.now !== 'function') {
    throw new TypeError('random and now must be functions');
  }
  return Object.freeze(o);
}

/**
 * The config in one etcd key, as a SnapshotSource for `options.source` (any profile).
 * - look(): the value of the newest put event not yet served, else one linearizable `get` with
 *   a deadline. A missing key is an `io` problem of cause
 *   `missing` (the last good config stays, "disappeared" is logged once); etcd out of reach is
 *   `io`/`unreachable`, naming the hosts; a value over `maxBytes` is refused as `security`/
 *   `too-large` before it is decoded. The mod_revision served only moves forward: a lagging
 *   member's older answer serves the newest value seen instead.
 * - changeHints(): a watch on the key. Every (re)connection hints `armed` and `changed` (a look:
 *   events around a reconnection are lost otherwise); any watch error (compaction cancels it)
 *   hints `unavailable` and `changed`, and after a backoff with jitter a new client and watch
 *   are made; a jittered periodic `changed` is the safety-net look.
 * - health(): reachable or not, since when, and why; the client behind looks is held only while
 *   health() (the engine subscribes for its life) or a look is, so `stop()` releases everything.
 * @example
 * const source = etcdSource({ hosts: '127.0.0.1:2379', key: '/hotrc/app' });
 * const rc = new Reloadable(initial, source.name, logger, { profile, source });
 */
export function etcdSource(input: EtcdSourceInput): EtcdSource {
  return new EtcdKeySource(resolveEtcdSourceOptions(input));
}

class EtcdKeySource implements EtcdSource {
  readonly name: string;
  /** Its bytes are the whole config: a torrc's %include is refused, never read from this host. */
  readonly selfContained = true;
  readonly key: string;
  readonly hosts: ReadonlyArray<string>;
  readonly #o: EtcdSourceOptions;
  readonly #connection: EtcdConnection;
  readonly #reader: EtcdClientHolder;
  readonly #health = new BehaviorSubject<SourceHealth | undefined>(undefined);
  #highest: bigint | undefined;
  /** How many times etcd answered (a get, the watch connecting, a put event). */
  #contacts = 0;
  /** How many times #highest has moved: a get issued after its last move must see at least it. */
  #moves = 0;
  /** The newest put event of the watch not looked at yet. */
  #event: { readonly revision: bigint; readonly bytes: Uint8Array } | undefined;
  /** The newest values served, newest last. */
  #values: Array<{ version: string; bytes: Uint8Array; sha256?: string }> = [];

  constructor(o: EtcdSourceOptions) {
    this.#o = o;
    this.key = o.key;
    this.name = o.key;
    this.hosts = etcdHosts(o.hosts);
    this.#connection = {
      hosts: o.hosts,
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      ...(o.auth === undefined ? {} : { auth: o.auth }),
      ...(o.callTimeoutMs === undefined ? {} : { callTimeoutMs: o.callTimeoutMs }),
    };
    this.#reader = new EtcdClientHolder(this.#connection);
  }

  get revision(): string | undefined {
    return this.#highest === undefined ? undefined : String(this.#highest);
  }

  valueAt(version: string): { readonly bytes: Uint8Array; readonly sha256: string } | undefined {
    const found = this.#values.find((v) => v.version === version);
    return found === undefined ? undefined : { bytes: found.bytes, sha256: this.#sha256(found) };
  }

  look(): Observable<SourceState> {
    // A put event newer than anything served carries the value at its mod_revision: etcd's own
    // committed history, so it is served as it is, and the `get` (a round trip per host per put,
    // about half of put-to-applied on loopback: benchFleet) is saved. Reconnections, resyncs and
    // deletes still look with a `get`, since those are what the watch can miss.
    const event = this.#event;
    this.#event = undefined;
    if (event !== undefined && (this.#highest === undefined || event.revision > this.#highest)) {
      return of(this.#served(event.revision, event.bytes));
    }
    return new Observable<SourceState>((subscriber) => {
      let open = true;
      const moves = this.#moves;
      const contacts = this.#contacts;
      this.#reader
        .use((client) => client.get(this.key).exec())
        .then(
          (response) => {
            this.#reachable();
            return this.#stateOf(response, moves === this.#moves);
          },
          (err: unknown) => {
            this.#reader.reset();
            return this.#unreachable(err, contacts === this.#contacts);
          },
        )
        .then((state) => {
          if (!open) return;
          subscriber.next(state);
          subscriber.complete();
        });
      return () => {
        open = false;
      };
    });
  }

  changeHints(scheduler: SchedulerLike): Observable<ChangeHint> {
    const resync$ = defer(() =>
      timer(timerDelay(jittered(this.#o.resyncMs, this.#o.random)), scheduler),
    ).pipe(
      repeat(),
      map(() => changed),
    );
    return merge(this.#watchHints(scheduler), resync$);
  }

  health(): Observable<SourceHealth> {
    return new Observable<SourceHealth>((subscriber) => {
      const release = this.#reader.hold();
      const subscription = this.#health
        .pipe(filter((h): h is SourceHealth => h !== undefined))
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }

  // `after`: the get was issued after #highest last moved. A linearizable get issued after a
  // revision was seen answers at that revision or later; a store below it was restored from a
  // backup (its cluster and member IDs are the same then) or is another cluster. Served as it
  // is from then on: otherwise every put made after the restore, at revisions below the old
  // highest, would be taken for an old answer, and no push would ever reach this host again.
  #stateOf(response: IRangeResponse, after: boolean): SourceState {
    const kv = response.kvs[0];
    const at = BigInt(response.header.revision);
    const highest = this.#highest;
    if (highest !== undefined && after && at < highest) {
      this.#wentBack(`its revision went back from ${highest} to ${at}`);
    } else if (
      highest !== undefined &&
      after &&
      kv !== undefined &&
      BigInt(kv.mod_revision) < highest
    ) {
      // The store went past R again meanwhile (other keys' puts), but this key was last put at
      // R, and a linearizable answer cannot show it older than that within one history.
      this.#wentBack(`key ${this.key} went back from revision ${highest} to ${kv.mod_revision}`);
    } else if (
      highest !== undefined &&
      (kv === undefined ? at < highest : BigInt(kv.mod_revision) < highest)
    ) {
      // Move only forward: a get answered before a newer put event was served (or one from a
      // member behind it) would take the config back; the newest value seen is served instead.
      const newest = this.#values.at(-1);
      if (newest !== undefined) return this.#snapshot(newest);
    }
    if (kv === undefined) {
      return {
        kind: 'problem',
        rejection: {
          kind: 'io',
          cause: 'missing',
          reason: `etcd key ${this.key} does not exist`,
          path: this.name,
          problems: [],
        },
      };
    }
    return this.#served(BigInt(kv.mod_revision), kv.value);
  }

  #wentBack(what: string): void {
    this.#highest = undefined;
    this.#moves++;
    this.#event = undefined;
    // Versions are revisions: a value remembered at a revision the restored store reuses is not
    // the value there now.
    this.#values = [];
    const was = this.#health.value;
    this.#health.next({
      reachable: true,
      since: was?.reachable === true ? was.since : this.#o.now(),
      detail: `etcd at ${this.hosts.join(', ')}: ${what} (restored from a backup?); following it`,
    });
  }

  #served(revision: bigint, bytes: Uint8Array): SourceState {
    if (revision !== this.#highest) this.#moves++;
    this.#highest = revision;
    const version = String(revision);
    if (this.#values.at(-1)?.version !== version) {
      this.#values = [...this.#values.slice(1 - remembered), { version, bytes }];
    }
    return this.#snapshot(this.#values.at(-1) as { version: string; bytes: Uint8Array });
  }

  #snapshot(value: { version: string; bytes: Uint8Array; sha256?: string }): SourceState {
    return {
      kind: 'snapshot',
      version: value.version,
      racy: false,
      waitMs: 0,
      read: () => of(this.#read(value)),
    };
  }

  #read(value: { version: string; bytes: Uint8Array; sha256?: string }): ReadResult {
    const size = value.bytes.length;
    if (size > this.#o.maxBytes) {
      return {
        kind: 'problem',
        rejection: {
          kind: 'security',
          cause: 'too-large',
          reason: `etcd key ${this.key} holds ${size} bytes, more than maxBytes (${this.#o.maxBytes}): refused unread`,
          path: this.name,
          problems: [],
        },
      };
    }
    return { kind: 'read', bytes: value.bytes, sha256: this.#sha256(value) };
  }

  #sha256(value: { bytes: Uint8Array; sha256?: string }): string {
    value.sha256 ??= createHash('sha256').update(value.bytes).digest('hex');
    return value.sha256;
  }

  // `current`: nothing reached etcd since this call was made. A call that hung through an outage
  // and fails after the watch is back says nothing of now, so health stays reachable.
  #unreachable(err: unknown, current: boolean): SourceState {
    const rejection: RejectionFields = {
      kind: 'io',
      cause: 'unreachable',
      reason: `cannot reach etcd at ${this.hosts.join(', ')} for key ${this.key}: ${etcdFailure(err)}`,
      path: this.name,
      problems: [],
      error: err,
    };
    if (current) this.#setHealth(false, rejection.reason);
    return { kind: 'problem', rejection };
  }

  #reachable(): void {
    this.#contacts++;
    this.#setHealth(true, `etcd at ${this.hosts.join(', ')}`);
  }

  #setHealth(reachable: boolean, detail: string): void {
    const was = this.#health.value;
    if (was !== undefined && was.reachable === reachable && (reachable || was.detail === detail)) {
      return;
    }
    const since = was !== undefined && was.reachable === reachable ? was.since : this.#o.now();
    this.#health.next({ reachable, since, detail });
  }

  // One watch at a time, each on its own client; a failed one is dropped with its client (a new
  // watch on the old client was never created after a compaction: FLEET.md).
  #watchHints(scheduler: SchedulerLike): Observable<ChangeHint> {
    return new Observable<ChangeHint>((subscriber) => {
      let closed = false;
      let generation = 0;
      let delay: number | undefined;
      let current: { client: Etcd3; watcher: Watcher } | undefined;
      let retry: Subscription | undefined;

      const drop = () => {
        const was = current;
        current = undefined;
        if (was === undefined) return;
        // Cancelled before the client is closed: a watcher left on a closed client retries
        // forever. Its late events go nowhere ('error' needs a listener, or it throws).
        was.watcher.removeAllListeners();
        was.watcher.on('error', () => {});
        void was.watcher.cancel().catch(() => {});
        was.client.close();
      };

      const fail = (gen: number, err: unknown) => {
        // Each failure is told twice (disconnected, then the stream's end): once is enough.
        if (closed || gen !== generation) return;
        generation++;
        drop();
        this.#event = undefined;
        subscriber.next({
          kind: 'unavailable',
          reason: `the etcd watch on ${this.key} failed (${etcdFailure(err)}); watching again`,
          error: err,
        });
        // A change may have been missed meanwhile, and a look says whether etcd is reachable.
        subscriber.next(changed);
        delay = nextBackoff(
          delay,
          { minMs: this.#o.backoffMinMs, maxMs: this.#o.backoffMaxMs },
          this.#o.random,
        );
        retry = scheduler.schedule(() => start(), timerDelay(delay));
      };

      const start = () => {
        const gen = ++generation;
        connectEtcd(this.#connection).then(
          (client) => {
            if (closed || gen !== generation) {
              client.close();
              return;
            }
            // No start revision: one from memory may be compacted, and the watch would fail
            // again at once, forever. The look on `connected` covers what came before.
            const watcher = client.watch().key(this.key).watcher();
            current = { client, watcher };
            watcher.on('connected', () => {
              if (gen !== generation) return;
              delay = undefined;
              this.#reachable();
              subscriber.next(armed);
              subscriber.next(changed);
            });
            const hint = () => gen === generation && subscriber.next(changed);
            watcher.on('put', (kv: IKeyValue) => {
              if (gen !== generation) return;
              // etcd is answering: a put served from its event makes no get that would say so.
              this.#reachable();
              const revision = BigInt(kv.mod_revision);
              if (this.#event === undefined || revision > this.#event.revision) {
                this.#event = { revision, bytes: kv.value };
              }
              hint();
            });
            watcher.on('delete', () => {
              // A delete is looked at with a `get`, never hidden behind an older put.
              this.#event = undefined;
              hint();
            });
            watcher.on('disconnected', (err: unknown) => fail(gen, err));
            watcher.on('error', (err: unknown) => fail(gen, err));
            watcher.on('end', () => fail(gen, new Error('the watch ended')));
          },
          (err: unknown) => fail(gen, err),
        );
      };

      start();
      return () => {
        closed = true;
        generation++;
        retry?.unsubscribe();
        drop();
      };
    });
  }
}
