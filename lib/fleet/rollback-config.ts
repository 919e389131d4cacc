// `hotrc rollback` as a function: publish a value from the history again, as a push would
// (validated, diffed, compare-and-swap), so the rollback itself is recorded in the history.

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import type { Profile } from '../engine/profile.js';
import { compareRevisions, listHistory, type Version } from './history-list.js';
import { loadCandidate } from './push-candidate.js';
import {
  type PushOptions,
  type PushOutcome,
  publishCandidate,
  resolvePushOptions,
} from './push-config.js';
import { sha256Hex } from './push-read.js';

/**
 * How a rollback ended: a push's outcome, or `not-found` when the history holds no such revision
 * (or, without `to`, no version before the current one); `available` lists what it holds.
 * @example if (r.kind === 'not-found') console.error(`no revision ${r.revision}: try ${r.available.join(', ')}`);
 */
export type RollbackOutcome =
  | (PushOutcome & { readonly to?: string })
  | {
      readonly kind: 'not-found';
      readonly revision: string | null;
      readonly available: ReadonlyArray<string>;
    };

/**
 * Publishes the version at revision `to` from the history (default: the newest one before the
 * current), loaded, diffed and written exactly as `pushConfig` does, with a compare-and-swap on
 * the revision current when the history was read. A version whose text no longer matches its
 * sha256 is refused as invalid. Never rejects for bad input or an etcd failure.
 * @example const r = await rollbackConfig(client, torProfile, { key: '/hotrc/torrc', to: '41' });
 */
export async function rollbackConfig<C>(
  client: Etcd3,
  profile: Profile<C>,
  options: Partial<PushOptions> & { key: string; to?: string | undefined },
): Promise<RollbackOutcome> {
  const { to, ...push } = options;
  const o = resolvePushOptions(push);
  const list = await listHistory(client, o.key);
  if (E.isLeft(list)) return { kind: 'unreachable', message: list.left };
  const { current, versions } = list.right;
  const older = versions.filter((v) => !v.current);
  const target: Version | undefined =
    to === undefined
      ? older.find((v) => current === null || compareRevisions(v.revision, current) < 0)
      : versions.find((v) => v.revision === to);
  if (target === undefined) {
    return { kind: 'not-found', revision: to ?? null, available: older.map((v) => v.revision) };
  }
  const file = `${o.key}@${target.revision}`;
  const bytes = Buffer.from(target.text, 'utf8');
  if (sha256Hex(bytes) !== target.sha256) {
    const message = `its text does not match its sha256 ${target.sha256}: the history entry is damaged`;
    return { kind: 'invalid', problems: [{ severity: 'error', message, file }] };
  }
  const candidate = await loadCandidate(profile, bytes, file, { ...o, inlineIncludes: false });
  if (E.isLeft(candidate)) return { kind: 'invalid', problems: candidate.left };
  const expectRevision = o.expectRevision ?? current ?? '0';
  const outcome = await publishCandidate(client, profile, candidate.right, {
    ...o,
    expectRevision,
  });
  return { ...outcome, to: target.revision };
}
