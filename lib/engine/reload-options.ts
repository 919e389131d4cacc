import { constants } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { errorsOf, formatProblem } from '../core/problem.js';
import { type FilePolicy, resolveFilePolicy } from '../sources/file-policy.js';
import { defaultRacyWindowMs, defaultWriteQuietMs } from '../sources/fingerprint.js';
import { type FsPort, nodeFs } from '../sources/fs-port.js';
import { deepFreeze, isDeepFrozen } from './freeze.js';
import type { Profile } from './profile.js';
import type { SnapshotSource } from './types.js';
import { codecKeys } from './unknown-keys.js';

/**
 * Everything a ReloadableConfig can be tuned with; pass any part of it.
 * @example const options: Partial<ReloadOptions> = { writeQuietMs: 1000, reloadOnSignal: 'SIGHUP' };
 */
export interface ReloadOptions<C> extends FilePolicy {
  /** How the source's bytes become a config: format, codec, defaults, what reloads live. */
  readonly profile: Profile<C>;
  /** What the file is laid over on every load (FIELD-NOTES row 11). Default `profile.defaults`. */
  readonly base: C;
  /** Unknown keys reject the file instead of warning. Default false. */
  readonly strict: boolean;
  /**
   * A file changed in place (same inode: `echo >`, truncate-then-write, an editor saving in
   * place) is read only once it has been quiet this long, judged by its ctime (ms). So is a new
   * inode (delete-and-recreate, a file renamed in and then written), unless there is evidence it
   * arrived whole: its ctime after its mtime, or the fast path saw it renamed into place and not
   * written since (a rename-save is then read at once). Default 500.
   */
  readonly writeQuietMs: number;
  /**
   * How long a missing, empty or unreadable file must stay so before it is reported, and the
   * pause before looking again when a read saw the file move (ms). Default 50.
   */
  readonly settleMs: number;
  /** A file still changing this long after it began to is rejected as `unstable` (ms). Default 10000. */
  readonly settleTimeoutMs: number;
  /** Restart-only changes: `keep` them back and report them (default), or `reject` the reload as Tor does. */
  readonly restartRequired: 'keep' | 'reject';
  /**
   * The fast path: while the watcher runs, look at the source as soon as it hints at a change
   * (for a file: fs.watch on its directory, its symlink chain's and its includes'), instead of
   * at the next poll. Polling goes on beside it at the given interval, the safety net where
   * fs.watch is silent (NFS, SMB, FUSE, some VM mounts). `false` polls only. Default true.
   */
  readonly fsWatch: boolean;
  /** A signal that forces a reload while the watcher runs, e.g. 'SIGHUP'. Default none. */
  readonly reloadOnSignal: NodeJS.Signals | undefined;
  /** A callback that has not answered after this long is a veto (ms). Default 30000. */
  readonly callbackTimeoutMs: number;
  /**
   * A look at the source (a stat, an etcd get, a custom source's `look()`) that has not answered
   * after this long is given up: an `internal` problem, and the next trigger looks again (ms).
   * Default 30000.
   */
  readonly lookTimeoutMs: number;
  /** How long after a change its content is compared again (ms). Default 2000. */
  readonly racyWindowMs: number;
  /**
   * Time source for every timer; tests pass a TestScheduler. Default `asyncScheduler`, on which
   * the last 2 ms of a quiet period are waited on `setImmediate` turns, not on a timer's tick.
   */
  readonly scheduler: SchedulerLike;
  /** The file system door; tests may wrap it. Default node:fs. */
  readonly fs: FsPort;
  /** Where snapshots come from instead of the file (etcd, tests). Default: the file at `path`. */
  readonly source: SnapshotSource | undefined;
}

/**
 * The options as given: any part of ReloadOptions, the profile required. (The package's
 * `ReloadableConfig` fills in hotrc's Tor profile when none is given.)
 * @example const o: ReloadOptionsInput<AppConfig> = { profile: appProfile, writeQuietMs: 1000 };
 */
export type ReloadOptionsInput<C> = Partial<ReloadOptions<C>> & Pick<ReloadOptions<C>, 'profile'>;

/**
 * The defaults every option not given falls back to (the file policy's are `defaultFilePolicy`).
 * @example reloadDefaults.writeQuietMs // 500
 */
export const reloadDefaults: Readonly<
  Omit<ReloadOptions<unknown>, keyof FilePolicy | 'profile' | 'base'>
> = Object.freeze({
  strict: false,
  writeQuietMs: defaultWriteQuietMs,
  settleMs: 50,
  // Twenty quiet periods: no real save is given up on, and a file rewritten in a loop shows.
  settleTimeoutMs: 10_000,
  restartRequired: 'keep',
  fsWatch: true,
  reloadOnSignal: undefined,
  callbackTimeoutMs: 30_000,
  lookTimeoutMs: 30_000,
  racyWindowMs: defaultRacyWindowMs,
  scheduler: asyncScheduler,
  fs: nodeFs,
  source: undefined,
});

