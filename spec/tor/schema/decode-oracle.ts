import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Location, Problem } from '../../../lib/core/problem.js';
import { errorsOf } from '../../../lib/core/problem.js';
import { deepFreeze } from '../../../lib/engine/freeze.js';
import { nearest } from '../../../lib/tor/schema/suggest.js';
import { maxOnionStreams, type TorChecked, torChecks } from '../../../lib/tor/schema/tor-checks.js';
import {
  defaultConfig,
  type FieldKind,
  fieldCodecs,
  fieldNames,
  fields,
  type OnionClientAuth,
  type OnionService,
  type TorConfig,
  type TorConfigField,
} from '../../../lib/tor/schema/tor-config.js';
import {
  torAliases,
  torObsoleteNames,
  torOptionNames,
} from '../../../lib/tor/schema/tor-options.js';
import { validationProblems } from '../../../lib/tor/schema/validate.js';
import { parseClientAuth } from '../../../lib/tor/schema/values/client-auth.js';
import { NonNegativeInt } from '../../../lib/tor/schema/values/integer.js';
import { parseHiddenServicePort } from '../../../lib/tor/schema/values/onion-port.js';
import { parseRouterSet } from '../../../lib/tor/schema/values/router-set.js';
import { NonEmptyText } from '../../../lib/tor/schema/values/text.js';
import { TextCodec } from '../../../lib/tor/schema/values/value-codec.js';
import type { TorrcEntry } from '../../../lib/tor/torrc.js';

// decodeTorrc as it was written field by field, over a null-prototype copy of the base: the
// oracle that the decoder's faster draft (one spread of a vouched base, indexed marks) must
// agree with, output for output, on every input (decode.spec.ts). It vouches for nothing.

/** Options for turning torrc entries into a config. */
interface DecodeOptions {
  /** What the file is laid over; a reload always starts again from here (FIELD-NOTES row 11). */
  readonly base: TorConfig;
  /** Unknown keys are errors instead of warnings. */
  readonly strict: boolean;
}

/** A config decoded from torrc entries, with what was worth saying about it. */
interface Decoded {
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
}

const onionParts: Readonly<Record<string, OnionPart>> = {
  HiddenServiceDir: 'dir',
  HiddenServicePort: 'port',
  HiddenServiceMaxStreams: 'max-streams',
  HiddenServiceClientAuth: 'client-auth',
};

const canonicalBindings: ReadonlyArray<readonly [string, Binding]> = fieldNames.flatMap((field) =>
  fields[field].keys.map((key): [string, Binding] => {
    const part = onionParts[key];
    const binding: Binding =
      part === undefined
        ? { field, key, kind: fields[field].kind }
        : { field, key, kind: 'onion', part };
    return [key, binding];
  }),
);
// Lower-cased torrc key -> what it sets. Keys are case-insensitive in Tor.
const bindings: ReadonlyMap<string, Binding> = new Map(
  canonicalBindings.map(([key, binding]) => [key.toLowerCase(), binding]),
);

const torOptionsLower: ReadonlyMap<string, string> = new Map(
  [...torOptionNames].map((name) => [name.toLowerCase(), name]),
);
const knownKeys: ReadonlyArray<string> = [...bindings.values()].map((b) => b.key);

// A key's binding, through Tor's alias table when it is an alias of a key hotrc reads.
function bindingOf(key: string): { binding: Binding | undefined; deprecated: string | undefined } {
  const lower = key.toLowerCase();
  const own = bindings.get(lower);
  if (own !== undefined) return { binding: own, deprecated: undefined };
  const alias = torAliases.get(lower);
  const binding = alias === undefined ? undefined : bindings.get(alias.name.toLowerCase());
  return {
    binding,
    deprecated: binding !== undefined && alias?.deprecated === true ? alias.alias : undefined,
  };
}

/** Unknown keys reported one by one before the rest are only counted. */
const maxUnknownListed = 100;

interface OnionGroup {
  readonly dir: string;
  readonly at: Location;
  readonly ports: Array<{ VirtualPort: number; TargetAddr: string }>;
  maxStreams: number;
  readonly clientAuth: OnionClientAuth[];
}

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

// A line-list field's codec is an array codec; one torrc line decodes one item.
const itemReaders: ReadonlyMap<TorConfigField, ItemReader> = new Map(
  fieldNames
    .filter((f) => fields[f].kind === 'lines')
    .map((f) => [f, itemReader((fieldCodecs[f] as unknown as t.ReadonlyArrayType<t.Mixed>).type)]),
);

