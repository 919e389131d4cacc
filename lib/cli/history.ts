import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { listHistory } from '../fleet/history-list.js';
import { type Command, exitCodes, UsageError, usage } from './command.js';
import {
  etcdSecurityUsage,
  fleetArgs,
  fleetTarget,
  unreachableLine,
  withEtcd,
} from './fleet-options.js';

/**
 * `hotrc history --etcd HOSTS --key KEY [--json]`: the key's versions, newest first (revision,
 * when and by whom it was published, sha256 prefix). Never prints a value's text (it may hold
 * secrets). Exit 0, 4 when the key has neither a value nor a history, 69 etcd unreachable.
 * @example await history.run(['--etcd', '127.0.0.1:2379', '--key', '/hotrc/torrc'], io) // 0
 */
export const history: Command = {
  name: 'history',
  summary: 'history               list the versions published to an etcd key',
  usage: `Usage: hotrc history --etcd HOSTS --key KEY [--json]

Lists the versions of KEY, newest first: the current value, then every value a
push or rollback replaced (kept under KEY/history/). For each: its revision,
when and by whom it was published ("-" when not by hotrc, e.g. etcdctl), and
the start of its sha256. Texts are not printed (they may hold secrets). Any
revision listed can be published again with hotrc rollback --to REVISION.

  --etcd HOSTS  etcd endpoints, comma-separated (host:port)
  --key KEY     the config's etcd key
  --json        print {key, current, versions: [...]} as JSON

Exit status: 0 ok, 2 bad usage, 4 KEY has no value and no history, 69 etcd
unreachable.
${etcdSecurityUsage}`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({ args: [...args], options: fleetArgs, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw new UsageError('history takes no FILE');
    const target = fleetTarget(values, 'history');
    const list = await withEtcd(target, (client) => listHistory(client, target.key));
    if (E.isLeft(list)) {
      io.stderr(unreachableLine('history', target.hosts, list.left));
      return exitCodes.unreachable;
    }
    const { key, current, versions, unreadable } = list.right;
    for (const u of unreadable) io.stderr(`hotrc history: ${u.key}: ${u.reason}; skipped\n`);
    if (values.json === true) {
      const shown = versions.map(({ text: _text, ...v }) => v);
      io.stdout(`${JSON.stringify({ key, current, versions: shown })}\n`);
      return versions.length === 0 ? exitCodes.notFound : exitCodes.ok;
    }
    if (versions.length === 0) {
      io.stderr(`hotrc history: ${key} has no value and no history\n`);
      return exitCodes.notFound;
    }
    if (current === null) io.stdout(`${key} does not exist now; its history:\n`);
    const rows = [
      ['REVISION', 'TIME', 'SHA256', 'WHO', ''],
      ...versions.map((v) => [
        v.revision,
        v.time ?? '-',
        v.sha256.slice(0, 12),
        v.who ?? '-',
        v.current ? '(current)' : '',
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    for (const r of rows) {
      io.stdout(
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
      );
    }
    return exitCodes.ok;
  },
};
