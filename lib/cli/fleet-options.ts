// What the fleet commands (push, history, rollback, status, and watch --etcd) share: where etcd
// is (`--etcd`), the config key (`--key`), how to get in (TLS, authentication), one client per
// command closed at its end, and the one-line message for an etcd that does not answer.

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { checkFleetKey } from '../fleet/fleet-keys.js';
import { connectEtcd, type EtcdConnection } from '../sources/etcd-connect.js';
import { readCappedSync } from '../sources/local-fs.js';
import { UsageError } from './command.js';

/**
 * The parseArgs options that say how to reach a secured etcd (see etcdSecurity).
 * @example parseArgs({ args, options: { etcd: { type: 'string' }, ...etcdSecurityArgs } })
 */
export const etcdSecurityArgs = {
  'etcd-ca': { type: 'string' },
  'etcd-cert': { type: 'string' },
  'etcd-key': { type: 'string' },
  'etcd-user': { type: 'string' },
  'etcd-password-file': { type: 'string' },
} as const;

/**
 * The parseArgs options every fleet command takes.
 * @example parseArgs({ args, options: { ...fleetArgs, force: { type: 'boolean' } }, strict: true })
 */
export const fleetArgs = {
  etcd: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  ...etcdSecurityArgs,
} as const;

/**
 * TLS and authentication for etcd, as EtcdConnection takes them: empty for a plain etcd.
 * @example connectEtcd({ hosts, ...target.security })
 */
export type EtcdSecurity = Pick<EtcdConnection, 'tls' | 'auth'>;

/**
 * Where a fleet command goes, and how it gets in.
 * @example const { hosts, key, security } = fleetTarget(values, 'push');
 */
export interface FleetTarget {
  readonly hosts: ReadonlyArray<string>;
  readonly key: string;
  readonly security: EtcdSecurity;
}

/**
 * The lines of a fleet command's usage that describe etcdSecurityArgs.
 * @example usage: `Usage: hotrc status --etcd HOSTS --key KEY\n\n${etcdSecurityUsage}`
 */
export const etcdSecurityUsage = `
A secured etcd (hosts as https://host:port for TLS):
  --etcd-ca FILE            trust this CA (PEM): TLS
  --etcd-cert FILE          with --etcd-key: this client certificate (PEM), for
  --etcd-key FILE           etcd's --client-cert-auth
  --etcd-user NAME          etcd's own authentication, as NAME, with the password
  --etcd-password-file FILE from FILE's first line, or else HOTRC_ETCD_PASSWORD
`;

/**
 * The largest file etcdSecurity reads (bytes): far above any PEM bundle or password.
 * @example readCappedSync(caFile, maxSecurityFileBytes) // more bytes than this: a UsageError naming the file
 */
export const maxSecurityFileBytes = 1 << 20;

/**
 * The environment variable a password for `--etcd-user` may come from.
 * @example HOTRC_ETCD_PASSWORD=s3cret hotrc watch --etcd-user alice ...  // read from here when no --etcd-password-file
 */
export const etcdPasswordVariable = 'HOTRC_ETCD_PASSWORD';

/**
 * `--etcd-ca FILE` (TLS, trusting that CA), `--etcd-cert FILE --etcd-key FILE` (a client pair,
 * for mutual TLS), `--etcd-user NAME` with its password from `--etcd-password-file FILE` (its
 * first line) or the environment variable HOTRC_ETCD_PASSWORD, never from the command line,
 * which other users can read in `ps`. Files are read here; a UsageError (exit 2) names a file
 * that cannot be read and an option given without the one it needs.
 * @example etcdSecurity({ 'etcd-ca': '/etc/hotrc/ca.pem' }) // { tls: { ca: <bytes> } }
 */
export function etcdSecurity(
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): EtcdSecurity {
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  // A certificate, a key or a password is kilobytes: a larger file, a FIFO or a device given by
  // mistake is refused before it can block the command or fill its memory.
  const file = (name: string): Uint8Array | undefined => {
    const path = text(name);
    if (path === undefined) return undefined;
    let bytes: Buffer | undefined;
    try {
      bytes = readCappedSync(path, maxSecurityFileBytes);
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err);
      const why = code === 'EFTYPE' ? 'not a regular file' : code;
      throw new UsageError(`--${name}: cannot read ${path}: ${why}`);
    }
    if (bytes === undefined || bytes.length > maxSecurityFileBytes) {
      throw new UsageError(`--${name}: ${path} is larger than ${maxSecurityFileBytes} bytes`);
    }
    return bytes;
  };
  const ca = file('etcd-ca');
  const cert = file('etcd-cert');
  const key = file('etcd-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError('--etcd-cert and --etcd-key go together');
  }
  if (cert !== undefined && ca === undefined) throw new UsageError('--etcd-cert needs --etcd-ca');
  const username = text('etcd-user');
  const passwordFile = file('etcd-password-file');
  if (username === undefined && passwordFile !== undefined) {
    throw new UsageError('--etcd-password-file needs --etcd-user');
  }
  let auth: EtcdSecurity['auth'];
  if (username !== undefined) {
    const password =
      passwordFile === undefined
        ? env[etcdPasswordVariable]
        : (Buffer.from(passwordFile).toString('utf8').split(/\r?\n/)[0] ?? '');
    if (password === undefined || password === '') {
      throw new UsageError(
        `--etcd-user needs a password: --etcd-password-file FILE or ${etcdPasswordVariable}`,
      );
    }
    auth = { username, password };
  }
  return {
    ...(ca === undefined
      ? {}
      : {
          tls: {
            ca,
            ...(cert === undefined ? {} : { cert }),
            ...(key === undefined ? {} : { key }),
          },
        }),
    ...(auth === undefined ? {} : { auth }),
  };
}

/**
 * `--etcd HOSTS` (comma-separated `host:port` or `http(s)://host:port`), `--key KEY` and the
 * way in (etcdSecurity), checked: a UsageError (exit 2) when one is missing or malformed.
 * @example fleetTarget({ etcd: '127.0.0.1:2379', key: '/hotrc/torrc' }, 'status') // { hosts: ['127.0.0.1:2379'], key: '/hotrc/torrc', security: {} }
 */
export function fleetTarget(
  values: Readonly<Record<string, string | boolean | undefined>>,
  command: string,
): FleetTarget {
  if (typeof values.etcd !== 'string') throw new UsageError(`${command} needs --etcd HOSTS`);
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
  if (typeof values.key !== 'string') throw new UsageError(`${command} needs --key KEY`);
  const key = checkFleetKey(values.key);
  if (E.isLeft(key)) throw new UsageError(`--key: ${key.left}`);
  return { hosts, key: key.right, security: etcdSecurity(values) };
}

/**
 * Runs `use` with a new etcd client for the target, closed after, whatever happens.
 * @example const r = await withEtcd(target, (client) => readFleetStatus(client, target.key));
 */
export async function withEtcd<T>(
  target: FleetTarget,
  use: (client: Etcd3) => Promise<T>,
): Promise<T> {
  const client = await connectEtcd({ hosts: target.hosts, ...target.security });
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
