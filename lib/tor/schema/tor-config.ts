import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import * as t from 'io-ts';
import { deepFreeze } from '../../engine/freeze.js';
import { Bool } from './values/bool.js';
import { BridgeLine } from './values/bridge-line.js';
import { ClientAuthKey } from './values/client-auth.js';
import { IsolationLevel, LogLevel } from './values/enums.js';
import { NonNegativeInt } from './values/integer.js';
import { Interval } from './values/interval.js';
import { TargetAddr, VirtualPort } from './values/onion-port.js';
import { Port } from './values/port.js';
import { RouterSetEntry } from './values/router-set.js';
import { NonEmptyText, Text } from './values/text.js';
import { isVouchedConfig, vouchForConfig } from './vouched-config.js';

/**
 * One client allowed to reach an onion service. `Key` is a secret: it never reaches a log. It is
 * `descriptor:x25519:` and 52 base32 characters, so the `[REDACTED]` of a redacted dump is refused.
 * @example const a: OnionClientAuth = { Name: 'alice', Key: 'descriptor:x25519:...' };
 */
export const OnionClientAuth = t.readonly(
  t.type({ Name: NonEmptyText, Key: ClientAuthKey }, 'OnionClientAuth'),
);
export type OnionClientAuth = t.TypeOf<typeof OnionClientAuth>;

/**
 * One port of an onion service, go-tor's `OnionServiceConfig`. A `HiddenServiceDir` with two
 * `HiddenServicePort` lines gives two of these with the same `ServiceDir`.
 * @example const s: OnionService = { ServiceDir: '/var/lib/tor/hs', VirtualPort: 80, TargetAddr: '127.0.0.1:8080', MaxStreams: 0, ClientAuth: [] };
 */
export const OnionService = t.readonly(
  t.type(
    {
      ServiceDir: NonEmptyText,
      VirtualPort,
      TargetAddr,
      MaxStreams: NonNegativeInt,
      ClientAuth: t.readonlyArray(OnionClientAuth),
    },
    'OnionService',
  ),
);
export type OnionService = t.TypeOf<typeof OnionService>;

// The codec of each field, in print order.
const torConfigProps = {
  SocksPort: Port,
  ControlPort: Port,
  MetricsPort: Port,
  EnableMetrics: Bool,
  DataDirectory: Text,
  CircuitBuildTimeout: Interval,
  MaxCircuitDirtiness: Interval,
  NewCircuitPeriod: Interval,
  NumEntryGuards: NonNegativeInt,
  UseEntryGuards: Bool,
  UseBridges: Bool,
  BridgeAddresses: t.readonlyArray(BridgeLine),
  ExcludeNodes: t.readonlyArray(RouterSetEntry),
  ExcludeExitNodes: t.readonlyArray(RouterSetEntry),
  ConnLimit: NonNegativeInt,
  DormantTimeout: Interval,
  OnionServices: t.readonlyArray(OnionService),
  LogLevel,
  EnableConnectionPooling: Bool,
  ConnectionPoolMaxIdle: NonNegativeInt,
  ConnectionPoolMaxLife: Interval,
  EnableCircuitPrebuilding: Bool,
  CircuitPoolMinSize: NonNegativeInt,
  CircuitPoolMaxSize: NonNegativeInt,
  EnableBufferPooling: Bool,
  IsolationLevel,
  IsolateDestinations: Bool,
  IsolateSOCKSAuth: Bool,
  IsolateClientPort: Bool,
  IsolateClientProtocol: Bool,
};

// TorConfig is this codec (same name, shape and inner codecs, which the schema, `--strict` and
// the messages read), except that a config hotrc's decoder already vouched for (decoded,
// validated, deep-frozen: see vouched-config.ts) is accepted by identity, not field by field.
const checkedTorConfig = t.readonly(t.exact(t.type(torConfigProps, 'TorConfig')));

/**
 * The Tor client configuration: go-tor's `Config`, field for field. Durations are milliseconds.
 * Decoding accepts torrc spellings for every value (`"15 minutes"`, `"yes"`) as well as typed values,
 * so the same codec reads JSON configs; `TorConfig.encode` gives each field as torrc text. A
 * config from `loadFromFile` (or any decodeTorrc result) is accepted at once, whatever its size.
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * isRight(TorConfig.decode(defaultConfig())) // true
 */
export const TorConfig: typeof checkedTorConfig = new t.ReadonlyType(
  checkedTorConfig.name,
  (u): u is t.TypeOf<typeof checkedTorConfig> => isVouchedConfig(u) || checkedTorConfig.is(u),
  (u, c) =>
    isVouchedConfig(u)
      ? t.success(u as t.TypeOf<typeof checkedTorConfig>)
      : checkedTorConfig.validate(u, c),
  checkedTorConfig.encode,
  checkedTorConfig.type,
);
export type TorConfig = t.TypeOf<typeof TorConfig>;

