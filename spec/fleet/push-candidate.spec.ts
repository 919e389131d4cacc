// loadCandidate with hotrc's Tor profile on real files in a temp directory: the bytes that go to
// etcd loaded as a host loads them, includes refused or inlined, the size limit, and a format
// that reads other files refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { type CandidateOptions, loadCandidate } from '../../lib/fleet/push-candidate.js';
import { sha256Hex } from '../../lib/fleet/push-read.js';
import { defaultMaxValueBytes } from '../../lib/sources/etcd-connect.js';
import { findTorrcIncludes, inlineTorrcIncludes } from '../../lib/tor/inline-includes.js';
import { torProfile } from '../../lib/tor/tor-profile.js';

const includes = { find: findTorrcIncludes, inline: inlineTorrcIncludes };
const options = (extra: Partial<CandidateOptions> = {}): CandidateOptions => ({
  strict: false,
  maxValueBytes: defaultMaxValueBytes,
  includes,
  inlineIncludes: false,
  ...extra,
});

describe('loadCandidate (the Tor profile, real files)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-candidate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const torrc = join('/nonexistent', 'torrc');

  it('a valid torrc: its bytes as given, their sha256, the loaded config, not inlined', async () => {
    const bytes = Buffer.from('SocksPort 9150\nConnLimit 100\n');
    const c = await loadCandidate(torProfile, bytes, torrc, options());
    assert.ok(E.isRight(c));
    assert.deepEqual(Buffer.from(c.right.bytes), bytes);
    assert.equal(c.right.sha256, sha256Hex(bytes));
    assert.equal(c.right.inlined, false);
    assert.equal(c.right.loaded.config.ConnLimit, 100);
  });

  it('an invalid torrc: every problem, each at FILE:LINE', async () => {
    const c = await loadCandidate(
      torProfile,
      Buffer.from('SocksPort 9050\nMaxCircuitDirtiness 10 min\nConnLimit 0\n'),
      torrc,
      options(),
    );
    assert.ok(E.isLeft(c));
    assert.deepEqual(
      c.left.map((p) => [p.file, p.line]),
      [
        [torrc, 2],
        [torrc, 3],
      ],
    );
  });

  it('strict refuses an unknown option that is only a warning otherwise', async () => {
    const bytes = Buffer.from('ConnLimit 100\nNoSuchOption 1\n');
    const lax = await loadCandidate(torProfile, bytes, torrc, options());
    assert.ok(E.isRight(lax) && lax.right.loaded.warnings.length > 0);
    assert.ok(E.isLeft(await loadCandidate(torProfile, bytes, torrc, options({ strict: true }))));
  });

  it('a value over maxValueBytes is refused before it is loaded, naming both sizes', async () => {
    const bytes = Buffer.from('ConnLimit 100\n');
    const c = await loadCandidate(torProfile, bytes, torrc, options({ maxValueBytes: 10 }));
    assert.deepEqual(
      c,
      E.left([
        {
          severity: 'error',
          message: `${bytes.length} bytes: over the 10-byte limit of a value in etcd`,
          file: torrc,
        },
      ]),
    );
    assert.ok(
      E.isRight(
        await loadCandidate(torProfile, bytes, torrc, options({ maxValueBytes: bytes.length })),
      ),
    );
  });

  it('an %include is refused at its line unless inlined; inlined, it is read from disk and loads the same', async () => {
    const main = join(dir, 'torrc');
    await mkdir(join(dir, 'torrc.d'));
    await writeFile(join(dir, 'torrc.d', 'a.conf'), 'ConnLimit 300\n');
    const bytes = Buffer.from('SocksPort 9150\n%include torrc.d\n');
    await writeFile(main, bytes);
    const refused = await loadCandidate(torProfile, bytes, main, options());
    assert.ok(E.isLeft(refused));
    assert.deepEqual(
      refused.left.map((p) => [p.file, p.line]),
      [[main, 2]],
    );
    const inlined = await loadCandidate(torProfile, bytes, main, options({ inlineIncludes: true }));
    assert.ok(E.isRight(inlined), E.isLeft(inlined) ? JSON.stringify(inlined.left) : '');
    assert.equal(inlined.right.inlined, true);
    assert.doesNotMatch(Buffer.from(inlined.right.bytes).toString(), /^%include/m);
    assert.equal(inlined.right.loaded.config.ConnLimit, 300);
    assert.equal(inlined.right.sha256, sha256Hex(inlined.right.bytes));
  });

  it('the size limit applies to the inlined bytes, and says so', async () => {
    const main = join(dir, 'torrc');
    // Only the entries are inlined, not comments: a hundred lines of them.
    await writeFile(join(dir, 'big.conf'), 'ConnLimit 300\n'.repeat(100));
    const bytes = Buffer.from('%include big.conf\n');
    const c = await loadCandidate(
      torProfile,
      bytes,
      main,
      options({ inlineIncludes: true, maxValueBytes: 1000 }),
    );
    assert.ok(E.isLeft(c));
    assert.match(
      c.left[0]?.message ?? '',
      /^\d+ bytes with its includes inlined: over the 1000-byte limit/,
    );
  });

  it('with no includes given, a torrc that reads other files is refused: no host could read them', async () => {
    const main = join(dir, 'torrc');
    await writeFile(join(dir, 'a.conf'), 'ConnLimit 300\n');
    const c = await loadCandidate(
      torProfile,
      Buffer.from('%include a.conf\n'),
      main,
      options({ includes: undefined }),
    );
    assert.ok(E.isLeft(c));
    assert.match(
      c.left[0]?.message ?? '',
      /it reads other files \(.*a\.conf\), which no host can read from etcd/,
    );
  });
});
