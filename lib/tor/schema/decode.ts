import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Location, Problem } from '../../core/problem.js';
import { deepFreeze, isDeepFrozen } from '../../engine/freeze.js';
import type { TorrcEntry } from '../torrc.js';
import { nearest } from './suggest.js';
import { maxOnionStreams, type TorCheck, torChecks } from './tor-checks.js';
import {
  currentDefaultConfig,
  type FieldKind,
  fieldCodecs,
  fieldNames,
  fields,
  type OnionClientAuth,
  type OnionService,
  TorConfig,
  type TorConfigField,
} from './tor-config.js';
import { torAliases, torObsoleteNames, torOptionNames } from './tor-options.js';
import { validationProblems } from './validate.js';
import { parseClientAuth } from './values/client-auth.js';
import { NonNegativeInt } from './values/integer.js';
import { parseHiddenServicePort } from './values/onion-port.js';
import { parseRouterSet } from './values/router-set.js';
import { NonEmptyText } from './values/text.js';
import { TextCodec } from './values/value-codec.js';
import { isVouchedConfig, vouchForConfig } from './vouched-config.js';

/** Options for turning torrc entries into a config. */
export interface DecodeOptions {
  /** What the file is laid over; a reload always starts again from here (FIELD-NOTES row 11). */
  readonly base: TorConfig;
  /** Unknown keys are errors instead of warnings. */
  readonly strict: boolean;
}

/** A config decoded from torrc entries, with what was worth saying about it. */
export interface Decoded {
  readonly config: TorConfig;
  /** Warnings and notes (repeated options, unknown keys, Tor options hotrc ignores). */
  readonly warnings: ReadonlyArray<Problem>;
  /** The line that last set each field the file touched. */
  readonly sources: ReadonlyMap<TorConfigField, Location>;
}

type OnionPart = 'dir' | 'port' | 'max-streams' | 'client-auth';
interface Binding {
  readonly field: TorConfigField;
  /** Canonical spelling, for messages. */
  readonly key: string;
  readonly kind: FieldKind;
  readonly part?: OnionPart;
  /** The field's place in fieldNames. */
  readonly index: number;
  /** How one value is read: for a single-value field, its value; for a line list, one line. */
  readonly reader: ItemReader | undefined;
  /** A port Tor reads as a line list (FieldMeta.torLineList). */
  readonly lineList: boolean;
  /** Tor's own check of a value read under this key (torChecks). */
  readonly check: TorCheck | undefined;
  /** Tor's name for the key when the line used an alias Tor warns about (`MaxConn`). */
  readonly deprecatedAlias?: string;
}

const onionParts: Readonly<Record<string, OnionPart>> = {
  HiddenServiceDir: 'dir',
  HiddenServicePort: 'port',
  HiddenServiceMaxStreams: 'max-streams',
  HiddenServiceClientAuth: 'client-auth',
};

function firstMessage(errors: t.Errors): string {
  return errors.find((e) => e.message !== undefined)?.message ?? 'invalid value';
}

type TextParser = (text: string) => E.Either<string, unknown>;

/** How one torrc line of a line-list field becomes an item. */
interface ItemReader {
  /** True only for text that is an item as it stands (the codec's isNormal): kept, no Either. */
  readonly isNormal: (text: string) => boolean;
  readonly parse: TextParser;
}

const never = (): boolean => false;

// A codec's reader of one torrc value, message as the Left: the value codec's own parser when it
// has one (no io-ts context or error list per line, which a file of thousands of Bridge lines
// feels), else its io-ts decode.
function itemReader(codec: t.Mixed): ItemReader {
  if (codec instanceof TextCodec) return { isNormal: codec.isNormal, parse: codec.parse };
  return {
    isNormal: never,
    parse: (text) => {
      const decoded = codec.decode(text);
      return E.isLeft(decoded) ? E.left(firstMessage(decoded.left)) : E.right(decoded.right);
    },
  };
}

// A single-value field's codec reads its value; a line-list field's codec is an array codec, and
// one torrc line decodes one item. Router sets and onion services have readers of their own.
function readerOf(field: TorConfigField, kind: FieldKind): ItemReader | undefined {
  const codec = fieldCodecs[field] as unknown as t.Mixed;
  if (kind === 'single') return itemReader(codec);
  if (kind === 'lines') return itemReader((codec as unknown as t.ReadonlyArrayType<t.Mixed>).type);
  return undefined;
}

