// The design document's "Production Setup", in TypeScript: a pino logger whose level follows
// the file, a pool-size validator that vetoes bad changes, a component updated live, and a
// graceful shutdown. Run: npx tsx examples/production.ts [TORRC] [INTERVAL]

import { bindLogLevel, loadFromFile, parseInterval, ReloadableConfig, type TorConfig } from 'hotrc';
import { pino } from 'pino';

/** Stands in for the Tor client's circuit pool: the component a reload must update. */
class CircuitPool {
  constructor(
    private min: number,
    private max: number,
  ) {}
  resize(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }
  describe(): string {
    return `${this.min}..${this.max}`;
  }
}

const [path = 'examples/torrc', every = '30s'] = process.argv.slice(2);
const interval = parseInterval(every);
if (interval._tag === 'Left') throw new Error(`bad interval ${every}: ${interval.left}`);

const logger = pino();

// Load first, so the client starts with the file's values (restart-only fields included).
const config: TorConfig = await loadFromFile(path);
const rc = new ReloadableConfig(config, path, logger, { reloadOnSignal: 'SIGHUP' });

// updateLogLevel, done for you: the logger's level follows LogLevel in the file.
bindLogLevel(logger, rc.config$);

const pool = new CircuitPool(config.CircuitPoolMinSize, config.CircuitPoolMaxSize);

// Validate first: a veto keeps the old config live, and rejections$ says why.
rc.onReload((_old, next) => {
  if (next.CircuitPoolMaxSize > 100) {
    return new Error('CircuitPoolMaxSize too high for this deployment');
  }
});

// Then update the component. If a later callback vetoes, this one is called again with
// (new, old), so the pool goes back to its old size.
rc.onReload((_old, next) => {
  pool.resize(next.CircuitPoolMinSize, next.CircuitPoolMaxSize);
  logger.info({ pool: pool.describe() }, 'Circuit pool resized');
});

rc.rejections$.subscribe((r) => logger.warn({ kind: r.kind, reason: r.reason }, 'Reload refused'));

const controller = new AbortController();
rc.startWatcher(interval.right, controller.signal);
logger.info({ socksPort: rc.get().SocksPort }, 'Tor client started');

// Graceful shutdown: stop watching, let an apply in flight finish, then exit by ourselves.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('Shutting down gracefully');
    controller.abort();
    void rc.stop();
  });
}
