import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Problem } from '../core/problem.js';
import { decodeDocument } from './decode-document.js';
import { diffPaths } from './diff-paths.js';
import { covers } from './dotted-path.js';
import type { Format, ParsedDocument } from './format.js';
import { putOwn } from './put-own.js';
import type { FieldChange } from './types.js';
import { unknownKeys, withoutUnknownKeys } from './unknown-keys.js';

/**
 * What a profile's decode is told besides the document: the config it is laid over (the
 * profile's defaults unless the engine's `base` option says otherwise) and whether unknown keys
 * are errors.
 * @example const context: DecodeContext<AppConfig> = { base: appDefaults, strict: false };
 */
export interface DecodeContext<C> {
  readonly base: C;
  readonly strict: boolean;
}

/**
 * A decoded config and what decoding it found worth saying (unknown keys, repeated options).
 * @example const d: Decoded<AppConfig> = { config, warnings: [] };
 */
export interface Decoded<C> {
  readonly config: C;
  readonly warnings: ReadonlyArray<Problem>;
  /**
   * The validate this decode already ran over `config`, finding no error (what it said is in
   * `warnings`): the engine then does not run it a second time. The engine skips its own call
   * only when this is the profile's `validate` itself, so a profile built from another one with
   * its validate swapped still has that one run. A decode that validates as it goes, to put each
   * problem on its line (Tor's), sets it.
   */
  readonly validatedBy?: (config: C) => ReadonlyArray<Problem>;
}

/**
 * How bytes become a config of type `C`, and what may change live: everything the engine needs to
 * know about one kind of config, and all it knows of it. Build one with `defineProfile`.
 * @example const rc = new ReloadableConfig(await loadConfig(path, appProfile), path, logger, { profile: appProfile });
 */
export interface Profile<C> {
  /** For messages and the CLI: `'torrc'`, `'app'`. */
  readonly name: string;
  readonly format: Format;
  /** The io-ts codec a document is decoded with; `t.TypeOf<typeof codec>` is `C`. */
  readonly codec: t.Type<C, unknown, unknown>;
  /** What a file is laid over on every load, so a key deleted from the file returns to it. */
  readonly defaults: C;
  /** Dotted paths whose values never appear in logs, diffs or problems. */
  readonly secrets: ReadonlyArray<string>;
  /** A parsed document, laid over `context.base`, as a config: every problem at once. Pure. */
  decode(
    document: ParsedDocument,
    context: DecodeContext<C>,
  ): E.Either<ReadonlyArray<Problem>, Decoded<C>>;
  /** Cross-field rules over a decoded config: every problem at once (errors reject it). Pure. */
  validate(config: C): ReadonlyArray<Problem>;
  /** Whether a change at this dotted path is applied live (else it needs a restart). */
  isReloadable(path: string): boolean;
  /** What differs from `oldConfig` to `newConfig`, by dotted path; texts redact secrets. */
  diff(oldConfig: C, newConfig: C): ReadonlyArray<FieldChange>;
  /**
   * What a reload makes live: `fileConfig`, except that every restart-only path keeps its value
   * from `current`. The engine validates the result again before it applies it.
   */
  keepRestartRequired(current: C, fileConfig: C): C;
}

/**
 * What `defineProfile` takes. Give `reloadable` (only these paths reload live, the rest need a
 * restart) or `restartRequired` (these need a restart, the rest reload live), not both; neither
 * means everything reloads. A path covers everything under it (`pool` covers `pool.max`); a `*`
 * segment stands for any one key (`servers.*.password`).
 * @example
 * defineProfile({ name: 'app', format: yamlFormat, codec: AppConfig, defaults, restartRequired: ['server.port'], secrets: ['db.password'] })
 */