const canonicalBindings: ReadonlyArray<readonly [string, Binding]> = fieldNames.flatMap(
  (field, index) =>
    fields[field].keys.map((key): [string, Binding] => {
      const part = onionParts[key];
      const kind = fields[field].kind;
      const common = {
        field,
        key,
        index,
        lineList: fields[field].torLineList === true,
        check: torChecks.get(key),
      };
      const binding: Binding =
        part === undefined
          ? { ...common, kind, reader: readerOf(field, kind) }
          : { ...common, kind: 'onion', part, reader: undefined };
      return [key, binding];
    }),
);
// Lower-cased torrc key -> what it sets. Keys are case-insensitive in Tor, and Tor's aliases of
// the options hotrc reads (`ExcludeNode`, `NumEntryNodes`, `MaxConn`) set the same field.
const bindings: ReadonlyMap<string, Binding> = (() => {
  const map = new Map(canonicalBindings.map(([key, binding]) => [key.toLowerCase(), binding]));
  for (const [lower, { alias, name, deprecated }] of torAliases) {
    const target = map.get(name.toLowerCase());
    if (target !== undefined)
      map.set(lower, deprecated ? { ...target, deprecatedAlias: alias } : target);
  }
  return map;
})();
// The same for keys spelt as Tor spells them, as nearly every line is: no lower-casing needed.
const spelledBindings: ReadonlyMap<string, Binding> = new Map(canonicalBindings);

const torOptionsLower: ReadonlyMap<string, string> = new Map(
  [...torOptionNames].map((name) => [name.toLowerCase(), name]),
);
const torObsoleteLower: ReadonlyMap<string, string> = new Map(
  [...torObsoleteNames].map((name) => [name.toLowerCase(), name]),
);
const knownKeys: ReadonlyArray<string> = canonicalBindings.map(([key]) => key);

/** Unknown keys reported one by one before the rest are only counted. */
const maxUnknownListed = 100;

interface OnionGroup {
  readonly dir: string;
  readonly at: Location;
  readonly ports: Array<{ VirtualPort: number; TargetAddr: string }>;
  maxStreams: number;
  readonly clientAuth: OnionClientAuth[];
}

// A base that is a config exactly as decodeTorrc builds one (a plain object whose own properties
// are the fields, in print order, each a data property) can be copied with one spread; any other
// base is read field by field, as Object.assign reads it (own enumerable properties only).
function isPlainConfig(base: object): boolean {
  const proto = Object.getPrototypeOf(base);
  if (proto !== Object.prototype && proto !== null) return false;
  const names = Object.getOwnPropertyNames(base);
  if (names.length !== fieldNames.length) return false;
  for (let f = 0; f < names.length; f++) {
    if (names[f] !== fieldNames[f]) return false;
    const d = Object.getOwnPropertyDescriptor(base, names[f] as string);
    if (d === undefined || !('value' in d) || !d.enumerable) return false;
  }
  return Object.getOwnPropertySymbols(base).length === 0;
}

// A base the codec accepts, deep-frozen and plain, is vouched for once: every later load over it
// (a watcher's every reload) then costs a WeakSet lookup, not a walk of the base by every codec.
// Vouching it changes nothing TorConfig.decode gives for it (the same object, as for any plain
// config it accepts).
function isTrustedBase(base: TorConfig): boolean {
  if (isVouchedConfig(base)) return true;
  if (!isPlainConfig(base) || !isDeepFrozen(base) || !TorConfig.is(base)) return false;
  vouchForConfig(base);
  return true;
}

const isEnumerable = Object.prototype.propertyIsEnumerable;

// The config being built: a copy of the base's fields, which the file's lines then overwrite. A
// plain object with its fields in print order (no dictionary: one that later reads are fast on),
// keyed only by names from the field table, so a hostile base cannot reach Object.prototype.
function draftOf(base: TorConfig, trusted: boolean): Record<string, unknown> {
  if (trusted) return { ...base };
  const draft: Record<string, unknown> = {};
  for (const name of fieldNames) {
    draft[name] = isEnumerable.call(base, name)
      ? (base as Record<string, unknown>)[name]
      : undefined;
  }
  return draft;
}

const noFields: ReadonlySet<TorConfigField> = new Set();

/**
 * Lays torrc entries over a base config (by default `defaultConfig()`), then validates the result.
 * Every problem is collected, not just the first: all value errors, all structural errors, and the
 * cross-field rules of `validateConfig` for fields that decoded. Errors carry file and line.
 * @example
 * const r = decodeTorrc([{ key: 'LogLevel', value: 'debug', op: 'set', file: 'torrc', line: 1 }]);
 * // Right({ config: { ...defaults, LogLevel: 'debug' }, warnings: [], sources })
 */
