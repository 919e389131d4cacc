// keepCacheFile with a real etcd source (values served by real looks at a real etcd) and a real
// cache file in a temp directory; the statuses are driven by hand, in the shape the engine emits,
// so each rule is pinned down alone: which status writes, which never does, a failed write.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, Subject } from 'rxjs';
import type { ReloadStatus } from '../../lib/engine/reloadable-config.js';
import { readCacheFile } from '../../lib/fleet/cache-file.js';
import { type CacheKeeper, keepCacheFile } from '../../lib/fleet/cache-keeper.js';
import { fleetMessages } from '../../lib/fleet/fleet-log.js';
import { type EtcdSource, etcdSource } from '../../lib/sources/etcd-source.js';
import { type SharedEtcd, specKey, withSharedEtcd } from '../support/etcd.js';
import { sha } from '../support/fleet.js';
import { logSink } from '../support/log-sink.js';

const status = (version: string | undefined, sha256: string | undefined): ReloadStatus => ({
  path: '/k',
  generation: 1,
  watching: true,
  lastSuccessAt: 0,
  lastError: undefined,
  sha256,
  version,
  source: { reachable: true, since: 0, detail: 'connected' },
  pendingRestart: [],
  fastPath: 'watching',
  fastPathReason: undefined,
});

describe('keepCacheFile (a real etcd source)', function () {
  this.timeout(20_000);
  let etcd: SharedEtcd;
  let client: Etcd3;
  let key: string;
  let dir: string;
  let file: string;
  let source: EtcdSource;
  let status$: Subject<ReloadStatus>;
  let keeper: CacheKeeper | undefined;
  withSharedEtcd((e, c) => {
    etcd = e;
    client = c;
  });
  beforeEach(async () => {
    key = specKey('cache-keeper');
    dir = await mkdtemp(join(tmpdir(), 'hotrc-cache-keeper-'));
    file = join(dir, 'torrc.cache');
    source = etcdSource({ hosts: etcd.endpoint, key, callTimeoutMs: 1000 });
    status$ = new Subject();
  });
  afterEach(async () => {
    await keeper?.stop();
    keeper = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  // Puts text and has the source serve it (a real look), as the engine would; its version.
  const serve = async (text: string) => {
    await client.put(key).value(text);
    const state = await lastValueFrom(source.look());
    assert.equal(state.kind, 'snapshot');
    return (state as { version: string }).version;
  };
  const cached = async () => {
    const c = await readCacheFile(file, key);
    return E.isRight(c) ? [c.right.revision, Buffer.from(c.right.bytes).toString()] : c.left.cause;
  };

  it('writes the value the status says was loaded, and the newest one each time it changes', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    const v1 = await serve('ConnLimit 1\n');
    status$.next(status(v1, sha('ConnLimit 1\n')));
    await keeper.settled();
    assert.deepEqual(await cached(), [v1, 'ConnLimit 1\n']);
    const v2 = await serve('ConnLimit 2\n');
    status$.next(status(v2, sha('ConnLimit 2\n')));
    await keeper.settled();
    assert.deepEqual(await cached(), [v2, 'ConnLimit 2\n']);
  });

  it('never writes for a status without a version or sha256 (nothing loaded yet)', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    await serve('ConnLimit 1\n');
    status$.next(status(undefined, undefined));
    status$.next(status(undefined, sha('ConnLimit 1\n')));
    await keeper.settled();
    assert.equal(await cached(), 'missing');
  });

  it('never writes a version the source did not serve, or whose sha256 is not what it served', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    const v1 = await serve('ConnLimit 1\n');
    status$.next(status(v1, sha('ConnLimit 9\n')));
    status$.next(status('999999999', sha('ConnLimit 1\n')));
    await keeper.settled();
    assert.equal(await cached(), 'missing');
  });

  it('the same (version, sha256) again writes nothing, even once the file is gone', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    const v1 = await serve('ConnLimit 1\n');
    status$.next(status(v1, sha('ConnLimit 1\n')));
    await keeper.settled();
    const first = await readCacheFile(file, key);
    await rm(file);
    // Another status change (generation, health) with the same value loaded.
    status$.next({ ...status(v1, sha('ConnLimit 1\n')), generation: 2 });
    await keeper.settled();
    assert.ok(E.isRight(first));
    assert.equal(await cached(), 'missing');
  });

  it('a failed write is logged as an error, and the next change tries again', async () => {
    const log = logSink('debug');
    const inMissing = join(dir, 'not-yet', 'torrc.cache');
    keeper = keepCacheFile(status$, source, inMissing, log.logger);
    const v1 = await serve('ConnLimit 1\n');
    status$.next(status(v1, sha('ConnLimit 1\n')));
    await keeper.settled();
    const [line] = log.find(fleetMessages.cacheWriteFailed);
    assert.equal(line?.level, 50);
    assert.equal(line?.file, inMissing);
    assert.ok(line?.err !== undefined);
    await mkdir(join(dir, 'not-yet'));
    const v2 = await serve('ConnLimit 2\n');
    status$.next(status(v2, sha('ConnLimit 2\n')));
    await keeper.settled();
    const c = await readCacheFile(inMissing, key);
    assert.ok(E.isRight(c));
    assert.equal(c.right.revision, v2);
  });

  it('statuses that come while a write runs end in the newest value on disk', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    const texts = ['ConnLimit 1\n', 'ConnLimit 2\n', 'ConnLimit 3\n'];
    const versions: string[] = [];
    for (const t of texts) versions.push(await serve(t));
    for (const [i, v] of versions.entries()) status$.next(status(v, sha(texts[i] as string)));
    await keeper.settled();
    await keeper.settled();
    assert.deepEqual(await cached(), [versions[2], 'ConnLimit 3\n']);
  });

  it('stop() waits for the write in flight, and nothing is written after it', async () => {
    keeper = keepCacheFile(status$, source, file, undefined);
    const v1 = await serve('ConnLimit 1\n');
    status$.next(status(v1, sha('ConnLimit 1\n')));
    await keeper.stop();
    assert.deepEqual(await cached(), [v1, 'ConnLimit 1\n']);
    const v2 = await serve('ConnLimit 2\n');
    status$.next(status(v2, sha('ConnLimit 2\n')));
    await keeper.settled();
    assert.deepEqual(await cached(), [v1, 'ConnLimit 1\n']);
  });
});
