// What the fleet commands (push, history, rollback, status) share: where etcd is (`--etcd`), the
// config key (`--key`), one client per command closed at its end, and the one-line message for
// an etcd that does not answer.

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { checkFleetKey } from '../fleet/fleet-keys.js';
import { connectEtcd } from '../sources/etcd-connect.js';
import { UsageError } from './command.js';

/**
 * The parseArgs options every fleet command takes.
 * @example parseArgs({ args, options: { ...fleetArgs, force: { type: 'boolean' } }, strict: true })
 */
export const fleetArgs = {
  etcd: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * Where a fleet command goes.
 * @example const { hosts, key } = fleetTarget(values, 'push');
 */
export interface FleetTarget {
  readonly hosts: ReadonlyArray<string>;
  readonly key: string;
}

/**
 * `--etcd HOSTS` (comma-separated `host:port` or `http://host:port`) and `--key KEY`, checked:
 * a UsageError (exit 2) when one is missing or malformed.
 * @example fleetTarget({ etcd: '127.0.0.1:2379', key: '/hotrc/torrc' }, 'status') // { hosts: ['127.0.0.1:2379'], key: '/hotrc/torrc' }
 */
export function fleetTarget(
  values: { readonly etcd?: string | undefined; readonly key?: string | undefined },
  command: string,
): FleetTarget {
  if (values.etcd === undefined) throw new UsageError(`${command} needs --etcd HOSTS`);
  const hosts = values.etcd
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hosts.length === 0) throw new UsageError('--etcd needs at least one host:port');
  for (const h of hosts) {
    const port = /^(https?:\/\/)?[^\s/]+:([0-9]{1,5})$/.exec(h)?.[2];
    if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
      throw new UsageError(
        `--etcd: '${h}' is not host:port (or http://host:port), port 1 to 65535`,
      );
    }
  }
  if (values.key === undefined) throw new UsageError(`${command} needs --key KEY`);
  const key = checkFleetKey(values.key);
  if (E.isLeft(key)) throw new UsageError(`--key: ${key.left}`);
  return { hosts, key: key.right };
}

/**
 * Runs `use` with a new etcd client for `hosts`, closed after, whatever happens.
 * @example const r = await withEtcd(target.hosts, (client) => readFleetStatus(client, target.key));
 */
export async function withEtcd<T>(
  hosts: ReadonlyArray<string>,
  use: (client: Etcd3) => Promise<T>,
): Promise<T> {
  const client = await connectEtcd({ hosts });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/**
 * The one line a fleet command prints when etcd does not answer (it exits 69).
 * @example unreachableLine('push', ['127.0.0.1:2379'], '14 UNAVAILABLE: ...') // 'hotrc push: etcd unreachable at 127.0.0.1:2379: 14 UNAVAILABLE: ...\n'
 */
export function unreachableLine(
  command: string,
  hosts: ReadonlyArray<string>,
  message: string,
): string {
  return `hotrc ${command}: etcd unreachable at ${hosts.join(',')}: ${message}\n`;
}
