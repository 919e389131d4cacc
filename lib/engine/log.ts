import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { distinctUntilChanged, map, type Observable, type Subscription } from 'rxjs';

// pino and its dependencies cost some 7 MiB of RSS once loaded, which a watcher given no logger
// never uses: it is loaded when a pino logger is first made. pino is CommonJS, so `require`
// loads it synchronously at that moment.
let pinoModule: typeof import('pino') | undefined;

/**
 * pino itself, loaded on first use (see above): `pinoLib()(options, stream)` makes a logger,
 * `pinoLib().levels` is its level table.
 * @example const logger = pinoLib()({ level: 'info' });
 */
export function pinoLib(): typeof import('pino').pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as typeof import('pino');
  return pinoModule.pino;
}

/**
 * The fixed log messages, exactly as the design document shows them, so log searches and
 * alerts keep working across versions. Fields are given beside each in the README.
 * @example logger.info({ path }, logMessages.reloaded)
 */
export const logMessages = Object.freeze({
  watcherStarted: 'Starting configuration file watcher',
  fileChanged: 'Configuration file changed, reloading',
  manualReload: 'Manually reloading configuration',
  fieldsUpdated: 'Configuration fields updated',
  reloaded: 'Configuration reloaded successfully',
  restartRequired: 'Configuration change requires restart',
  rejected: 'Configuration reload rejected',
  disappeared: 'Configuration file disappeared',
  unreadable: 'Configuration file unreadable',
  recovered: 'Configuration file recovered',
  attempt: 'Configuration reload attempt',
  warning: 'Configuration file warning',
  revertFailed: 'Reload callback failed while reverting',
  watcherStopped: 'Configuration watcher stopped',
  watchUnavailable: 'Configuration watch unavailable, polling only',
  watchRestored: 'Configuration watch restored',
} as const);

/**
 * A logger that drops everything, for when the caller passes none.
 * @example new ReloadableConfig(cfg, path) // logs nowhere
 */
export function silentLogger(): Logger {
  return pinoLib()({ level: 'silent' });
}

/**
 * The library's child logger: every line carries `module: 'hotrc'`, whatever the caller's
 * logger is configured with.
 * @example const log = moduleLogger(pino()); log.info('x') // {"module":"hotrc","msg":"x",...}
 */
export function moduleLogger(logger: Logger | undefined): Logger {
  if (logger !== undefined) return logger.child({ module: 'hotrc' });
  silentModuleLogger ??= silentLogger().child({ module: 'hotrc' });
  return silentModuleLogger;
}

// One for every instance given no logger: a pino logger costs ~6 KB of heap and a SonicBoom
// each, and this one drops everything, so there is nothing to keep apart.
let silentModuleLogger: Logger | undefined;

const levelOf = (config: unknown): unknown =>
  typeof config === 'object' && config !== null
    ? (config as { LogLevel?: unknown }).LogLevel
    : undefined;

/**
 * Keeps a pino logger's level equal to a level the config holds (by default its `LogLevel`:
 * debug, info, warn, error map to pino's levels of the same name), so the design document's
 * `updateLogLevel` needs no user code. `level` picks it from another config (`(c) => c.log.level`).
 * A value pino does not know is skipped, the level kept. Returns the subscription; unsubscribe to
 * stop following.
 * @example const binding = bindLogLevel(logger, rc.config$); // later: binding.unsubscribe()
 */
export function bindLogLevel<C>(
  logger: Logger,
  config$: Observable<C>,
  level: (config: C) => unknown = levelOf,
): Subscription {
  return config$.pipe(map(level), distinctUntilChanged()).subscribe((value) => {
    if (typeof value === 'string' && Object.hasOwn(logger.levels.values, value)) {
      logger.level = value;
    }
  });
}
