// A service's own config as a hotrc profile: an io-ts codec, the defaults a file is laid over,
// a cross-field rule, a restart-required path and a secret. The default export is what
// `hotrc check FILE --profile MODULE` loads.

import { defineProfile, yamlFormat } from 'hotrc';
import * as t from 'io-ts';

/** The config's shape: the codec and the type share one name. */
export const AppConfig = t.type({
  server: t.type({ host: t.string, port: t.number }),
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
  logLevel: t.keyof({ debug: null, info: null, warn: null, error: null }),
  db: t.type({ url: t.string, password: t.string }),
});
export type AppConfig = t.TypeOf<typeof AppConfig>;

export const appProfile = defineProfile<AppConfig>({
  name: 'app',
  format: yamlFormat,
  codec: AppConfig,
  // Every load starts again from these: a key deleted from the file returns to its default.
  defaults: {
    server: { host: '127.0.0.1', port: 8080 },
    pool: { min: 1, max: 10 },
    features: [],
    logLevel: 'info',
    db: { url: 'postgres://127.0.0.1/app', password: '' },
  },
  // Rules across fields, each problem pointing at its field; errors refuse the file.
  validate: (c) =>
    c.pool.min > c.pool.max
      ? [{ severity: 'error', message: 'pool.min must not exceed pool.max', field: 'pool.min' }]
      : [],
  // The listening socket is bound once: a change is held back and reported until a restart.
  restartRequired: ['server'],
  // Never in a log line, a diff or a problem.
  secrets: ['db.password'],
});

export default appProfile;
