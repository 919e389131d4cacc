// The config a fleet host starts with: the etcd key's value, decoded and validated by the
// profile exactly as a file's would be, or, when etcd cannot give a usable one (out of reach,
// no key, a value that does not validate) and a cache file holds the last value this host
// applied, that one, said so. Never the engine's job: the engine needs a config to start from.
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { errorsOf, formatProblem, type Problem } from '../core/problem.js';
import { loadDocument } from '../engine/load-document.js';
import type { Profile } from '../engine/profile.js';
import type { Loaded } from '../engine/types.js';
import {
  connectEtcd,
  defaultMaxValueBytes,
  type EtcdConnection,
  etcdFailure,
  etcdHosts,
} from '../sources/etcd-connect.js';
import { resolveFilePolicy } from '../sources/file-policy.js';
import { readCacheFile } from './cache-file.js';

/**
 * Where the config is and how to read it at start.
 * @example const o: LoadFromEtcdOptions<TorConfig> = { hosts: '127.0.0.1:2379', key: '/hotrc/torrc', profile: torProfile, cacheFile: '/var/lib/hotrc/torrc.cache' };
 */
export interface LoadFromEtcdOptions<C> extends EtcdConnection {
  readonly key: string;
  readonly profile: Profile<C>;
  /** The last value applied, kept by the host reporter (see cache-file.ts). Default none. */
  readonly cacheFile?: string | undefined;
  /** A larger value is refused before it is decoded. Default 1 MiB. */
  readonly maxBytes?: number | undefined;
  /** Unknown keys are errors. Default false. */
  readonly strict?: boolean | undefined;
  /** What the value is laid over. Default `profile.defaults`. */
  readonly base?: C | undefined;
}

/**
 * What a host starts from: the decoded config, the revision and sha256 of the value it came
 * from, and whether that value came from etcd or (etcd being of no use now) the cache file.
 * @example const { loaded, revision, from } = started; if (from === 'cache') log.warn(started.reason);
 */
export interface FleetStart<C> {
  readonly loaded: Loaded<C>;
  readonly revision: string;
  readonly sha256: string;
  readonly bytes: Uint8Array;
  readonly from: 'etcd' | 'cache';
  /** With `from: 'cache'`: why etcd's value was not used (out of reach, missing, invalid). */
  readonly reason?: string;
}

/**
 * Why a host cannot start: etcd gave nothing usable and there is no usable cache. `kind` is
 * etcd's (`unreachable`, `missing`, `too-large`, `invalid`); `problems` each `KEY:LINE: message`
 * for an invalid value, and the cache file's own problem when there was one.
 * @example catch (e) { if (e instanceof FleetStartError) for (const p of e.problems) console.error(formatProblem(p)); }
 */
export class FleetStartError extends Error {
  override readonly name = 'FleetStartError';
  constructor(
    readonly key: string,
    readonly kind: string,
    readonly problems: ReadonlyArray<Problem>,
  ) {
    super(errorsOf(problems).map(formatProblem).join('\n'));
  }
}

type EtcdRead =
  | { readonly kind: 'value'; readonly revision: string; readonly bytes: Uint8Array }
  | { readonly kind: 'problem'; readonly cause: string; readonly problems: ReadonlyArray<Problem> };

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readKey(o: LoadFromEtcdOptions<unknown>): Promise<EtcdRead> {
  const connection: EtcdConnection = {
    hosts: o.hosts,
    ...(o.tls === undefined ? {} : { tls: o.tls }),
    ...(o.auth === undefined ? {} : { auth: o.auth }),
    ...(o.callTimeoutMs === undefined ? {} : { callTimeoutMs: o.callTimeoutMs }),
  };
  const problem = (cause: string, message: string): EtcdRead => ({
    kind: 'problem',
    cause,
    problems: [{ severity: 'error', message }],
  });
  const client = await connectEtcd(connection);
  try {
    const response = await client.get(o.key).exec();
    const kv = response.kvs[0];
    if (kv === undefined) {
      return problem('missing', `etcd key ${o.key} does not exist (push a config to it first)`);
    }
    const max = o.maxBytes ?? defaultMaxValueBytes;
    if (kv.value.length > max) {
      return problem(
        'too-large',
        `etcd key ${o.key} holds ${kv.value.length} bytes, more than maxBytes (${max}): refused unread`,
      );
    }
    return { kind: 'value', revision: kv.mod_revision, bytes: new Uint8Array(kv.value) };
  } catch (err) {
    return problem(
      'unreachable',
      `cannot reach etcd at ${etcdHosts(connection.hosts).join(', ')} for key ${o.key}: ${etcdFailure(err)}`,
    );
  } finally {
    client.close();
  }
}

