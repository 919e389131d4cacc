// `hotrc push` as a function: load the file as a host would, read what etcd holds, show what
// changes, and write with a compare-and-swap on the revision read, the replaced value kept in
// the history in the same transaction. Two operators never overwrite each other silently: the
// one whose read is stale gets a conflict naming the revision that won.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import type { Profile } from '../engine/profile.js';
import type { FieldChange } from '../engine/types.js';
import { defaultMaxValueBytes } from '../sources/etcd-connect.js';
import { checkFleetKey, fleetKeys } from './fleet-keys.js';
import type { HistoryEntry } from './history-entry.js';
import { type Candidate, loadCandidate } from './push-candidate.js';
import type { PushIncludes } from './push-includes.js';
import { type Published, readPublished } from './push-read.js';
import { publishTransaction, transactionBytes } from './push-transaction.js';

/**
 * How a push publishes. `key` is required; everything else has a default.
 * - `expectRevision`: write only over this revision (`'0'`: only if the key is absent), not over
 *   whatever revision the push reads
 * - `force`: replace a stored value that does not load with this profile (a broken value put by
 *   hand, or one of another format). It never skips the compare-and-swap, and never the checks of
 *   the value being pushed: a lost race stays a conflict, an invalid file stays refused
 * - `strict`: unknown keys are errors, as on a host started with strict
 * - `includes`/`inlineIncludes`: the format's includes (refused unless inlined)
 * - `maxValueBytes`: the largest value (default 1 MiB, the hosts' limit)
 * - `maxRequestBytes`: the largest transaction (value + history entry + push record), below
 *   etcd's request limit (default `--max-request-bytes` 1.5 MiB, less a margin)
 * - `who`, `now`, `newId`: what the push record says (default `user@host`, the clock, a UUID)
 * @example await pushConfig(client, torProfile, '/etc/tor/torrc', { key: '/hotrc/torrc' })
 */
export interface PushOptions {
  readonly key: string;
  readonly expectRevision: string | undefined;
  readonly force: boolean;
  readonly strict: boolean;
  readonly includes: PushIncludes | undefined;
  readonly inlineIncludes: boolean;
  readonly maxValueBytes: number;
  readonly maxRequestBytes: number;
  readonly who: string;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** etcd's default request limit (1.5 MiB), less room for the request's own framing. */
const defaultMaxRequestBytes = 1.5 * 1024 * 1024 - 8 * 1024;

/**
 * The push options' defaults (all but `key`).
 * @example pushConfig(client, profile, file, { ...defaultPushOptions, key, force: true })
 */
export const defaultPushOptions: Omit<PushOptions, 'key' | 'who'> = Object.freeze({
  expectRevision: undefined,
  force: false,
  strict: false,
  includes: undefined,
  inlineIncludes: false,
  maxValueBytes: defaultMaxValueBytes,
  maxRequestBytes: defaultMaxRequestBytes,
  now: () => new Date(),
  newId: () => randomUUID(),
});

/**
 * Who a push record names by default: `user@host`.
 * @example defaultWho() // 'ops@admin-1'
 */
export function defaultWho(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): the host still says something
  }
  return `${user}@${hostname()}`;
}

/**
 * How a push ended:
 * - `pushed`: live at `revision`, over `previous` (null: the key was new); `changes` against the
 *   stored value (against the profile's defaults for a new key; undefined when the stored value
 *   did not load and `force` replaced it). `readBack`: etcd's answer was an error, and the push
 *   record read back showed it landed
 * - `unchanged`: etcd holds these very bytes already; nothing written
 * - `invalid`: the value to publish is refused (problems at FILE:LINE); nothing written
 * - `stored-invalid`: the stored value does not load with this profile; nothing written (`force`)
 * - `conflict`: the key is not at the revision expected (`expected`, null: absent) but at `current`
 * - `unreachable`: etcd did not answer (one line)
 * @example if (r.kind === 'conflict') console.error(`lost the race: now at ${r.current}`);
 */
export type PushOutcome =
  | {
      readonly kind: 'pushed';
      readonly revision: string;
      readonly previous: string | null;
      readonly changes: ReadonlyArray<FieldChange> | undefined;
      readonly warnings: ReadonlyArray<Problem>;
      readonly sha256: string;
      readonly id: string;
      readonly inlined: boolean;
      readonly readBack: boolean;
    }
  | {
      readonly kind: 'unchanged';
      readonly revision: string;
      readonly warnings: ReadonlyArray<Problem>;
    }
  | { readonly kind: 'invalid'; readonly problems: ReadonlyArray<Problem> }
  | {
      readonly kind: 'stored-invalid';
      readonly revision: string;
      readonly problems: ReadonlyArray<Problem>;
    }
  | {
      readonly kind: 'conflict';
      readonly current: string | null;
      readonly expected: string | null;
    }
  | { readonly kind: 'unreachable'; readonly message: string };

/** Resolved push options. */
type Resolved = PushOptions;

const optionNames = new Set([...Object.keys(defaultPushOptions), 'key', 'who']);

/**
 * Push options against the defaults, checked once: an unknown option, a bad key or a bad
 * revision is a TypeError (a programmer's mistake; the CLI checks what operators type).
 * @example resolvePushOptions({ key: '/hotrc/torrc' }).force // false
 */
export function resolvePushOptions(options: Partial<PushOptions> & { key: string }): Resolved {
  for (const name of Object.keys(options)) {
    if (!optionNames.has(name)) throw new TypeError(`unknown push option '${name}'`);
  }
  const key = checkFleetKey(options.key);
  if (E.isLeft(key)) throw new TypeError(key.left);
  const resolved: Resolved = {
    ...defaultPushOptions,
    who: defaultWho(),
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    key: key.right,
    expectRevision: options.expectRevision,
  };
  if (resolved.expectRevision !== undefined && !/^(0|[1-9][0-9]*)$/.test(resolved.expectRevision)) {
    throw new TypeError(
      `expectRevision must be a decimal revision, not '${resolved.expectRevision}'`,
    );
  }
  return resolved;
}