const policyKeys = ['maxBytes', 'root', 'allowInsecureMode'] as const;
const knownOptions: ReadonlySet<string> = new Set([
  ...Object.keys(reloadDefaults),
  ...policyKeys,
  'profile',
  'base',
]);

/** Options that were removed, and what to use instead: a TypeError says so. */
const replacedOptions: ReadonlyMap<string, string> = new Map([
  [
    'maxSettleRounds',
    'maxSettleRounds was replaced by settleTimeoutMs, the same budget as a time in ms',
  ],
]);

// The signals a process cannot catch, and the faults Node cannot run a listener after.
const refusedSignals: ReadonlyMap<string, string> = new Map([
  ['SIGKILL', 'cannot be caught'],
  ['SIGSTOP', 'cannot be caught'],
  ['SIGSEGV', 'is a fault that cannot be handled safely'],
  ['SIGBUS', 'is a fault that cannot be handled safely'],
  ['SIGFPE', 'is a fault that cannot be handled safely'],
  ['SIGILL', 'is a fault that cannot be handled safely'],
]);

const msOptions = [
  'writeQuietMs',
  'settleMs',
  'settleTimeoutMs',
  'callbackTimeoutMs',
  'lookTimeoutMs',
  'racyWindowMs',
] as const;

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

const hasFunctions = (u: unknown, names: ReadonlyArray<string>): boolean =>
  isObject(u) && names.every((n) => typeof u[n] === 'function');

/**
 * Completes `options` from the defaults once and checks them, alone and together; the result
 * is frozen. Anything wrong is a programmer error and throws a TypeError here, not on the first
 * poll: an unknown or removed option, a number out of range, a `reloadOnSignal` that is not a
 * signal here or cannot be caught, `settleTimeoutMs` not above `writeQuietMs` and `settleMs`
 * (a save in several writes would be given up on before it could be quiet), no profile, or a
 * `base` the profile refuses (the decoded, frozen `base` is what the result holds; by default the
 * profile's defaults).
 * @example const o = resolveReloadOptions({ profile: torProfile, writeQuietMs: 1000 }); o.settleTimeoutMs // 10000
 */
export function resolveReloadOptions<C>(options: ReloadOptionsInput<C>): ReloadOptions<C> {
  if (!isObject(options) || Array.isArray(options)) {
    throw new TypeError('ReloadableConfig options must be an object');
  }
  const profile = options.profile;
  if (
    !hasFunctions(profile, ['decode', 'validate', 'diff', 'isReloadable', 'keepRestartRequired'])
  ) {
    throw new TypeError('options.profile must be a Profile (see defineProfile)');
  }
  // Nothing but the profile given (the usual case, a thousand times over in a fleet of watchers):
  // every such config shares one resolved, frozen object instead of some 700 bytes each.
  const keys = Object.keys(options);
  if (keys.length === 1 && keys[0] === 'profile') {
    const shared = defaultsByProfile.get(profile) as ReloadOptions<C> | undefined;
    if (shared !== undefined) return shared;
    const resolved = resolveAll({ profile });
    defaultsByProfile.set(profile, resolved);
    return resolved;
  }
  return resolveAll(options);
}

// The options resolved from the profile alone, per profile (see resolveReloadOptions).
const defaultsByProfile = new WeakMap<object, unknown>();

function resolveAll<C>(options: ReloadOptionsInput<C>): ReloadOptions<C> {
  const profile = options.profile;
  for (const key of Object.keys(options ?? {})) {
    const replaced = replacedOptions.get(key);
    if (replaced !== undefined) throw new TypeError(replaced);
    // A misspelt option would otherwise be ignored, and its default silently used.
    if (!knownOptions.has(key)) throw new TypeError(`unknown ReloadableConfig option '${key}'`);
  }
  const { maxBytes, root, allowInsecureMode, profile: _profile, base, ...rest } = options;
  const policy = resolveFilePolicy({
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(root === undefined ? {} : { root }),
    ...(allowInsecureMode === undefined ? {} : { allowInsecureMode }),
  });
  const o = {
    ...reloadDefaults,
    ...policy,
    ...stripUndefined(rest),
    profile,
    base: base === undefined ? profile.defaults : base,
  } as ReloadOptions<C>;
  for (const key of msOptions) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new TypeError(`${key} must be a number of ms >= 0, got ${String(v)}`);
    }
  }
  // A look given no time at all would be given up before any could answer.
  if (o.lookTimeoutMs === 0) throw new TypeError('lookTimeoutMs must be more than 0 ms');
  for (const other of ['writeQuietMs', 'settleMs'] as const) {
    if (o.settleTimeoutMs <= o[other]) {
      throw new TypeError(
        `settleTimeoutMs (${o.settleTimeoutMs}) must be more than ${other} (${o[other]}): a save made in more than one write would be given up on before it could hold still`,
      );
    }
  }
  for (const key of ['strict', 'fsWatch'] as const) {
    if (typeof o[key] !== 'boolean') {
      throw new TypeError(`${key} must be a boolean, got ${typeof o[key]}`);
    }
  }
  if (o.restartRequired !== 'keep' && o.restartRequired !== 'reject') {
    throw new TypeError(
      `restartRequired must be 'keep' or 'reject', got ${String(o.restartRequired)}`,
    );
  }
  checkSignal(o.reloadOnSignal);
  if (!hasFunctions(o.scheduler, ['now', 'schedule'])) {
    throw new TypeError('scheduler must be an rxjs SchedulerLike (now and schedule)');
  }
  if (!hasFunctions(o.fs, ['stat', 'lstat', 'realpath', 'readFile'])) {
    throw new TypeError('fs must be an FsPort (stat, lstat, realpath and readFile)');
  }
  if (
    o.source !== undefined &&
    !(hasFunctions(o.source, ['look']) && typeof o.source.name === 'string')
  ) {
    throw new TypeError('source must be a SnapshotSource (name and look)');
  }
  return Object.freeze({ ...o, base: checkedConfig(profile, o.base, 'options.base') });
}