export function decodeTorrc(
  entries: ReadonlyArray<TorrcEntry>,
  options?: Partial<DecodeOptions>,
): E.Either<ReadonlyArray<Problem>, Decoded> {
  const base = options?.base ?? currentDefaultConfig();
  const strict = options?.strict ?? false;
  const trusted = isTrustedBase(base);
  const problems: Problem[] = [];
  // The entry that last set each field; its Location is built once, at the end, not per line.
  const setBy = new Map<TorConfigField, TorrcEntry>();
  // Per field (by its index in fieldNames): a repeat was reported, the base's list was replaced.
  const marks = new Uint8Array(fieldNames.length);
  let failed: Set<TorConfigField> | undefined;
  const draft = draftOf(base, trusted);
  const onion: { groups: OnionGroup[] | undefined } = { groups: undefined };
  let unknown: Set<string> | undefined;
  let unlisted = 0;

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as TorrcEntry;
    const binding = spelledBindings.get(entry.key) ?? bindings.get(entry.key.toLowerCase());
    if (binding === undefined) {
      const lower = entry.key.toLowerCase();
      unknown ??= new Set();
      // Each distinct key is reported once, at its first line, and only the first
      // `maxUnknownListed` of them: a file of garbage must not cost a suggestion search per line.
      if (unknown.has(lower)) continue;
      unknown.add(lower);
      if (unknown.size > maxUnknownListed) {
        unlisted++;
        continue;
      }
      reportUnused(problems, entry, lower, strict);
      continue;
    }
    const { field, key } = binding;
    if (binding.deprecatedAlias !== undefined) reportAlias(problems, entry, binding);
    switch (binding.kind) {
      case 'single': {
        if (entry.op === 'clear') {
          draft[field] = base[field];
          setBy.delete(field);
          break;
        }
        if (binding.lineList) {
          // Tor reads a port as a line list: a line with no value is skipped, and each line
          // with one is a listener of its own, which one port cannot hold.
          if (entry.value === '') {
            report(problems, 'warning', entry, `Linelist option '${key}' has no value. Skipping.`);
            break;
          }
          const first = setBy.get(field);
          if (first !== undefined) {
            failed = (failed ?? new Set()).add(field);
            report(problems, 'error', entry, twoListeners(key, first, entry), field);
            break;
          }
        } else if (setBy.has(field) && ((marks[binding.index] as number) & REPEATED) === 0) {
          marks[binding.index] = (marks[binding.index] as number) | REPEATED;
          report(
            problems,
            'warning',
            entry,
            `Option '${key}' used more than once; all but the last value will be ignored.`,
            field,
          );
        }
        setBy.set(field, entry);
        if (entry.value === '') {
          // Tor: an empty value resets a single-value option to zero/empty, not to its default.
          const zero = fields[field].zero;
          if (zero === undefined) {
            failed = (failed ?? new Set()).add(field);
            report(problems, 'error', entry, `Could not parse ${key}: a value is required.`, field);
          } else {
            draft[field] = zero;
            failed?.delete(field);
          }
          break;
        }
        const decoded = (binding.reader as ItemReader).parse(entry.value);
        if (E.isLeft(decoded)) {
          failed = (failed ?? new Set()).add(field);
          report(problems, 'error', entry, `Could not parse ${key}: ${decoded.left}`, field);
          break;
        }
        const checked = binding.check?.(decoded.right);
        if (checked?.problem !== undefined) {
          report(problems, checked.problem.severity, entry, checked.problem.message, field);
          if (checked.problem.severity === 'error') {
            failed = (failed ?? new Set()).add(field);
            break;
          }
        }
        draft[field] = checked === undefined ? decoded.right : checked.value;
        failed?.delete(field);
        break;
      }
      case 'lines':
      case 'router-set': {
        if (entry.op === 'clear') {
          listFor(draft, marks, binding, entry);
          break;
        }
        // Line lists come in runs of one key (thousands of Bridge lines, one after another): the
        // run is read here in one loop, with one lookup of its key, its list and its reader, and
        // it ends at the first entry of another key or a `/Key`.
        let list: unknown[] | undefined;
        let lastSet: TorrcEntry | undefined;
        const reader = binding.reader;
        let k = i;
        for (; k < entries.length; k++) {
          const line = entries[k] as TorrcEntry;
          if (k > i) {
            if (line.key !== entry.key || line.op === 'clear') break;
            if (binding.deprecatedAlias !== undefined) reportAlias(problems, line, binding);
          }
          const { value } = line;
          if (value === '') {
            report(
              problems,
              'warning',
              line,
              `Linelist option '${key}' has no value. Skipping.`,
              field,
            );
            continue;
          }
          // The first line with a value replaces the base list or, for `+Key`, copies it.
          list ??= listFor(draft, marks, binding, line);
          lastSet = line;
          if (reader !== undefined) {
            if (reader.isNormal(value)) {
              list.push(value);
              continue;
            }
            const item = reader.parse(value);
            if (E.isLeft(item)) {
              failed = (failed ?? new Set()).add(field);
              report(problems, 'error', line, `Could not parse ${key}: ${item.left}`, field);
            } else {
              list.push(item.right);
            }
            continue;
          }
          const items = parseRouterSet(value);
          if (E.isLeft(items)) {
            failed = (failed ?? new Set()).add(field);
            report(problems, 'error', line, `Could not parse ${key}: ${items.left}`, field);
          } else {
            for (const item of items.right) list.push(item);
          }
        }
        if (lastSet !== undefined) setBy.set(field, lastSet);
        i = k - 1;
        break;
      }
      case 'onion': {
        // Tor's HiddenService* options are line lists too: a line with no value is skipped.
        if (entry.value === '' && entry.op !== 'clear') {
          report(problems, 'warning', entry, `Linelist option '${key}' has no value. Skipping.`);
          break;
        }
        const error = decodeOnionLine(binding.part ?? 'dir', key, entry, onion);
        if (error !== undefined) {
          failed = (failed ?? new Set()).add(field);
          report(problems, 'error', entry, error, field);
        } else if (binding.part === 'dir' && entry.op !== 'clear') {
          setBy.set(field, entry);
        }
        break;
      }
    }
  }

  if (unlisted > 0) {
    problems.push({
      severity: strict ? 'error' : 'warning',
      message: `${unlisted} more unknown options not listed.`,
    });
  }

  if (onion.groups !== undefined) {
    const services: OnionService[] = [];
    for (const group of onion.groups) {
      if (group.ports.length === 0) {
        failed = (failed ?? new Set()).add('OnionServices');
        problems.push({
          severity: 'error',
          message: `Hidden service ("${group.dir}") with no ports configured.`,
          ...group.at,
          field: 'OnionServices',
        });
      }
      for (const port of group.ports) {
        services.push({
          ServiceDir: group.dir,
          ...port,
          MaxStreams: group.maxStreams,
          ClientAuth: group.clientAuth,
        });
      }
    }
    draft.OnionServices = services;
  }

  // What the draft shares with a vouched base is deep-frozen already (deepFreeze knows a frozen
  // value's children): only what the file built is walked.
  const config = deepFreeze(draft as unknown as TorConfig);
  const sources = new Map<TorConfigField, Location>();
  for (const [field, entry] of setBy) sources.set(field, { file: entry.file, line: entry.line });
  const checked = validationProblems(config, { sources, skip: failed ?? noFields });
  for (const p of checked) problems.push(p);
  for (const p of problems) if (p.severity === 'error') return E.left(problems);
  // Every value came from its field's codec or from the base: with a base the codec accepts,
  // the codec accepts the whole, and nothing needs to check it field by field again.
  if (trusted || TorConfig.is(base)) vouchForConfig(config);
  return E.right({ config, warnings: problems, sources });
}

