// Composing hotrc into an RxJS app: config$ is an ordinary Observable, so one field becomes a
// stream of its own with map + distinctUntilChanged, and drives a timer that restarts when it
// changes. Run: npx tsx examples/rxjs-compose.ts [TORRC]

import { formatGoDuration, loadFromFile, ReloadableConfig } from 'hotrc';
import { pino } from 'pino';
import { distinctUntilChanged, from, map, switchMap, takeUntil, timer } from 'rxjs';

const [path = 'examples/torrc'] = process.argv.slice(2);
const logger = pino();
const rc = new ReloadableConfig(await loadFromFile(path), path, logger);

// The period of circuit rotation, as its own stream: it emits only when that field changes.
const newCircuitPeriod$ = rc.config$.pipe(
  map((config) => config.NewCircuitPeriod),
  distinctUntilChanged(),
);

// Rotate circuits on that period; a reload that changes it restarts the timer at the new period.
const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
newCircuitPeriod$
  .pipe(
    switchMap((period) => {
      logger.info({ period: formatGoDuration(period) }, 'Rotating circuits on a new period');
      return timer(period, period);
    }),
    takeUntil(from(interrupted)),
  )
  .subscribe(() => logger.info('New circuit'));

// Every committed change, with the fields that changed and those that need a restart.
rc.changes$.subscribe(({ changes, restartRequired }) =>
  logger.info(
    { changes: changes.map((c) => c.text), restartRequired: restartRequired.map((c) => c.field) },
    'Config changed',
  ),
);

rc.startWatcher(1000);
await interrupted;
await rc.stop();