/**
 * Reads FILE (at most `maxValueBytes`) and publishes it under `options.key`: see
 * `publishCandidate`. Never rejects for bad input or an etcd failure.
 * @example
 * const r = await pushConfig(client, torProfile, '/etc/tor/torrc', { key: '/hotrc/torrc' });
 * if (r.kind === 'pushed') console.log(`live at revision ${r.revision}`);
 */
export async function pushConfig<C>(
  client: Etcd3,
  profile: Profile<C>,
  file: string,
  options: Partial<PushOptions> & { key: string },
): Promise<PushOutcome> {
  const o = resolvePushOptions(options);
  const bytes = await readLocal(file, o.maxValueBytes);
  if (E.isLeft(bytes)) return { kind: 'invalid', problems: bytes.left };
  const candidate = await loadCandidate(profile, bytes.right, file, o);
  if (E.isLeft(candidate)) return { kind: 'invalid', problems: candidate.left };
  return publishCandidate(client, profile, candidate.right, o);
}

// The file, refused unread when it is over the limit (it could be anything, e.g. /dev/zero).
async function readLocal(
  file: string,
  maxBytes: number,
): Promise<E.Either<ReadonlyArray<Problem>, Uint8Array>> {
  const fail = (message: string) => E.left([{ severity: 'error' as const, message, file }]);
  try {
    const s = await stat(file);
    if (!s.isFile()) return fail('not a file');
    // Includes, when inlined, are checked with the total; the file alone can be refused now.
    if (s.size > maxBytes) {
      return fail(`${s.size} bytes: over the ${maxBytes}-byte limit of a value in etcd`);
    }
    return E.right(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(`cannot read it${code === undefined ? '' : ` (${code})`}`);
  }
}

/**
 * Publishes a loaded candidate under `options.key`: reads the stored value; a conflict when it is
 * not at `expectRevision`; `unchanged` when it holds the same bytes; loads the stored value with
 * the same profile for the diff (`stored-invalid` unless `force` when it does not load); then one
 * transaction: the value if the key is still at the revision read (`Create == 0` if it was
 * absent), the replaced value under `KEY/history/REVISION`, the push record under `KEY/push`.
 * @example const r = await publishCandidate(client, profile, candidate, resolvePushOptions({ key }));
 */
export async function publishCandidate<C>(
  client: Etcd3,
  profile: Profile<C>,
  candidate: Candidate<C>,
  options: PushOptions,
): Promise<PushOutcome> {
  const keys = fleetKeys(options.key);
  const read = await readPublished(client, keys);
  if (E.isLeft(read)) return { kind: 'unreachable', message: read.left };
  const stored = read.right;
  const at = stored?.revision ?? '0';
  if (options.expectRevision !== undefined && options.expectRevision !== at) {
    return {
      kind: 'conflict',
      current: stored?.revision ?? null,
      expected: options.expectRevision,
    };
  }
  const warnings = candidate.loaded.warnings;
  if (stored !== undefined && Buffer.from(stored.bytes).equals(Buffer.from(candidate.bytes))) {
    return { kind: 'unchanged', revision: stored.revision, warnings };
  }
  const before = await storedConfig(profile, stored, options);
  if (E.isLeft(before) && !options.force) {
    return { kind: 'stored-invalid', revision: at, problems: before.left };
  }
  const changes = E.isLeft(before)
    ? undefined
    : profile.diff(before.right, candidate.loaded.config);
  const record = {
    id: options.newId(),
    who: options.who,
    time: options.now().toISOString(),
    sha256: candidate.sha256,
  };
  const history: HistoryEntry | undefined =
    stored === undefined
      ? undefined
      : {
          text: Buffer.from(stored.bytes).toString('utf8'),
          revision: stored.revision,
          sha256: stored.sha256,
          time: stored.push?.time ?? null,
          who: stored.push?.who ?? null,
        };
  const write = { bytes: candidate.bytes, base: stored, history, record };
  const size = transactionBytes(keys, write);
  if (size > options.maxRequestBytes) {
    const message = `with the value it replaces kept in the history, this push is ${size} bytes: over the ${options.maxRequestBytes}-byte limit of an etcd request`;
    return { kind: 'invalid', problems: [{ severity: 'error', message, file: options.key }] };
  }
  const result = await publishTransaction(client, keys, write);
  switch (result.kind) {
    case 'landed':
      return {
        kind: 'pushed',
        revision: result.revision,
        previous: stored?.revision ?? null,
        changes,
        warnings,
        sha256: candidate.sha256,
        id: record.id,
        inlined: candidate.inlined,
        readBack: result.readBack,
      };
    case 'conflict':
      return { kind: 'conflict', current: result.current, expected: stored?.revision ?? null };
    case 'unreachable':
      return result;
  }
}

// What the hosts run now, as a config, for the diff: the profile's defaults for a new key.
async function storedConfig<C>(
  profile: Profile<C>,
  stored: Published | undefined,
  options: PushOptions,
): Promise<E.Either<ReadonlyArray<Problem>, C>> {
  if (stored === undefined) return E.right(profile.defaults);
  const loaded = await loadCandidate(profile, stored.bytes, `${options.key}@${stored.revision}`, {
    strict: false,
    maxValueBytes: Number.MAX_SAFE_INTEGER,
    includes: options.includes,
    inlineIncludes: false,
  });
  return E.isLeft(loaded) ? loaded : E.right(loaded.right.loaded.config);
}
