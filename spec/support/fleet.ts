// Fleet hosts for the specs: in-process hosts (joinFleet with the Tor profile, short timings),
// `hotrc watch --etcd` children, and reading what they wrote back from etcd.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { decodeHostReport, type HostReport } from '../../lib/fleet/host-report.js';
import { type FleetHost, type JoinFleetOptions, joinFleet } from '../../lib/fleet/join-fleet.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { cliMain, tsxLoader } from './cli.js';
import { type LogSink, logSink } from './log-sink.js';
import { sleep, WAIT } from './waiting.js';

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Short timings, so that a fault is recovered from in well under a second. */
export const fast = Object.freeze({
  intervalMs: 300,
  resyncMs: 400,
  backoffMinMs: 20,
  backoffMaxMs: 250,
  callTimeoutMs: 700,
  leaseTtlSec: 2,
});

/** A torrc that differs by one reloadable value. */
export const torrc = (minutes: number) => `LogLevel info\nMaxCircuitDirtiness ${minutes} minutes\n`;

/** Puts `text` at `key`; resolves with the put's revision (the value's mod_revision). */
export async function put(client: Etcd3, key: string, text: string | Buffer): Promise<string> {
  return (await client.put(key).value(text).exec()).header.revision;
}

export interface TestHost {
  readonly host: FleetHost<TorConfig>;
  readonly log: LogSink;
}

/** An in-process host on `endpoint`, with the fast timings unless overridden. */
export async function startHost(
  endpoint: string,
  key: string,
  name: string,
  extra: Partial<JoinFleetOptions<TorConfig>> = {},
): Promise<TestHost> {
  const log = logSink('debug');
  const host = await joinFleet<TorConfig>({
    hosts: endpoint,
    key,
    name,
    profile: torProfile,
    logger: log.logger,
    ...fast,
    ...extra,
  });
  return { host, log };
}

/** Whether a host runs `revision` of `text` (version and sha256 of its status). */
export const runs = (h: TestHost, revision: string, text: string) =>
  h.host.rc.status().version === revision && h.host.rc.status().sha256 === sha(text);

/** Every host record under KEY/status/, by name (records that do not decode are left out). */
export async function records(client: Etcd3, key: string): Promise<Map<string, HostReport>> {
  const all = await client.getAll().prefix(fleetKeys(key).statusPrefix).strings();
  const found = new Map<string, HostReport>();
  for (const [k, v] of Object.entries(all)) {
    const r = decodeHostReport(v);
    if (E.isRight(r)) found.set(k.slice(fleetKeys(key).statusPrefix.length), r.right);
  }
  return found;
}

export interface WatchChild {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `hotrc watch ...args` as a child process, its JSON lines parsed as they come. */
export function watchChild(...args: string[]): WatchChild {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliMain, 'watch', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ raw: p });
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, lines, stderr: () => stderr, exited };
}

/** Resolves with the first value of `get()` that satisfies `test`, polling every 20 ms; rejects after WAIT. */
export async function eventuallyAsync<T>(
  get: () => Promise<T>,
  test: (v: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const v = await get();
    if (test(v)) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v)}`,
      );
    await sleep(20);
  }
}

/** The record of `name`, once it satisfies `test`. */
export function recordOf(
  client: Etcd3,
  key: string,
  name: string,
  test: (r: HostReport | undefined) => boolean,
  what: string,
): Promise<HostReport | undefined> {
  return eventuallyAsync(async () => (await records(client, key)).get(name), test, what);
}