export interface ProfileSpec<C> {
  readonly name: string;
  readonly format: Format;
  readonly codec: t.Type<C, unknown, unknown>;
  readonly defaults: C;
  readonly validate?: (config: C) => ReadonlyArray<Problem>;
  readonly reloadable?: ReadonlyArray<string>;
  readonly restartRequired?: ReadonlyArray<string>;
  readonly secrets?: ReadonlyArray<string>;
  /**
   * The decode step, for a format whose document is not the config's shape (a torrc's lines).
   * Default: lay the document's value over the base and decode it with `codec`, each codec error
   * located in the file (`decodeDocument`); keys the codec does not know are warnings at their
   * line (errors under `strict`), with the nearest known key suggested (`unknownKeys`).
   */
  readonly decode?: Profile<C>['decode'];
  /** The diff, for a profile that shows values its own way (Go durations). Default `diffPaths`. */
  readonly diff?: Profile<C>['diff'];
  /** The merge of live and kept-back paths, for a profile with a faster one. Default: by path. */
  readonly keepRestartRequired?: Profile<C>['keepRestartRequired'];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const segmentsOf = (path: string): ReadonlyArray<string> => (path === '' ? [] : path.split('.'));

// A pattern that lies under `path` (`server.port` under `server`): a change at `path` touches it.
const touches = (path: ReadonlyArray<string>, patterns: ReadonlyArray<string>): boolean =>
  patterns.some((pattern) => {
    const segments = pattern.split('.');
    return (
      segments.length > path.length &&
      path.every((s, i) => segments[i] === '*' || segments[i] === s)
    );
  });

// Copies `from`'s value at each concrete path matched by `pattern` into `into` (both plain data,
// `into` a fresh copy owned by the caller). A `*` matches every key present on either side.
// Where the walk cannot go down (a side is absent there, or a list or a scalar), the diff sees one
// change at that level, a parent of the pattern's path, and isReloadable calls that a restart:
// so the value there stays the current config's, which is `into` or `from` as `currentIs` says.
function carry(
  into: unknown,
  from: unknown,
  pattern: ReadonlyArray<string>,
  currentIs: 'into' | 'from',
): unknown {
  if (pattern.length === 0) return from;
  const [head, ...rest] = pattern as [string, ...string[]];
  if (!isRecord(into) || !isRecord(from)) return currentIs === 'into' ? into : from;
  const keys = head === '*' ? [...new Set([...Object.keys(into), ...Object.keys(from)])] : [head];
  const out: Record<string, unknown> = { ...into };
  for (const key of keys) {
    const value = carry(out[key], from[key], rest, currentIs);
    if (value === undefined) delete out[key];
    else putOwn(out, key, value);
  }
  return out;
}

/**
 * Builds a Profile from its parts, checking them once: a programmer's mistake (both `reloadable`
 * and `restartRequired`, defaults the codec refuses, defaults that fail `validate`) throws a
 * TypeError here rather than failing every reload.
 * @example
 * export default defineProfile({
 *   name: 'app',
 *   format: yamlFormat,
 *   codec: AppConfig,
 *   defaults: { server: { port: 8080 }, pool: { min: 1, max: 10 } },
 *   restartRequired: ['server.port'],
 *   validate: (c) => (c.pool.min > c.pool.max ? [{ severity: 'error', message: 'pool.min must be <= pool.max', field: 'pool.min' }] : []),
 * });
 */
export function defineProfile<C>(spec: ProfileSpec<C>): Profile<C> {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('defineProfile needs a spec');
  const { name, format, codec, defaults } = spec;
  if (typeof name !== 'string' || name === '') throw new TypeError('a profile needs a name');
  if (typeof format?.parse !== 'function')
    throw new TypeError(`profile ${name}: format has no parse`);
  if (typeof codec?.decode !== 'function')
    throw new TypeError(`profile ${name}: codec is not an io-ts codec`);
  if (spec.reloadable !== undefined && spec.restartRequired !== undefined) {
    throw new TypeError(`profile ${name}: give reloadable or restartRequired, not both`);
  }
  const paths = (what: string, list: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
    if (list === undefined) return [];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && p !== '')) {
      throw new TypeError(`profile ${name}: ${what} must be a list of dotted paths`);
    }
    return Object.freeze([...list]);
  };
  const reloadable =
    spec.reloadable === undefined ? undefined : paths('reloadable', spec.reloadable);
  const restartRequired = paths('restartRequired', spec.restartRequired);
  const secrets = paths('secrets', spec.secrets);
  const validate = spec.validate ?? (() => []);
  if (!codec.is(defaults))
    throw new TypeError(`profile ${name}: the codec refuses its own defaults`);
  const defaultProblems = validate(defaults).filter((p) => p.severity === 'error');
  if (defaultProblems.length > 0) {
    throw new TypeError(
      `profile ${name}: its defaults are invalid: ${defaultProblems.map((p) => p.message).join('; ')}`,
    );
  }

  const isReloadable = (path: string): boolean => {
    const segments = segmentsOf(path);
    if (reloadable !== undefined) return covers(segments, reloadable);
    return !covers(segments, restartRequired) && !touches(segments, restartRequired);
  };
  const diff =
    spec.diff ??
    ((oldConfig: C, newConfig: C) => diffPaths(oldConfig, newConfig, { secrets, isReloadable }));
  const keepByPath = (current: C, fileConfig: C): C => {
    if (reloadable !== undefined) {
      let out: unknown = structuredClone(current);
      for (const p of reloadable) out = carry(out, fileConfig, p.split('.'), 'into');
      return out as C;
    }
    let out: unknown = structuredClone(fileConfig);
    for (const p of restartRequired) out = carry(out, current, p.split('.'), 'from');
    return out as C;
  };
  const keepRestartRequired = spec.keepRestartRequired ?? keepByPath;
  const decode: Profile<C>['decode'] =
    spec.decode ??
    ((document, context) => {
      // A key the codec does not know would otherwise leave its default silently in force.
      const unknown = unknownKeys(document, codec, context.strict);
      const known = { ...document, value: withoutUnknownKeys(document.value, codec) };
      const decoded = decodeDocument(known, codec, context.base, { secrets });
      if (E.isLeft(decoded)) return E.left([...decoded.left, ...unknown]);
      if (context.strict && unknown.length > 0) return E.left(unknown);
      return E.right({ config: decoded.right, warnings: unknown });
    });
  return Object.freeze({
    name,
    format,
    codec,
    defaults,
    secrets,
    decode,
    validate,
    isReloadable,
    diff,
    keepRestartRequired,
  });
}