/**
 * Lays torrc entries over a base config (by default `defaultConfig()`), then validates the result.
 * Every problem is collected, not just the first: all value errors, all structural errors, and the
 * cross-field rules of `validateConfig` for fields that decoded. Errors carry file and line.
 * @example
 * const r = decodeTorrc([{ key: 'LogLevel', value: 'debug', op: 'set', file: 'torrc', line: 1 }]);
 * // Right({ config: { ...defaults, LogLevel: 'debug' }, warnings: [], sources })
 */
export function decodeTorrcOracle(
  entries: ReadonlyArray<TorrcEntry>,
  options?: Partial<DecodeOptions>,
): E.Either<ReadonlyArray<Problem>, Decoded> {
  const base = options?.base ?? defaultConfig();
  const strict = options?.strict ?? false;
  const problems: Problem[] = [];
  // The entry that last set each field; its Location is built once, at the end, not per line.
  const setBy = new Map<TorConfigField, TorrcEntry>();
  const failed = new Set<TorConfigField>();
  const repeated = new Set<TorConfigField>();
  const replaced = new Set<TorConfigField>();
  // A null-prototype record: keys come only from the field table, but values are laid over
  // `base`, and a hostile base must not reach Object.prototype.
  const draft: Record<string, unknown> = Object.assign(Object.create(null), base);
  const onion: { groups: OnionGroup[] | undefined } = { groups: undefined };
  const unknown = new Set<string>();
  let unlisted = 0;

  const report = (
    severity: Problem['severity'],
    entry: TorrcEntry,
    message: string,
    field?: TorConfigField,
  ) =>
    problems.push({
      severity,
      message,
      file: entry.file,
      line: entry.line,
      ...(field === undefined ? {} : { field }),
    });

  const listFor = (b: Binding, entry: TorrcEntry): unknown[] => {
    // The first plain line replaces the base list; `+Key` appends to it; `/Key` empties it.
    if (entry.op === 'clear' || (entry.op === 'set' && !replaced.has(b.field))) {
      draft[b.field] = [];
      replaced.add(b.field);
    } else if (!replaced.has(b.field)) {
      draft[b.field] = [...(draft[b.field] as unknown[])];
      replaced.add(b.field);
    }
    return draft[b.field] as unknown[];
  };

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as TorrcEntry;
    const { binding, deprecated } = bindingOf(entry.key);
    if (binding === undefined) {
      const lower = entry.key.toLowerCase();
      // Each distinct key is reported once, at its first line, and only the first
      // `maxUnknownListed` of them: a file of garbage must not cost a suggestion search per line.
      if (unknown.has(lower)) continue;
      unknown.add(lower);
      if (unknown.size > maxUnknownListed) {
        unlisted++;
        continue;
      }
      const alias = torAliases.get(lower);
      if (alias?.deprecated === true) {
        report(
          'warning',
          entry,
          `The configuration option '${alias.alias}' is deprecated; use '${alias.name}' instead.`,
        );
      }
      const name = (alias?.name ?? entry.key).toLowerCase();
      const torName = torOptionsLower.get(name);
      const obsolete = [...torObsoleteNames].find((n) => n.toLowerCase() === name);
      if (torName !== undefined) {
        const spelled = alias === undefined ? '' : ` (as '${entry.key}')`;
        report('info', entry, `Tor option '${torName}'${spelled} is not used by hotrc; ignored.`);
      } else if (obsolete !== undefined) {
        report('warning', entry, `Skipping obsolete configuration option "${obsolete}".`);
      } else {
        const guess = nearest(entry.key, knownKeys);
        const hint = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
        report(strict ? 'error' : 'warning', entry, `Unknown option '${entry.key}'${hint}.`);
      }
      continue;
    }
    const { field, key } = binding;
    const warnAlias = (line: TorrcEntry) => {
      if (deprecated !== undefined) {
        report(
          'warning',
          line,
          `The configuration option '${deprecated}' is deprecated; use '${key}' instead.`,
          field,
        );
      }
    };
    warnAlias(entry);
    switch (binding.kind) {
      case 'single': {
        if (entry.op === 'clear') {
          draft[field] = base[field];
          setBy.delete(field);
          break;
        }
        const first = setBy.get(field);
        if (fields[field].torLineList === true && entry.value === '') {
          report('warning', entry, `Linelist option '${key}' has no value. Skipping.`);
          break;
        }
        if (fields[field].torLineList === true && first !== undefined) {
          failed.add(field);
          const where =
            first.file === entry.file ? `line ${first.line}` : `${first.file}:${first.line}`;
          report(
            'error',
            entry,
            `${key} is set again (first at ${where}): Tor opens a listener for each ${key} line, and hotrc's ${key} is one port; keep one ${key} line.`,
            field,
          );
          break;
        }
        if (fields[field].torLineList !== true && first !== undefined && !repeated.has(field)) {
          repeated.add(field);
          report(
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
            failed.add(field);
            report('error', entry, `Could not parse ${key}: a value is required.`, field);
          } else {
            draft[field] = zero;
            failed.delete(field);
          }
          break;
        }
        const decoded = (fieldCodecs[field] as t.Mixed).decode(entry.value);
        if (E.isLeft(decoded)) {
          failed.add(field);
          report('error', entry, `Could not parse ${key}: ${firstMessage(decoded.left)}`, field);
          break;
        }
        const checked: TorChecked = torChecks.get(key)?.(decoded.right) ?? { value: decoded.right };
        if (checked.problem !== undefined) {
          report(checked.problem.severity, entry, checked.problem.message, field);
        }
        if (checked.problem?.severity === 'error') {
          failed.add(field);
        } else {
          draft[field] = checked.value;
          failed.delete(field);
        }
        break;
      }
      case 'lines':
      case 'router-set': {
        if (entry.op === 'clear') {
          listFor(binding, entry);
          break;
        }
        // Line lists come in runs of one key (thousands of Bridge lines, one after another): the
        // run is read here in one loop, with one lookup of its key, its list and its reader, and
        // it ends at the first entry of another key or a `/Key`.
        let list: unknown[] | undefined;
        let lastSet: TorrcEntry | undefined;
        const reader =
          binding.kind === 'lines' ? (itemReaders.get(field) as ItemReader) : undefined;
        let k = i;
        for (; k < entries.length; k++) {
          const line = entries[k] as TorrcEntry;
          if (k > i && (line.key !== entry.key || line.op === 'clear')) break;
          if (k > i) warnAlias(line);
          const { value } = line;
          if (value === '') {
            report('warning', line, `Linelist option '${key}' has no value. Skipping.`, field);
            continue;
          }
          // The first line with a value replaces the base list or, for `+Key`, copies it.
          list ??= listFor(binding, line);
          lastSet = line;
          if (reader !== undefined) {
            if (reader.isNormal(value)) {
              list.push(value);
              continue;
            }
            const item = reader.parse(value);
            if (E.isLeft(item)) {
              failed.add(field);
              report('error', line, `Could not parse ${key}: ${item.left}`, field);
            } else {
              list.push(item.right);
            }
            continue;
          }
          const items = parseRouterSet(value);
          if (E.isLeft(items)) {
            failed.add(field);
            report('error', line, `Could not parse ${key}: ${items.left}`, field);
          } else {
            for (const item of items.right) list.push(item);
          }
        }
        if (lastSet !== undefined) setBy.set(field, lastSet);
        i = k - 1;
        break;
      }
      case 'onion': {
        if (entry.value === '' && entry.op !== 'clear') {
          report('warning', entry, `Linelist option '${key}' has no value. Skipping.`);
          break;
        }
        const error = decodeOnionLine(binding.part ?? 'dir', key, entry, onion);
        if (error !== undefined) {
          failed.add(field);
          report('error', entry, error, field);
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
        failed.add('OnionServices');
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

  const config = deepFreeze(
    Object.fromEntries(fieldNames.map((f) => [f, draft[f]])) as unknown as TorConfig,
  );
  const sources = new Map<TorConfigField, Location>();
  for (const [field, entry] of setBy) sources.set(field, { file: entry.file, line: entry.line });
  problems.push(...validationProblems(config, { sources, skip: failed }));
  if (errorsOf(problems).length > 0) return E.left(problems);
  // Every value came from its field's codec or from the base: with a base the codec accepts,
  // the codec accepts the whole, and nothing needs to check it field by field again.
  return E.right({ config, warnings: problems, sources });
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
    if (n.right > maxOnionStreams)
      return `${key} must be between 0 and ${maxOnionStreams}, not ${n.right}.`;
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
