import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import {
  appendFile,
  mkdtemp,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFilePolicy, resolveFilePolicy } from '../../lib/sources/file-policy.js';
import { type Fingerprint, fingerprintOf } from '../../lib/sources/fingerprint.js';
import { type FsPort, nodeFs } from '../../lib/sources/fs-port.js';
import { readStable, type StableRead } from '../../lib/sources/read-stable.js';

const fingerprintAt = async (path: string): Promise<Fingerprint> =>
  fingerprintOf(await stat(path, { bigint: true }));

const sha256 = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

function readOf(r: StableRead): Extract<StableRead, { kind: 'read' }> {
  assert.equal(r.kind, 'read', `expected a read, got ${r.kind}`);
  return r as Extract<StableRead, { kind: 'read' }>;
}

function movedOf(r: StableRead): Extract<StableRead, { kind: 'moved' }> {
  assert.equal(r.kind, 'moved', `expected moved, got ${r.kind}`);
  return r as Extract<StableRead, { kind: 'moved' }>;
}

function problemOf(r: StableRead): Extract<StableRead, { kind: 'problem' }>['problem'] {
  assert.equal(r.kind, 'problem', `expected a problem, got ${r.kind}`);
  return (r as Extract<StableRead, { kind: 'problem' }>).problem;
}

/** The real adapter, with a hook that runs (for real) just before each readFile. */
function duringRead(hook: (path: string) => Promise<void>): FsPort & { reads: number[] } {
  const reads: number[] = [];
  return {
    ...nodeFs,
    reads,
    async readFile(path, options) {
      await hook(path);
      const bytes = await nodeFs.readFile(path, options);
      reads.push(bytes.length);
      return bytes;
    },
  };
}