function checkSignal(signal: unknown): void {
  if (signal === undefined) return;
  if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) {
    throw new TypeError(
      `reloadOnSignal: ${JSON.stringify(signal)} is not a signal on ${process.platform}`,
    );
  }
  const refused = refusedSignals.get(signal);
  if (refused !== undefined) throw new TypeError(`reloadOnSignal: ${signal} ${refused}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// A codec's own name through the wrappers io-ts names after their contents (`Readonly<{| ... |}>`):
// `t.readonly(t.exact(t.type(props, 'TorConfig')))` is a TorConfig. A codec without a name of
// its own is a `config`.
function typeNameOf(codec: unknown): string {
  let c: unknown = codec;
  for (let depth = 0; depth < 10 && isObject(c); depth++) {
    const name = c.name;
    if (typeof name === 'string' && !/[<{(|]/.test(name)) return name;
    c = c.type;
  }
  return 'config';
}

/** `path.to.field: message` for one io-ts error. */
function describeIssue(e: t.ValidationError): string {
  const path = e.context
    .map((c) => c.key)
    .filter((k) => k !== '')
    .join('.');
  const message =
    e.message ?? `expected ${e.context.at(-1)?.type.name ?? 'a value'}, got ${shown(e.value)}`;
  return path === '' ? message : `${path}: ${message}`;
}

function shown(u: unknown): string {
  if (u === undefined) return 'nothing';
  try {
    return JSON.stringify(u) ?? String(u);
  } catch {
    return String(u);
  }
}

/**
 * A config handed over in code (the initial config, `options.base`), checked as a file would be:
 * taken as it is when the codec already accepts it (`codec.is`), else decoded with the profile's
 * codec (for Tor, torrc spellings such as `'15 minutes'` become typed values); validated, copied
 * and frozen (a deep-frozen config is used as it is). The result is what must be used. A
 * bad one is a programmer error: a TypeError naming `what` and every wrong field, e.g.
 * `options.base is not a valid TorConfig: MaxCircuitDirtiness: Unknown unit in 15 parsecs`.
 * @example const initial = checkedConfig(torProfile, await loadFromFile(path), 'the initial config');
 */
export function checkedConfig<C>(profile: Profile<C>, config: unknown, what: string): C {
  const type = typeNameOf(profile.codec);
  if (!isObject(config) || Array.isArray(config)) {
    throw new TypeError(`${what} is not a ${type}: expected an object, got ${shown(config)}`);
  }
  const known = codecKeys(profile.codec);
  const unknown = known === undefined ? [] : Object.keys(config).filter((k) => !known.has(k));
  // Already a decoded config (what loadConfig gives, or a codec that transforms values, whose
  // decoded form it would not decode again): taken as it is. Otherwise decoded, as a file is.
  const decoded = profile.codec.is(config) ? E.right(config as C) : profile.codec.decode(config);
  const wrong = [
    ...(E.isLeft(decoded) ? decoded.left.map(describeIssue) : []),
    ...unknown.map((k) => `${k}: not a ${type} field`),
  ];
  if (wrong.length > 0 || E.isLeft(decoded)) {
    throw new TypeError(`${what} is not a valid ${type}: ${wrong.join('; ')}`);
  }
  const invalid = errorsOf(profile.validate(decoded.right));
  if (invalid.length > 0) {
    throw new TypeError(`${what} is invalid: ${invalid.map(formatProblem).join('; ')}`);
  }
  // Frozen already (a committed config, loadConfig's result): nothing to copy or walk again.
  if (decoded.right === config && isDeepFrozen(config)) return config as C;
  return deepFreeze(structuredClone(decoded.right));
}