/**
 * Each field's codec, for decoding one torrc value at a time.
 * @example isRight(fieldCodecs.MaxCircuitDirtiness.decode('15 minutes')) // true (900000 ms)
 */
export const fieldCodecs = TorConfig.type.type.props;

/** A field name of TorConfig. */
export type TorConfigField = keyof TorConfig;

/**
 * How torrc lines build a field:
 * - `single`: the last line wins (Tor warns on repeats); an empty value means zero/empty, not the default
 *   (a port, which Tor reads as a line list, differs: see `torLineList`).
 * - `lines`: each line is one item; the first plain line replaces the default, `+Key` appends, `/Key` clears.
 * - `router-set`: like `lines`, but each line is a comma-separated list (Tor's ExcludeNodes).
 * - `onion`: built from `HiddenServiceDir` groups (see decode.ts).
 */
export type FieldKind = 'single' | 'lines' | 'router-set' | 'onion';

/** What hotrc knows about a field beyond its type. */
export interface FieldMeta {
  readonly kind: FieldKind;
  /** torrc keys that set it, canonical spelling first. */
  readonly keys: ReadonlyArray<string>;
  /** Applied live by a reload (the design document's list); any other change needs a restart. */
  readonly reloadable: boolean;
  /** One line for `hotrc schema` and the README. */
  readonly doc: string;
  /** What an empty torrc value sets a `single` field to (Tor: zero/empty, not the default). */
  readonly zero?: unknown;
  /**
   * A `single` field that Tor reads as a line list (its ports: a listener per line). As in Tor,
   * a line with no value is skipped with a warning; a second value is refused, since hotrc holds
   * one port and Tor would open both.
   */
  readonly torLineList?: boolean;
}

type FieldDraft = Omit<FieldMeta, 'keys'> & { readonly keys?: ReadonlyArray<string> };

const single = (doc: string, zero: unknown, reloadable = false): FieldDraft => ({
  kind: 'single',
  doc,
  zero,
  reloadable,
});

const fieldDrafts: Record<TorConfigField, FieldDraft> = {
  SocksPort: { ...single('SOCKS5 proxy port (0 off, auto, 1-65535).', 0), torLineList: true },
  ControlPort: { ...single('Control protocol port (0 off).', 0), torLineList: true },
  MetricsPort: { ...single('HTTP metrics port (0 off).', 0), torLineList: true },
  EnableMetrics: single('Serve the HTTP metrics endpoint.', false),
  DataDirectory: single('Directory for persistent state.', ''),
  CircuitBuildTimeout: single('Longest time to build a circuit.', 0, true),
  MaxCircuitDirtiness: single(
    'Longest time a circuit is used for new streams (Tor: 10 seconds to 30 days).',
    0,
    true,
  ),
  NewCircuitPeriod: single('How often to consider building a new circuit.', 0, true),
  NumEntryGuards: single('Number of entry guards.', 0),
  UseEntryGuards: single('Pick entry guards.', false),
  UseBridges: single('Connect through bridges (needs at least one Bridge).', false),
  BridgeAddresses: {
    kind: 'lines',
    keys: ['Bridge'],
    reloadable: false,
    doc: 'Bridge relays, one `Bridge` line each.',
  },
  ExcludeNodes: {
    kind: 'router-set',
    reloadable: false,
    doc: 'Relays never used in any circuit (comma-separated router set).',
  },
  ExcludeExitNodes: {
    kind: 'router-set',
    reloadable: false,
    doc: 'Relays never used as exits (comma-separated router set).',
  },
  ConnLimit: single('Most concurrent connections.', 0),
  DormantTimeout: {
    ...single('Idle time before going dormant.', 0),
    keys: ['DormantTimeout', 'DormantClientTimeout'],
  },
  OnionServices: {
    kind: 'onion',
    keys: [
      'HiddenServiceDir',
      'HiddenServicePort',
      'HiddenServiceMaxStreams',
      'HiddenServiceClientAuth',
    ],
    reloadable: false,
    doc: 'Onion services, from HiddenServiceDir groups.',
  },
  LogLevel: single('Log level: debug, info, warn or error.', undefined, true),
  EnableConnectionPooling: single('Pool relay connections.', false, true),
  ConnectionPoolMaxIdle: single('Most idle pooled connections per relay.', 0, true),
  ConnectionPoolMaxLife: single('Longest life of a pooled connection.', 0, true),
  EnableCircuitPrebuilding: single('Build circuits ahead of need.', false, true),
  CircuitPoolMinSize: single('Fewest prebuilt circuits.', 0, true),
  CircuitPoolMaxSize: single('Most prebuilt circuits.', 0, true),
  EnableBufferPooling: single('Pool cell buffers.', false, true),
  IsolationLevel: single(
    'Circuit isolation: none, destination, credential, port or session.',
    undefined,
  ),
  IsolateDestinations: single('Separate circuits per destination host:port.', false, true),
  IsolateSOCKSAuth: single('Separate circuits per SOCKS5 username.', false, true),
  IsolateClientPort: single('Separate circuits per client source port.', false, true),
  IsolateClientProtocol: single('Separate circuits per protocol.', false, true),
};