describe('sources/read-stable', () => {
  let dir: string;
  let torrc: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-read-stable-')));
    torrc = join(dir, 'torrc');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file that holds still: bytes, fingerprint, sha256, readAtMs', async () => {
    const text = 'SocksPort 9050\nNumEntryGuards 3\n';
    await writeFile(torrc, text);
    const expected = await fingerprintAt(torrc);
    const r = readOf(await readStable(torrc, expected, defaultFilePolicy, { now: () => 1234 }));
    assert.equal(r.bytes.toString(), text);
    assert.deepEqual(r.fingerprint, expected);
    assert.equal(r.sha256, sha256(text));
    assert.equal(r.readAtMs, 1234);
    assert.ok(Object.isFrozen(r));
  });

  it('takes readAtMs from the clock before anything is read', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const before = Date.now();
    const r = readOf(await readStable(torrc, await fingerprintAt(torrc), defaultFilePolicy));
    assert.ok(r.readAtMs >= before && r.readAtMs <= Date.now());
  });

  it('is moved when the file changed since the fingerprint was taken', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const old = await fingerprintAt(torrc);
    await writeFile(`${torrc}.tmp`, 'SocksPort 9150\n');
    await rename(`${torrc}.tmp`, torrc);
    const fs = duringRead(async () => {});
    const r = movedOf(await readStable(torrc, old, defaultFilePolicy, { fs }));
    assert.deepEqual(r.fingerprint, await fingerprintAt(torrc));
    assert.deepEqual(fs.reads, [], 'nothing read');
  });

  it('with statFirst false, reads without a stat first and still sees a change made before', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const old = await fingerprintAt(torrc);
    await writeFile(`${torrc}.tmp`, 'SocksPort 9150\n');
    await rename(`${torrc}.tmp`, torrc);
    const stats: string[] = [];
    const fs = duringRead(async () => {});
    const counting: FsPort = {
      ...fs,
      stat: (p) => {
        stats.push(p);
        return nodeFs.stat(p);
      },
    };
    const r = movedOf(
      await readStable(torrc, old, defaultFilePolicy, { fs: counting, statFirst: false }),
    );
    assert.deepEqual(r.fingerprint, await fingerprintAt(torrc));
    assert.equal(fs.reads.length, 1, 'read, then found moved by the stat after');
    assert.deepEqual(stats, [torrc], 'one stat, after the read');
  });

  it('with statFirst false, reads a file that holds still with one stat', async () => {
    const text = 'SocksPort 9050\n';
    await writeFile(torrc, text);
    const expected = await fingerprintAt(torrc);
    let stats = 0;
    const fs: FsPort = {
      ...nodeFs,
      stat: (p) => {
        stats++;
        return nodeFs.stat(p);
      },
    };
    const r = readOf(
      await readStable(torrc, expected, defaultFilePolicy, { fs, statFirst: false }),
    );
    assert.equal(r.bytes.toString(), text);
    assert.equal(stats, 1);
  });

  it('with statFirst false, is moved without a fingerprint when the file is gone', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    await unlink(torrc);
    assert.deepEqual(await readStable(torrc, expected, defaultFilePolicy, { statFirst: false }), {
      kind: 'moved',
      fingerprint: undefined,
    });
  });

  it('is moved when the file is rewritten in place during the read', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const fs = duringRead((path) => writeFile(path, 'SocksPort 9050\nNumEntryGuards 3\n'));
    const r = movedOf(await readStable(torrc, expected, defaultFilePolicy, { fs }));
    assert.deepEqual(r.fingerprint, await fingerprintAt(torrc));
    assert.equal(fs.reads.length, 1, 'the read happened, and its bytes were thrown away');
  });

  it('is moved when a truncate-then-write is caught half-way', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const fs = duringRead((path) => writeFile(path, ''));
    const r = movedOf(await readStable(torrc, expected, defaultFilePolicy, { fs }));
    assert.equal(r.fingerprint?.size, 0n);
    assert.deepEqual(fs.reads, [0]);
  });

  it('is moved when the file is rename-saved during the read', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const fs = duringRead(async (path) => {
      await writeFile(`${path}.tmp`, 'SocksPort 9150\n');
      await rename(`${path}.tmp`, path);
    });
    const r = movedOf(await readStable(torrc, expected, defaultFilePolicy, { fs }));
    assert.notEqual(r.fingerprint?.ino, expected.ino);
  });

  it('is moved, without a fingerprint, when the file vanishes during the read', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const fs = duringRead((path) => unlink(path));
    assert.deepEqual(await readStable(torrc, expected, defaultFilePolicy, { fs }), {
      kind: 'moved',
      fingerprint: undefined,
    });
  });

  it('is moved, without a fingerprint, when the file is already gone', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    await unlink(torrc);
    assert.deepEqual(await readStable(torrc, expected, defaultFilePolicy), {
      kind: 'moved',
      fingerprint: undefined,
    });
  });

  it('is moved when the byte count disagrees with an unchanged fingerprint', async () => {
    // Needs two writes inside one timestamp tick, which this machine's fine-grained clock does
    // not produce on demand: the port returns a short read of the real bytes instead.
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const short: FsPort = {
      ...nodeFs,
      readFile: async (path, options) => (await nodeFs.readFile(path, options)).subarray(0, 5),
    };
    const r = movedOf(await readStable(torrc, expected, defaultFilePolicy, { fs: short }));
    assert.deepEqual(r.fingerprint, expected);
  });

  it('refuses a file over maxBytes without reading it', async () => {
    const policy = resolveFilePolicy({ maxBytes: 1000 });
    await writeFile(torrc, 'x'.repeat(5000));
    const fs = duringRead(async () => {});
    const problem = problemOf(await readStable(torrc, await fingerprintAt(torrc), policy, { fs }));
    assert.equal(problem.kind, 'too-large');
    assert.deepEqual(fs.reads, []);
  });

  it('never reads more than maxBytes + 1 of a file that grew during the read', async () => {
    const policy = resolveFilePolicy({ maxBytes: 1000 });
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const fs = duringRead((path) => appendFile(path, 'x'.repeat(1 << 20)));
    const r = movedOf(await readStable(torrc, expected, policy, { fs }));
    assert.equal(r.fingerprint?.size, BigInt(15 + (1 << 20)));
    assert.deepEqual(fs.reads, [1001]);
  });

  it('refuses an empty file without reading it', async () => {
    await writeFile(torrc, '');
    const fs = duringRead(async () => {});
    const problem = problemOf(
      await readStable(torrc, await fingerprintAt(torrc), defaultFilePolicy, { fs }),
    );
    assert.equal(problem.kind, 'empty');
    assert.deepEqual(fs.reads, []);
  });

  it('reports other errors as problems, never rejecting', async () => {
    await writeFile(torrc, 'SocksPort 9050\n');
    const expected = await fingerprintAt(torrc);
    const failing: FsPort = {
      ...nodeFs,
      readFile: () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })),
    };
    const problem = problemOf(
      await readStable(torrc, expected, defaultFilePolicy, { fs: failing }),
    );
    assert.deepEqual([problem.kind, problem.code], ['io', 'EIO']);
  });

  it('refuses a bad path as a path problem', async () => {
    const expected = { dev: 0n, ino: 0n, size: 1n, mtimeNs: 0n, ctimeNs: 0n };
    assert.equal(problemOf(await readStable('../torrc', expected, defaultFilePolicy)).kind, 'path');
  });

  describe('abort', () => {
    it('resolves io "aborted" at once when the signal is already aborted, reading nothing', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const fs = duringRead(async () => {});
      const r = await readStable(torrc, await fingerprintAt(torrc), defaultFilePolicy, {
        fs,
        signal: AbortSignal.abort(),
      });
      assert.deepEqual(r, {
        kind: 'problem',
        problem: { kind: 'io', path: torrc, message: 'aborted', code: 'ABORT_ERR' },
      });
      assert.deepEqual(fs.reads, []);
    });

    it('resolves io "aborted" while a read is stuck (a dead NFS server)', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      let reading!: () => void;
      const started = new Promise<void>((resolve) => {
        reading = resolve;
      });
      const stuck: FsPort = {
        ...nodeFs,
        readFile: () => {
          reading();
          return new Promise<Buffer>(() => {});
        },
      };
      const controller = new AbortController();
      const result = readStable(torrc, await fingerprintAt(torrc), defaultFilePolicy, {
        fs: stuck,
        signal: controller.signal,
      });
      await started;
      controller.abort();
      const problem = problemOf(await result);
      assert.deepEqual([problem.kind, problem.message], ['io', 'aborted']);
    });

    it('stops the real read and resolves io "aborted"', async () => {
      await writeFile(torrc, Buffer.alloc(4 << 20, 'x'));
      const controller = new AbortController();
      const result = readStable(
        torrc,
        await fingerprintAt(torrc),
        resolveFilePolicy({ maxBytes: 8 << 20 }),
        { signal: controller.signal },
      );
      controller.abort();
      assert.equal(problemOf(await result).message, 'aborted');
    });

    it('reads normally with a signal that is never aborted, and lets go of it', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const controller = new AbortController();
      const r = readOf(
        await readStable(torrc, await fingerprintAt(torrc), defaultFilePolicy, {
          signal: controller.signal,
        }),
      );
      assert.equal(r.bytes.toString(), 'SocksPort 9050\n');
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });
  });
});
