import { type Logger, pino } from 'pino';
import { distinctUntilChanged, map, type Observable, type Subscription } from 'rxjs';
import type { TorConfig } from '../tor/schema/tor-config.js';

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
} as const);

/**
 * A logger that drops everything, for when the caller passes none.
 * @example new ReloadableConfig(cfg, path) // logs nowhere
 */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The library's child logger: every line carries `module: 'hotrc'`, whatever the caller's
 * logger is configured with.
 * @example const log = moduleLogger(pino()); log.info('x') // {"module":"hotrc","msg":"x",...}
 */
export function moduleLogger(logger: Logger | undefined): Logger {
  return (logger ?? silentLogger()).child({ module: 'hotrc' });
}

/**
 * Keeps a pino logger's level equal to the config's `LogLevel` (debug, info, warn, error map to
 * pino's levels of the same name), so the design document's `updateLogLevel` needs no user code.
 * Returns the subscription; unsubscribe to stop following.
 * @example const binding = bindLogLevel(logger, rc.config$); // later: binding.unsubscribe()
 */
export function bindLogLevel(logger: Logger, config$: Observable<TorConfig>): Subscription {
  return config$
    .pipe(
      map((c) => c.LogLevel),
      distinctUntilChanged(),
    )
    .subscribe((level) => {
      logger.level = level;
    });
}