const REPEATED = 1;
const REPLACED = 2;

// A key no field reads: one of Tor's options hotrc does not use (a note), an obsolete one Tor
// skips (Tor's warning), an alias of either, or unknown (a warning, an error under strict).
function reportUnused(
  problems: Problem[],
  entry: TorrcEntry,
  lower: string,
  strict: boolean,
): void {
  const alias = torAliases.get(lower);
  if (alias?.deprecated === true) {
    report(problems, 'warning', entry, deprecatedMessage(alias.alias, alias.name));
  }
  const name = alias?.name ?? entry.key;
  const torName = torOptionsLower.get(name.toLowerCase());
  const obsolete = torObsoleteLower.get(name.toLowerCase());
  if (torName !== undefined) {
    const spelled = alias === undefined ? '' : ` (as '${entry.key}')`;
    report(
      problems,
      'info',
      entry,
      `Tor option '${torName}'${spelled} is not used by hotrc; ignored.`,
    );
  } else if (obsolete !== undefined) {
    report(problems, 'warning', entry, `Skipping obsolete configuration option "${obsolete}".`);
  } else {
    const guess = nearest(entry.key, knownKeys);
    const hint = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
    report(problems, strict ? 'error' : 'warning', entry, `Unknown option '${entry.key}'${hint}.`);
  }
}

