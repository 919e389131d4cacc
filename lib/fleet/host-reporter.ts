// One host's record under `KEY/status/NAME`, bound to a lease so that a host that dies
// disappears by itself. FLEET.md found that status writes retried after errors pile up, burn
// CPU and delay SIGTERM: here one write is in flight at most, the newest record wins, a record
// equal to the last one written (but for its time) is not written, and retries back off.
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from 'pino';
import {
  asyncScheduler,
  firstValueFrom,
  ReplaySubject,
  type SchedulerLike,
  takeUntil,
  timer,
} from 'rxjs';
import { timerDelay } from '../core/timer-delay.js';
import { moduleLogger } from '../engine/log.js';
import { nextBackoff } from '../sources/etcd-backoff.js';
import { connectEtcd, type EtcdConnection } from '../sources/etcd-connect.js';
import { fleetKeys } from './fleet-keys.js';
import { fleetMessages } from './fleet-log.js';
import { encodeHostReport, type HostReport } from './host-report.js';

/**
 * Where and how a host writes its record.
 * @example const o: HostReporterOptions = { hosts: '127.0.0.1:2379', key: '/hotrc/torrc', name: 'web-1' };
 */
export interface HostReporterOptions extends EtcdConnection {
  /** The config key (the record goes to `KEY/status/NAME`). */
  readonly key: string;
  /** This host's name (checked with checkHostName by the caller). */
  readonly name: string;
  /** The lease's TTL (s): how long a dead host's record outlives it. Default 5. */
  readonly leaseTtlSec?: number;
  /** The first and the longest wait before a failed write is tried again (ms). Default 200, 5000. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly logger?: Logger | undefined;
  /** Times the retries. Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

// A record's content, but for the time it was made: what decides whether to write it again.
const contentOf = (r: HostReport) => encodeHostReport({ ...r, at: '' });

/**
 * Writes a host's record under its lease, one write at a time, newest first; re-grants the lease
 * and writes the record again when the lease is lost; revokes it on stop(), so the record goes
 * at once.
 * @example
 * const reporter = new HostReporter({ hosts, key, name: 'web-1' });
 * rc.status$.subscribe((s) => reporter.report(hostReport('web-1', s, { from: 'etcd', at: new Date() })));
 * await reporter.stop();
 */
export class HostReporter {
  /** The record's key: `KEY/status/NAME`. */
  readonly statusKey: string;
  readonly #connection: EtcdConnection;
  readonly #ttl: number;
  readonly #retry: { minMs: number; maxMs: number };
  readonly #log: Logger;
  readonly #scheduler: SchedulerLike;
  readonly #stop = new ReplaySubject<void>(1);
  #client: Promise<Etcd3> | undefined;
  #lease: Lease | undefined;
  #wanted: HostReport | undefined;
  /** The content last written under the current lease. */
  #written: string | undefined;
  #running: Promise<void> | undefined;
  #busy = false;
  #stopping: Promise<void> | undefined;
  #failing = false;

  constructor(options: HostReporterOptions) {
    this.statusKey = fleetKeys(options.key).status(options.name);
    this.#connection = {
      hosts: options.hosts,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
    };
    this.#ttl = options.leaseTtlSec ?? 5;
    if (!Number.isInteger(this.#ttl) || this.#ttl < 1) {
      throw new TypeError(`leaseTtlSec must be a whole number of seconds >= 1, got ${this.#ttl}`);
    }
    this.#retry = { minMs: options.retryMinMs ?? 200, maxMs: options.retryMaxMs ?? 5000 };
    this.#log = moduleLogger(options.logger);
    this.#scheduler = options.scheduler ?? asyncScheduler;
  }

  /** The newest record wanted (written, or waiting to be). */
  get wanted(): HostReport | undefined {
    return this.#wanted;
  }

  /** Asks for `record` to be written; a newer call before the write starts replaces it. */
  report(record: HostReport): void {
    if (this.#stopping !== undefined) return;
    this.#wanted = record;
    this.#kick();
  }

  /**
   * Stops writing: waits for the write in flight (it has a deadline), revokes the lease (the
   * record is deleted at once) and closes the client. Always resolves; idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stop.next();
      this.#stop.complete();
      await this.#running;
      const lease = this.#lease;
      this.#lease = undefined;
      await lease?.revoke().catch(() => lease.release());
      const client = this.#client;
      this.#client = undefined;
      await client?.then(
        (c) => c.close(),
        () => {},
      );
    })();
    return this.#stopping;
  }

  #kick(): void {
    if (!this.#busy) this.#running = this.#writeLoop();
  }

  // `busy` is cleared in the same synchronous step as the last check for a record to write, so a
  // report() that comes after that check always starts a new loop (a flag cleared in a later
  // `.finally` would lose it).
  async #writeLoop(): Promise<void> {
    this.#busy = true;
    try {
      let delay: number | undefined;
      while (this.#stopping === undefined) {
        const wanted = this.#wanted;
        if (wanted === undefined || contentOf(wanted) === this.#written) return;
        try {
          const lease = this.#currentLease(await this.#connect());
          await lease.put(this.statusKey).value(encodeHostReport(wanted)).exec();
          if (lease === this.#lease) this.#written = contentOf(wanted);
          if (this.#failing) this.#failing = false;
          delay = undefined;
          this.#log.debug(
            { key: this.statusKey, revision: wanted.revision },
            fleetMessages.statusWritten,
          );
        } catch (err) {
          if (!this.#failing) {
            this.#failing = true;
            this.#log.warn({ key: this.statusKey, err }, fleetMessages.statusWriteFailed);
          }
          // The lease may be what failed (granted on a member that died): start from a new one.
          this.#dropLease();
          delay = nextBackoff(delay, this.#retry, Math.random);
          await firstValueFrom(
            timer(timerDelay(delay), this.#scheduler).pipe(takeUntil(this.#stop)),
            {
              defaultValue: undefined,
            },
          );
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  #connect(): Promise<Etcd3> {
    this.#client ??= connectEtcd(this.#connection);
    return this.#client;
  }

  #currentLease(client: Etcd3): Lease {
    if (this.#lease !== undefined) return this.#lease;
    const lease = client.lease(this.#ttl, { autoKeepAlive: true });
    lease.on('lost', () => {
      if (lease !== this.#lease) return;
      // A lease that never held the record (its grant failed: etcd away) is no news.
      if (this.#written !== undefined) {
        this.#log.warn({ key: this.statusKey }, fleetMessages.statusLeaseLost);
      }
      this.#lease = undefined;
      this.#written = undefined;
      this.#kick();
    });
    this.#lease = lease;
    this.#written = undefined;
    return lease;
  }

  #dropLease(): void {
    const lease = this.#lease;
    this.#lease = undefined;
    this.#written = undefined;
    // Not revoked: etcd may be away; unkept, it expires by itself.
    lease?.release();
  }
}
