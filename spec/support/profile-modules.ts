// Profile modules as users write them (`import { defineProfile, yamlFormat } from 'hotrc'`), for
// `--profile`. They are written under spec/ inside the repository, so that 'hotrc' resolves to
// the package itself (dist/, built by `npm test`) and 'io-ts' to its node_modules; a module in
// os.tmpdir() could resolve neither. Config files stay in os.tmpdir().
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const specDir = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** A temp directory for profile modules, inside the repository (gitignored: spec/.tmp-*). */
export interface ModuleDir {
  readonly dir: string;
  /** Writes `source` as `name` (an .mjs file) and returns its absolute path. */
  write(name: string, source: string): Promise<string>;
  remove(): Promise<void>;
}

/** Makes a ModuleDir; fails at once, saying so, when dist/ has not been built. */
export async function moduleDir(): Promise<ModuleDir> {
  await access(built).catch(() => {
    throw new Error(`${built} is missing: run npm run build (npm test builds first)`);
  });
  const dir = await mkdtemp(join(specDir, '.tmp-profiles-'));
  return {
    dir,
    async write(name, source) {
      const path = join(dir, name);
      await writeFile(path, source);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The app config every --profile spec uses, as its defaults (and JSON) hold it. */
export const appDefaults = Object.freeze({
  logLevel: 'info',
  server: { port: 8080 },
  pool: { min: 1, max: 10 },
  db: { url: 'postgres://localhost/app', password: 'default-secret' },
  upstreams: [] as ReadonlyArray<{ host: string; token: string }>,
});

/**
 * A profile module for the app config, in `format` (an export of hotrc's): `server.port` needs a
 * restart, `db.password` and every upstream's `token` are secrets, `pool.min > pool.max` is an
 * error and `pool.max > 100` a warning.
 */
export function appProfileSource(format: 'yamlFormat' | 'jsonFormat'): string {
  return `import { defineProfile, ${format} } from 'hotrc';
import * as t from 'io-ts';

const AppConfig = t.type({
  logLevel: t.string,
  server: t.type({ port: t.number }),
  pool: t.type({ min: t.number, max: t.number }),
  db: t.type({ url: t.string, password: t.string }),
  upstreams: t.array(t.type({ host: t.string, token: t.string })),
});

export default defineProfile({
  name: 'app',
  format: ${format},
  codec: AppConfig,
  defaults: ${JSON.stringify(appDefaults)},
  restartRequired: ['server.port'],
  secrets: ['db.password', 'upstreams.*.token'],
  validate: (c) => [
    ...(c.pool.min > c.pool.max
      ? [{ severity: 'error', message: 'pool.min must be at most pool.max', field: 'pool.min' }]
      : []),
    ...(c.pool.max > 100
      ? [{ severity: 'warning', message: 'pool.max above 100 starves the database', field: 'pool.max' }]
      : []),
  ],
});
`;
}
