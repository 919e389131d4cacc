import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { fleetVerdict, type HostStanding, readFleetStatus } from '../fleet/fleet-status.js';
import { type Command, exitCodes, UsageError, usage } from './command.js';
import {
  etcdSecurityUsage,
  fleetArgs,
  fleetTarget,
  unreachableLine,
  withEtcd,
} from './fleet-options.js';

const words = {
  'in-sync': 'in sync',
  'restart-pending': 'restart pending',
  rejected: 'rejected',
  stale: 'stale',
} as const;

function detail(h: HostStanding): string {
  const r = h.report;
  const parts = [r.revision === null ? 'no revision applied yet' : `runs revision ${r.revision}`];
  if (h.standing === 'rejected' && r.rejected !== null) {
    parts.push(`refused revision ${r.rejected.revision}: ${r.rejected.kind}: ${r.rejected.reason}`);
  } else if (r.rejected !== null) {
    parts.push(`last refused revision ${r.rejected.revision ?? '?'}: ${r.rejected.reason}`);
  }
  if (r.pendingRestart.length > 0)
    parts.push(`waiting for a restart: ${r.pendingRestart.join(', ')}`);
  if (r.from === 'cache') parts.push('from its cache file');
  if (!r.reachable) parts.push('cannot reach etcd');
  return parts.join('; ');
}

/**
 * `hotrc status --etcd HOSTS --key KEY [--json]`: one line per host (from KEY/status/*) against
 * the key's current revision, and a summary. Exit 0 only when every host is in sync, 1 when a
 * host rejected the current revision (waiting will not help), 3 otherwise (stale, restart
 * pending, no host yet), 4 when KEY does not exist, 69 etcd unreachable: so
 * `until hotrc status ...; do sleep 1; done` waits for the fleet, and stops at 1.
 * @example await status.run(['--etcd', '127.0.0.1:2379', '--key', '/hotrc/torrc'], io) // 0 when in sync
 */
export const status: Command = {
  name: 'status',
  summary: 'status                which host runs which version of an etcd key',
  usage: `Usage: hotrc status --etcd HOSTS --key KEY [--json]

One line per host that watches KEY (hotrc watch --etcd writes KEY/status/NAME
while it runs), against the revision of KEY now:
  in sync          runs the current revision
  rejected         refused the current revision (with its reason); never in sync
  stale            runs an older revision (it may not have seen the new one yet)
  restart pending  runs the current revision; some fields wait for a restart
Then a summary line.

  --etcd HOSTS  etcd endpoints, comma-separated (host:port)
  --key KEY     the config's etcd key
  --json        print {key, revision, hosts: [...], summary} as JSON

Exit status: 0 every host in sync, 1 some host rejected the current revision,
2 bad usage, 3 not in sync yet (stale, restart pending, or no host reports),
4 KEY does not exist, 69 etcd unreachable.
${etcdSecurityUsage}`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({ args: [...args], options: fleetArgs, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw new UsageError('status takes no FILE');
    const target = fleetTarget(values, 'status');
    const read = await withEtcd(target, (client) => readFleetStatus(client, target.key));
    if (E.isLeft(read)) {
      io.stderr(unreachableLine('status', target.hosts, read.left));
      return exitCodes.unreachable;
    }
    const s = read.right;
    const verdict = fleetVerdict(s);
    const code =
      s.revision === null
        ? exitCodes.notFound
        : verdict === 'in-sync'
          ? exitCodes.ok
          : verdict === 'rejected'
            ? exitCodes.invalid
            : exitCodes.notInSync;
    const total = s.hosts.length + s.unreadable.length;
    const summary = {
      hosts: total,
      inSync: s.counts['in-sync'],
      rejected: s.counts.rejected,
      stale: s.counts.stale,
      restartPending: s.counts['restart-pending'],
      unreadable: s.unreadable.length,
      verdict,
    };
    if (values.json === true) {
      io.stdout(
        `${JSON.stringify({
          key: s.key,
          revision: s.revision,
          hosts: [
            ...s.hosts.map((h) => ({ ...h.report, name: h.name, standing: h.standing })),
            ...s.unreadable.map((u) => ({
              name: u.name,
              standing: 'unreadable',
              reason: u.reason,
            })),
          ],
          summary,
        })}\n`,
      );
      return code;
    }
    io.stdout(
      s.revision === null ? `${s.key} does not exist\n` : `${s.key} is at revision ${s.revision}\n`,
    );
    const rows = [
      ...s.hosts.map((h) => [h.name, words[h.standing], detail(h)]),
      ...s.unreadable.map((u) => [u.name, 'unreadable', u.reason]),
    ];
    const w0 = Math.max(0, ...rows.map((r) => (r[0] ?? '').length));
    for (const [name = '', word = '', text = ''] of rows) {
      io.stdout(`  ${name.padEnd(w0)}  ${word.padEnd(15)}  ${text}\n`);
    }
    const parts = [
      `${summary.inSync} in sync`,
      `${summary.rejected} rejected`,
      `${summary.stale} stale`,
      `${summary.restartPending} restart pending`,
      ...(summary.unreadable > 0 ? [`${summary.unreadable} unreadable`] : []),
    ];
    io.stdout(`${total} ${total === 1 ? 'host' : 'hosts'}: ${parts.join(', ')}\n`);
    return code;
  },
};
