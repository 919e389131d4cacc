import { appProfile } from '../../examples/app-profile.js';
import { loadConfig } from '../../lib/engine/load-config.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import type { Prng } from './prng.js';

/**
 * One kind of config the storm writes: how content number `n` reads, how an invalid one reads,
 * where the number is found in a decoded config, and how the watcher's profile decodes a file.
 *
 * Every valid content has the same length (the number is six digits: see `firstCounter`), so
 * any two of them are a same-size edit. The number sits in a reloadable field, and the last line
 * sets another reloadable field away from its default, so a prefix of a content (a torn read)
 * decodes to a config that no complete content decodes to. Nothing restart-only changes, so
 * what `config$` emits is exactly the decode of the content read.
 * @example const text = stormConfigs.torrc.valid(100_001);
 */
export interface StormConfig {
  readonly name: 'torrc' | 'yaml';
  /** The watched file's name in its directory. */
  readonly fileName: string;
  /** The options that give the watcher this profile (`{}` for Tor, the default). */
  readonly options: Readonly<Record<string, unknown>>;
  valid(n: number): string;
  /** A content the profile must refuse (a bad value, a rule broken, a syntax error), numbered. */
  invalid(n: number, rng: Prng): string;
  /** The content number a decoded config carries. */
  counterOf(config: unknown): number;
  /** The file decoded as the watcher's profile decodes it (rejects when invalid). */
  load(path: string): Promise<unknown>;
}

/** Contents are numbered from here, so every number has six digits. */
export const firstCounter = 100_000;

const torrc = (n: number): string => `## write storm content ${n}
SocksPort 9050
CircuitPoolMinSize 4
CircuitPoolMaxSize ${n}
LogLevel warn
NewCircuitPeriod 45 seconds
IsolateDestinations 1
MaxCircuitDirtiness 11 minutes
`;

const yaml = (n: number): string => `# write storm content ${n}
server:
  host: 127.0.0.1
  port: 8080
pool:
  min: 2
  max: ${n}
features:
  - search
  - storm
logLevel: warn
db:
  url: postgres://127.0.0.1/storm
  password: storm-secret
`;

// Each breaks the content a different way: the codec, the profile's validate, the format.
const torrcInvalid: ReadonlyArray<(text: string) => string> = [
  (s) => s.replace('LogLevel warn', 'LogLevel shouting'),
  (s) => s.replace('CircuitPoolMinSize 4', 'CircuitPoolMinSize 9999999'),
  (s) => s.replace('11 minutes', '11 parsecs'),
];
const yamlInvalid: ReadonlyArray<(text: string) => string> = [
  (s) => s.replace('logLevel: warn', 'logLevel: shouting'),
  (s) => s.replace('min: 2', 'min: 9999999'),
  (s) => s.replace('features:\n', 'features: [\n'),
];

/**
 * The two kinds: a torrc through hotrc's Tor profile, and the YAML profile of
 * examples/app-profile.ts.
 * @example stormConfigs.yaml.counterOf(await stormConfigs.yaml.load(path))
 */
export const stormConfigs: Readonly<Record<StormConfig['name'], StormConfig>> = Object.freeze({
  torrc: {
    name: 'torrc',
    fileName: 'torrc',
    options: {},
    valid: torrc,
    invalid: (n, rng) => rng.pick(torrcInvalid)(torrc(n)),
    counterOf: (c) => (c as { CircuitPoolMaxSize: number }).CircuitPoolMaxSize,
    load: (path) => loadFromFile(path),
  },
  yaml: {
    name: 'yaml',
    fileName: 'app.yaml',
    options: { profile: appProfile },
    valid: yaml,
    invalid: (n, rng) => rng.pick(yamlInvalid)(yaml(n)),
    counterOf: (c) => (c as { pool: { max: number } }).pool.max,
    load: (path) => loadConfig(path, appProfile),
  },
});
