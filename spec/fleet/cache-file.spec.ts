import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { readCacheFile, writeCacheFile } from '../../lib/fleet/cache-file.js';

const value = (text: string, revision = '42') => ({
  key: '/hotrc/torrc',
  revision,
  sha256: createHash('sha256').update(text).digest('hex'),
  bytes: new TextEncoder().encode(text),
  savedAt: '2026-12-01T00:00:00.000Z',
});

describe('cache file', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-cache-'));
    path = join(dir, 'torrc.cache');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes atomically with mode 0600 (no temp file left) and reads the value back', async () => {
    await writeCacheFile(path, value('LogLevel info\n'));
    await writeCacheFile(path, value('LogLevel debug\n', '43'));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['torrc.cache']);
    const read = await readCacheFile(path, '/hotrc/torrc');
    assert.ok(E.isRight(read));
    assert.equal(read.right.revision, '43');
    assert.equal(Buffer.from(read.right.bytes).toString(), 'LogLevel debug\n');
  });

  it('says missing when there is none', async () => {
    const read = await readCacheFile(path, '/hotrc/torrc');
    assert.deepEqual(
      read,
      E.left({ cause: 'missing', message: `cache file ${path} does not exist` }),
    );
  });

  it('refuses a torn file, a foreign one, another key, a wrong sha256, a world-writable one', async () => {
    await writeCacheFile(path, value('LogLevel info\n'));
    const whole = await readFile(path, 'utf8');
    const refusal = async () => {
      const r = await readCacheFile(path, '/hotrc/torrc');
      assert.ok(E.isLeft(r) && r.left.cause === 'refused');
      return r.left.message;
    };
    await writeFile(path, whole.slice(0, 40), { mode: 0o600 });
    assert.match(await refusal(), /refused: not whole \(torn or not JSON\)/);
    await writeFile(path, '{"some":"json"}');
    assert.match(await refusal(), /not a hotrc etcd cache file/);
    await writeFile(path, whole.replace('/hotrc/torrc', '/other/key'));
    assert.match(await refusal(), /it holds key \/other\/key, not \/hotrc\/torrc/);
    const json = JSON.parse(whole) as { value: string };
    await writeFile(
      path,
      whole.replace(json.value, Buffer.from('LogLevel debug\n').toString('base64')),
    );
    assert.match(await refusal(), /does not match its sha256/);
    await writeFile(path, whole);
    await chmod(path, 0o666);
    assert.match(await refusal(), /world-writable/);
  });

  it('refuses to write bytes that do not match the sha256 given (a programmer error)', async () => {
    await assert.rejects(
      writeCacheFile(path, { ...value('a'), bytes: new TextEncoder().encode('b') }),
      TypeError,
    );
  });
});