function deprecatedMessage(alias: string, name: string): string {
  return `The configuration option '${alias}' is deprecated; use '${name}' instead.`;
}

function reportAlias(problems: Problem[], entry: TorrcEntry, binding: Binding): void {
  report(
    problems,
    'warning',
    entry,
    deprecatedMessage(binding.deprecatedAlias as string, binding.key),
    binding.field,
  );
}

// Where a line is, said from another line: "line 3" in the same file, else "FILE:3".
function whereFrom(at: TorrcEntry, from: TorrcEntry): string {
  return at.file === from.file ? `line ${at.line}` : `${at.file}:${at.line}`;
}

function twoListeners(key: string, first: TorrcEntry, again: TorrcEntry): string {
  return `${key} is set again (first at ${whereFrom(first, again)}): Tor opens a listener for each ${key} line, and hotrc's ${key} is one port; keep one ${key} line.`;
}

function report(
  problems: Problem[],
  severity: Problem['severity'],
  entry: TorrcEntry,
  message: string,
  field?: TorConfigField,
): void {
  problems.push({
    severity,
    message,
    file: entry.file,
    line: entry.line,
    ...(field === undefined ? {} : { field }),
  });
}

// The list a line-list line adds to: the first plain line replaces the base list; `+Key` appends
// to it (a copy, the first time); `/Key` empties it.
function listFor(
  draft: Record<string, unknown>,
  marks: Uint8Array,
  b: Binding,
  entry: TorrcEntry,
): unknown[] {
  const replaced = ((marks[b.index] as number) & REPLACED) !== 0;
  if (entry.op === 'clear' || (entry.op === 'set' && !replaced)) {
    draft[b.field] = [];
  } else if (!replaced) {
    draft[b.field] = [...(draft[b.field] as unknown[])];
  }
  marks[b.index] = (marks[b.index] as number) | REPLACED;
  return draft[b.field] as unknown[];
}

/**
 * One HiddenService* line applied to the groups being built; returns an error message, if any.
 * A `HiddenServiceDir` opens a group; the other keys belong to the last one opened.
 */
function decodeOnionLine(
  part: OnionPart,
  key: string,
  entry: TorrcEntry,
  onion: { groups: OnionGroup[] | undefined },
): string | undefined {
  if (part === 'dir') {
    if (entry.op === 'clear') {
      onion.groups = [];
      return undefined;
    }
    const dir = NonEmptyText.decode(entry.value);
    if (E.isLeft(dir)) return `Could not parse ${key}: ${firstMessage(dir.left)}`;
    // The first HiddenServiceDir of a file replaces the base's services, like any line list.
    onion.groups ??= [];
    if (onion.groups.some((g) => g.dir === dir.right)) {
      return `Another hidden service is already configured for directory "${dir.right}"`;
    }
    onion.groups.push({
      dir: dir.right,
      at: { file: entry.file, line: entry.line },
      ports: [],
      maxStreams: 0,
      clientAuth: [],
    });
    return undefined;
  }
  const group = onion.groups?.at(-1);
  if (group === undefined) return `${key} with no preceding HiddenServiceDir directive`;
  if (part === 'port') {
    const port = parseHiddenServicePort(entry.value);
    if (E.isLeft(port)) return `Could not parse ${key}: ${port.left}`;
    group.ports.push(port.right);
  } else if (part === 'max-streams') {
    const n = NonNegativeInt.decode(entry.value);
    if (E.isLeft(n)) return `Could not parse ${key}: ${firstMessage(n.left)}`;
    if (n.right > maxOnionStreams) {
      return `${key} must be between 0 and ${maxOnionStreams}, not ${n.right}.`;
    }
    group.maxStreams = n.right;
  } else {
    // hotrc extension: `HiddenServiceClientAuth NAME KEY`. The key is a secret, so the
    // message names the client and never echoes the value.
    const auth = parseClientAuth(entry.value);
    if (E.isLeft(auth)) return `Could not parse ${key}: ${auth.left}`;
    group.clientAuth.push(auth.right);
  }
  return undefined;
}
