import { parseArgs } from 'node:util';
import { rollbackConfig } from '../fleet/rollback-config.js';
import { type Command, UsageError, usage } from './command.js';
import { etcdSecurityUsage, fleetArgs, fleetTarget, withEtcd } from './fleet-options.js';
import { profileOption } from './profile-option.js';
import { pushIncludesOf, reportPush } from './push.js';

/**
 * `hotrc rollback --etcd HOSTS --key KEY [--to REVISION]`: publishes an earlier version from the
 * history again, validated, diffed and compare-and-swapped as a push; the rollback is itself
 * kept in the history. Exit statuses as push's, and 4 when there is no such revision.
 * @example await rollback.run(['--etcd', '127.0.0.1:2379', '--key', '/hotrc/torrc', '--to', '41'], io) // 0
 */
export const rollback: Command = {
  name: 'rollback',
  summary: 'rollback              publish an earlier version of an etcd key again',
  usage: `Usage: hotrc rollback --etcd HOSTS --key KEY [--to REVISION] [--profile MODULE]
                     [--force] [--strict] [--json]

Publishes an earlier version of KEY again: the one at REVISION in its history
(hotrc history lists them), or by default the one before the current version.
It is checked as hotrc push checks a file (the same load as a host's, with
problems as KEY@REVISION:LINE: message), shows what changes, and writes with a
compare-and-swap on the revision current when the history was read; the value
it replaces is kept in the history, so a rollback can be rolled back.

  --etcd HOSTS      etcd endpoints, comma-separated (host:port)
  --key KEY         the config's etcd key
  --to REVISION     the version to publish (default: the one before the current)
  --profile MODULE  the profile KEY's hosts load it with (default: a torrc)
  --force           replace a current value that does not load with this profile
  --strict          unknown options or keys are errors, not warnings
  --json            print the outcome as one JSON object on stdout

Exit status: 0 rolled back or unchanged, 1 that version does not load, 2 bad
usage, 4 no such revision in the history, 69 etcd unreachable, 75 conflict.
${etcdSecurityUsage}`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          ...fleetArgs,
          to: { type: 'string' },
          profile: { type: 'string' },
          force: { type: 'boolean' },
          strict: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    if (positionals.length > 0)
      throw new UsageError('rollback takes no FILE (it publishes from the history)');
    const target = fleetTarget(values, 'rollback');
    const to = values.to;
    if (to !== undefined && !/^[1-9][0-9]{0,18}$/.test(to)) {
      throw new UsageError(`--to must be a revision number, not '${to}'`);
    }
    const profile = await profileOption(values.profile);
    const outcome = await withEtcd(target, (client) =>
      rollbackConfig(client, profile, {
        key: target.key,
        to,
        force: values.force === true,
        strict: values.strict === true,
        includes: pushIncludesOf(profile),
      }),
    );
    return reportPush(
      outcome,
      {
        command: 'rollback',
        key: target.key,
        hosts: target.hosts,
        profile: profile.name,
        json: values.json === true,
      },
      io,
    );
  },
};