/**
 * Every field's metadata, in the order configs are printed.
 * @example fields.LogLevel.reloadable // true
 */
export const fields: Readonly<Record<TorConfigField, FieldMeta>> = Object.freeze(
  Object.fromEntries(
    Object.entries(fieldDrafts).map(([name, draft]) => [
      name,
      Object.freeze({ ...draft, keys: draft.keys ?? [name] }),
    ]),
  ) as Record<TorConfigField, FieldMeta>,
);

/**
 * Field names in print order.
 * @example fieldNames[0] // 'SocksPort'
 */
export const fieldNames: ReadonlyArray<TorConfigField> = Object.freeze(
  Object.keys(fieldDrafts) as TorConfigField[],
);

/**
 * The fields a reload applies live, exactly the design document's list.
 * A change to any other field is kept back and reported as needing a restart.
 * @example reloadableFields.includes('LogLevel') // true
 */
export const reloadableFields: ReadonlyArray<TorConfigField> = Object.freeze(
  fieldNames.filter((f) => fields[f].reloadable),
);

/**
 * Whether a field can change without a restart.
 * @example isReloadable('SocksPort') // false
 */
export function isReloadable(field: string): boolean {
  return (fields as Record<string, FieldMeta | undefined>)[field]?.reloadable === true;
}

/**
 * go-tor's per-platform data directory. Reads the environment only; touches no disk.
 * @example defaultDataDirectory('linux', { XDG_DATA_HOME: '/x' }, '/home/u') // '/x/go-tor'
 */
export function defaultDataDirectory(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  switch (platform) {
    case 'win32':
      return win32.join(env.APPDATA ?? win32.join(home, 'AppData', 'Roaming'), 'go-tor');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'go-tor');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'go-tor');
  }
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * go-tor's defaults, frozen. Probes no ports and touches no disk (go-tor probes for a free
 * port; a library must not, since the answer is stale by the time it is used).
 * @example defaultConfig().SocksPort // 9050
 */
export function defaultConfig(): TorConfig {
  return deepFreeze<TorConfig>({
    SocksPort: 9050,
    ControlPort: 9051,
    MetricsPort: 0,
    EnableMetrics: false,
    DataDirectory: defaultDataDirectory(),
    CircuitBuildTimeout: 60 * SECOND,
    MaxCircuitDirtiness: 10 * MINUTE,
    NewCircuitPeriod: 30 * SECOND,
    NumEntryGuards: 3,
    UseEntryGuards: true,
    UseBridges: false,
    BridgeAddresses: [],
    ExcludeNodes: [],
    ExcludeExitNodes: [],
    ConnLimit: 1000,
    DormantTimeout: 24 * HOUR,
    OnionServices: [],
    LogLevel: 'info',
    EnableConnectionPooling: true,
    ConnectionPoolMaxIdle: 5,
    ConnectionPoolMaxLife: 10 * MINUTE,
    EnableCircuitPrebuilding: true,
    CircuitPoolMinSize: 2,
    CircuitPoolMaxSize: 10,
    EnableBufferPooling: true,
    IsolationLevel: 'none',
    IsolateDestinations: false,
    IsolateSOCKSAuth: false,
    IsolateClientPort: false,
    IsolateClientProtocol: false,
  });
}

// What defaultDataDirectory reads from the environment, as one string; undefined when the home
// directory is not in the environment (homedir() then asks the system, every time).
function environmentKey(): string | undefined {
  const env = process.env;
  const windows = process.platform === 'win32';
  // libuv's homedir is HOME (USERPROFILE on Windows) whenever that is set.
  const home = windows ? env.USERPROFILE : env.HOME;
  if (home === undefined || home === '') return undefined;
  const data = windows ? env.APPDATA : env.XDG_DATA_HOME;
  // Unset and empty differ: an empty XDG_DATA_HOME is joined as it is.
  return `${process.platform}\u0000${home}\u0000${data === undefined ? '' : `=${data}`}`;
}

let shared: { readonly key: string; readonly config: TorConfig } | undefined;

/**
 * defaultConfig() as the environment gives it now, vouched for: the same frozen object for as
 * long as the variables the data directory comes from stay the same, a new one when they
 * change. What a torrc is laid over when no base is given, once per save: no config built,
 * frozen and walked by the codec each time.
 * @example currentDefaultConfig().SocksPort // 9050
 */
export function currentDefaultConfig(): TorConfig {
  const key = environmentKey();
  if (key !== undefined && shared?.key === key) return shared.config;
  const config = vouchForConfig(defaultConfig());
  shared = key === undefined ? undefined : { key, config };
  return config;
}
