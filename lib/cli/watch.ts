import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../core/problem.js';
import { bindLogLevel, pinoLib } from '../engine/log.js';
import {
  type ReloadOptionsInput,
  reloadDefaults,
  resolveReloadOptions,
} from '../engine/reload-options.js';
import { checkHostName } from '../fleet/fleet-keys.js';
import { joinFleet } from '../fleet/join-fleet.js';
import { FleetStartError } from '../fleet/load-from-etcd.js';
import { ReloadableConfig } from '../reloadable-config.js';
import { parseInterval } from '../tor/schema/values/interval.js';
import { type CliIo, type Command, onePath, UsageError, usage } from './command.js';
import { configLogLevel } from './config-log-level.js';
import {
  type EtcdSecurity,
  etcdSecurityArgs,
  etcdSecurityUsage,
  fleetTarget,
} from './fleet-options.js';
import { loadWithProfile } from './load-with-profile.js';
import { prettyLine } from './pretty.js';
import { profileOption } from './profile-option.js';

function intervalOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseInterval(text);
  if (E.isLeft(ms)) throw new UsageError(`${name}: ${ms.left}`);
  if (ms.right <= 0 && name === '--interval')
    throw new UsageError('--interval must be more than 0');
  return ms.right;
}

/**
 * `hotrc watch FILE [--profile MODULE]` or `hotrc watch --etcd HOSTS --key KEY`: runs the reload engine on FILE (a torrc, or any config a
 * profile reads) with pino JSON lines on stdout, until SIGINT or SIGTERM (then stops cleanly and
 * exits 0). SIGHUP forces a reload, as it does for Tor.
 * @example await watch.run(['/etc/tor/torrc', '--interval', '30s'], io)
 * @example await watch.run(['app.yaml', '--profile', './app-profile.mjs'], io)
 * @example await watch.run(['--etcd', '127.0.0.1:2379', '--key', '/hotrc/torrc', '--cache', '/var/lib/hotrc/torrc.cache'], io)
 */
