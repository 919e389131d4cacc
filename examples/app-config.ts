// hotrc for a service's own YAML config: load it, keep a connection pool in step with it, refuse
// a change this deployment cannot take (a veto), and shut down cleanly.
// Run: npx tsx examples/app-config.ts [APP.YAML] [INTERVAL]

import { bindLogLevel, loadConfig, parseInterval, ReloadableConfig } from 'hotrc';
import { pino } from 'pino';
import { distinctUntilChanged, map } from 'rxjs';
import { type AppConfig, appProfile } from './app-profile.js';

/** Stands in for the service's database pool: the component a reload must update. */
class Pool {
  constructor(
    public min: number,
    public max: number,
  ) {}
  resize(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }
}

const [path = 'examples/app.yaml', every = '1s'] = process.argv.slice(2);
const interval = parseInterval(every);
if (interval._tag === 'Left') throw new Error(`bad interval ${every}: ${interval.left}`);

const logger = pino();

// A bad file at start is a ConfigError listing every problem as FILE:LINE:COLUMN: message.
const config: AppConfig = await loadConfig(path, appProfile);
const pool = new Pool(config.pool.min, config.pool.max);

const rc = new ReloadableConfig(config, path, logger, { profile: appProfile });

// The logger's level follows the file's logLevel.
const binding = bindLogLevel(logger, rc.config$, (c) => c.logLevel);

// Validation has already run (types, pool.min <= pool.max); a callback adds what only this host
// knows. Returning an Error vetoes: nothing changes, and callbacks that already applied it are
// called again with (new, old).
rc.onReload((_old, next) => {
  if (next.pool.max > 100) return new Error('pool.max above 100 would exhaust this database');
});
rc.onReload((_old, next) => {
  pool.resize(next.pool.min, next.pool.max);
  logger.info({ pool: `${pool.min}..${pool.max}` }, 'Pool resized');
});

rc.rejections$.subscribe((r) => logger.warn({ kind: r.kind, reason: r.reason }, 'Reload refused'));
// What only a restart would apply, once each time it changes.
rc.status$
  .pipe(
    map((s) => s.pendingRestart),
    distinctUntilChanged(),
  )
  .subscribe((pending) => {
    if (pending.length > 0) logger.warn({ fields: pending.map((c) => c.field) }, 'Restart pending');
  });

rc.startWatcher(interval.right);
logger.info({ pool: `${pool.min}..${pool.max}`, features: config.features }, 'Service started');

await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await rc.stop();
binding.unsubscribe();