async function decode<C>(
  o: LoadFromEtcdOptions<C>,
  bytes: Uint8Array,
): Promise<E.Either<ReadonlyArray<Problem>, Loaded<C>>> {
  const loaded = await loadDocument(
    o.profile,
    {
      bytes,
      file: o.key,
      selfContained: true,
      signal: new AbortController().signal,
      policy: resolveFilePolicy(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
    },
    { base: o.base ?? o.profile.defaults, strict: o.strict ?? false },
  );
  return E.isLeft(loaded) ? E.left(loaded.left.rejection.problems) : E.right(loaded.right);
}

/**
 * The config to start with: one `get` of the key (with a deadline), its value decoded and
 * validated with the profile, exactly as the watcher will decode every later value. When etcd
 * gives nothing usable (out of reach, no such key, too large, invalid) and `cacheFile` holds a
 * usable value for this key (whole, its sha256 right, valid), that value, with `from: 'cache'`
 * and the reason. Otherwise a FleetStartError listing etcd's problems and the cache's. Never
 * rejects for bad input.
 * @example
 * const started = await loadFromEtcd({ hosts, key, profile: torProfile, cacheFile });
 * if (E.isRight(started)) new Reloadable(started.right.loaded.config, key, logger, { profile, source });
 */
export async function loadFromEtcd<C>(
  options: LoadFromEtcdOptions<C>,
): Promise<E.Either<FleetStartError, FleetStart<C>>> {
  const read = await readKey(options as LoadFromEtcdOptions<unknown>);
  let failure: { cause: string; problems: ReadonlyArray<Problem> };
  if (read.kind === 'value') {
    const decoded = await decode(options, read.bytes);
    if (E.isRight(decoded)) {
      return E.right({
        loaded: decoded.right,
        revision: read.revision,
        sha256: sha256Of(read.bytes),
        bytes: read.bytes,
        from: 'etcd',
      });
    }
    failure = { cause: 'invalid', problems: decoded.left };
  } else {
    failure = read;
  }
  const fail = (more: ReadonlyArray<Problem> = []) =>
    E.left(new FleetStartError(options.key, failure.cause, [...failure.problems, ...more]));
  if (options.cacheFile === undefined) return fail();
  const cached = await readCacheFile(options.cacheFile, options.key);
  if (E.isLeft(cached)) return fail([{ severity: 'error', message: cached.left.message }]);
  const decoded = await decode(options, cached.right.bytes);
  if (E.isLeft(decoded)) {
    const message = `cache file ${options.cacheFile} (revision ${cached.right.revision}) is not valid either`;
    return fail([{ severity: 'error', message }, ...decoded.left]);
  }
  const why = errorsOf(failure.problems).map(formatProblem).join('; ');
  return E.right({
    loaded: decoded.right,
    revision: cached.right.revision,
    sha256: cached.right.sha256,
    bytes: cached.right.bytes,
    from: 'cache',
    reason: `started from cache file ${options.cacheFile} (revision ${cached.right.revision}, saved ${cached.right.savedAt}): ${why}`,
  });
}