export const watch: Command = {
  name: 'watch',
  summary: 'watch FILE            reload FILE on change, logging JSON lines',
  usage: `Usage: hotrc watch FILE [--profile MODULE] [--interval 30s] [--pretty] [--strict]
                  [--write-quiet 500ms] [--settle 50ms] [--restart-required keep|reject]
                  [--allow-insecure-mode] [--no-fs-watch]
       hotrc watch --etcd HOSTS --key KEY [--name NAME] [--cache FILE] [--lease-ttl 5s]
                  [--profile MODULE] [--interval 30s] [--pretty] [--strict] ...

Loads FILE, then watches it: every change is read safely, validated, and applied
live for the reloadable fields; every attempt is logged as a pino JSON line on
stdout. SIGHUP forces a reload; SIGINT or SIGTERM stop cleanly (exit 0). The log
level follows FILE's LogLevel. Exits 1 if FILE is invalid at start, or refused:
world-writable, or in a directory world-writable without the sticky bit (FILE or
any %include), at start as on every reload.

With --profile, FILE is your own config as the profile reads it, with the same
log lines: changes by dotted path (pool.max: 10 -> 20), restart-only paths held
back and reported, problems as FILE:LINE:COLUMN, secret values never logged. The
log level follows the config's top-level LogLevel or logLevel when it names a
pino level (trace, debug, info, warn, error, fatal); otherwise it stays as it
was (info at start).

  --profile MODULE        a JavaScript module whose default export is a profile
                          (defineProfile); without it, FILE is a torrc
  --interval DURATION     how often to look at FILE (default 30s; Tor or Go units)
  --pretty                human-readable lines instead of JSON
  --strict                unknown options or keys are errors, not warnings (a
                          profile with its own decode decides for itself)
  --write-quiet DURATION  how long a file changed in place must be quiet before it is
                          read (default 500ms); a rename-save is read at once
  --settle DURATION       how long a missing or empty file must stay so before it is
                          reported (default 50ms)
  --restart-required M    keep (default): hold back restart-only changes and warn;
                          reject: refuse the whole reload, as Tor does
  --allow-insecure-mode   accept world-writable files and directories
  --no-fs-watch           poll only: no fs.watch fast path (it is silent on NFS, SMB,
                          FUSE and some VM mounts, where the poll finds the change)

With --etcd, the config is the value of the etcd key KEY instead of a file: the
same validation, log lines and signals. Each change is seen through a watch
(re-read on every reconnection) and a look every --interval; while etcd is out
of reach the last good config stays live. This host's outcome is written under
KEY/status/NAME, bound to a lease, for \`hotrc status\`. Exits 1 when there is
nothing valid to start from.

  --etcd HOSTS            etcd endpoints, host:port, comma-separated
  --key KEY               the etcd key holding the config
  --name NAME             this host's name under KEY/status/ (default the hostname)
  --cache FILE            keep the last good value in FILE (0600); start from it
                          when etcd is out of reach, or its value is not valid
  --lease-ttl DURATION    how long a dead host's status outlives it (default 5s)
${etcdSecurityUsage}`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          profile: { type: 'string' },
          interval: { type: 'string' },
          pretty: { type: 'boolean' },
          strict: { type: 'boolean' },
          settle: { type: 'string' },
          'write-quiet': { type: 'string' },
          'restart-required': { type: 'string' },
          'allow-insecure-mode': { type: 'boolean' },
          'no-fs-watch': { type: 'boolean' },
          etcd: { type: 'string' },
          key: { type: 'string' },
          name: { type: 'string' },
          cache: { type: 'string' },
          'lease-ttl': { type: 'string' },
          ...etcdSecurityArgs,
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const etcd = etcdOptions(values, positionals);
    const path = etcd === undefined ? onePath(positionals, 'watch') : etcd.key;
    const interval = intervalOption('--interval', values.interval, 30_000);
    const settleMs = intervalOption('--settle', values.settle, 50);
    const writeQuietMs = intervalOption('--write-quiet', values['write-quiet'], 500);
    const restartRequired = values['restart-required'] ?? 'keep';
    if (restartRequired !== 'keep' && restartRequired !== 'reject') {
      throw new UsageError(`--restart-required must be keep or reject, not '${restartRequired}'`);
    }
    const profile = await profileOption(values.profile);
    const strict = values.strict === true;
    const options: ReloadOptionsInput<unknown> = {
      profile,
      strict,
      settleMs,
      writeQuietMs,
      fsWatch: values['no-fs-watch'] !== true,
      // The library's ratio (twenty quiet periods), so a long --write-quiet is never given up on.
      settleTimeoutMs: Math.max(
        reloadDefaults.settleTimeoutMs,
        20 * Math.max(writeQuietMs, settleMs),
      ),
      restartRequired,
      allowInsecureMode: values['allow-insecure-mode'] === true,
      reloadOnSignal: 'SIGHUP',
    };
    usage(() => resolveReloadOptions(options));

    // Installed before anything is printed: whoever reads the first line may signal at once.
    let stopRequested: () => void = () => {};
    const stopping = new Promise<void>((resolve) => {
      stopRequested = resolve;
    });
    const onSignal = () => stopRequested();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const settings = { strict, options, pretty: values.pretty === true };
      return etcd === undefined
        ? await watchUntil(stopping, path, interval, settings, io)
        : await watchEtcdUntil(stopping, etcd, interval, settings, io);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

interface EtcdWatch {
  readonly hosts: ReadonlyArray<string>;
  readonly key: string;
  readonly name: string | undefined;
  readonly cacheFile: string | undefined;
  readonly leaseTtlSec: number | undefined;
  readonly security: EtcdSecurity;
}

// The --etcd form's options, or undefined for the FILE form (where they are refused).
function etcdOptions(
  values: Record<string, string | boolean | undefined>,
  positionals: ReadonlyArray<string>,
): EtcdWatch | undefined {
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (text('etcd') === undefined) {
    for (const only of ['key', 'name', 'cache', 'lease-ttl', ...Object.keys(etcdSecurityArgs)]) {
      if (values[only] !== undefined) throw new UsageError(`--${only} needs --etcd`);
    }
    return undefined;
  }
  if (positionals.length > 0) throw new UsageError('watch takes a FILE or --etcd, not both');
  // The hosts, the key and the way in, checked as every fleet command checks them.
  const { hosts, key, security } = fleetTarget(values, 'watch');
  const name = text('name');
  if (name !== undefined) {
    const checked = checkHostName(name);
    if (E.isLeft(checked)) throw new UsageError(`--name: ${checked.left}`);
  }
  const ttl = text('lease-ttl');
  const ttlMs = ttl === undefined ? undefined : intervalOption('--lease-ttl', ttl, 5000);
  if (ttlMs !== undefined && ttlMs < 1000) throw new UsageError('--lease-ttl must be at least 1s');
  const cache = text('cache');
  return {
    hosts,
    key,
    name,
    cacheFile: cache === undefined ? undefined : resolve(cache),
    leaseTtlSec: ttlMs === undefined ? undefined : Math.round(ttlMs / 1000),
    security,
  };
}

async function watchEtcdUntil(
  stopping: Promise<void>,
  etcd: EtcdWatch,
  interval: number,
  { options, pretty }: WatchSettings,
  io: CliIo,
): Promise<number> {
  const logger = pinoLib()(
    { level: 'info' },
    { write: (line: string) => io.stdout(pretty ? `${prettyLine(line.trimEnd())}\n` : line) },
  );
  let host: Awaited<ReturnType<typeof joinFleet<unknown>>>;
  try {
    host = await joinFleet<unknown>({
      ...options,
      hosts: etcd.hosts,
      key: etcd.key,
      ...(etcd.name === undefined ? {} : { name: etcd.name }),
      ...(etcd.cacheFile === undefined ? {} : { cacheFile: etcd.cacheFile }),
      ...(etcd.leaseTtlSec === undefined ? {} : { leaseTtlSec: etcd.leaseTtlSec }),
      ...etcd.security,
      logger,
      intervalMs: interval,
    });
  } catch (err) {
    if (!(err instanceof FleetStartError)) throw err;
    for (const p of err.problems) io.stderr(`${formatProblem(p)}\n`);
    return 1;
  }
  // The log level follows the config, as for a file.
  const binding = bindLogLevel(logger, host.rc.config$, configLogLevel);
  await stopping;
  await host.stop();
  binding.unsubscribe();
  return 0;
}

interface WatchSettings {
  readonly strict: boolean;
  readonly options: ReloadOptionsInput<unknown>;
  readonly pretty: boolean;
}

async function watchUntil(
  stopping: Promise<void>,
  path: string,
  interval: number,
  { strict, options, pretty }: WatchSettings,
  io: CliIo,
): Promise<number> {
  // The policy the watcher will apply on every reload, applied to the start as well.
  const initial = await loadWithProfile(path, options.profile, {
    strict,
    allowInsecureMode: options.allowInsecureMode === true,
  });
  if (E.isLeft(initial)) {
    for (const p of initial.left.problems) io.stderr(`${formatProblem(p)}\n`);
    return 1;
  }
  const logger = pinoLib()(
    { level: configLogLevel(initial.right.config) ?? 'info' },
    { write: (line: string) => io.stdout(pretty ? `${prettyLine(line.trimEnd())}\n` : line) },
  );
  // The file's warnings are logged by the first poll (once per distinct set), not here too.
  const rc = new ReloadableConfig<unknown>(initial.right.config, path, logger, options);
  // The design document's updateLogLevel, built in: the log level follows the file.
  const binding = bindLogLevel(logger, rc.config$, configLogLevel);
  rc.startWatcher(interval);
  await stopping;
  await rc.stop();
  binding.unsubscribe();
  return 0;
}
