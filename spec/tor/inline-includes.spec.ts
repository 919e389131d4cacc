import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { resolveFilePolicy } from '../../lib/sources/file-policy.js';
import { loadTorrc, loadTorrcText } from '../../lib/tor/config-file.js';
import { findTorrcIncludes, inlineTorrcIncludes } from '../../lib/tor/inline-includes.js';

describe('findTorrcIncludes / inlineTorrcIncludes', () => {
  let dir: string;
  const policy = resolveFilePolicy({});
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-inline-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Inlines `main` and checks the result loads, with no file read, to the config `main` gives.
  const inlineSame = async (main: string) => {
    const path = join(dir, 'torrc');
    await writeFile(path, main);
    const inlined = await inlineTorrcIncludes(main, path, policy);
    assert.ok(E.isRight(inlined), JSON.stringify(inlined));
    const original = await loadTorrc(path);
    // Elsewhere, so an include left behind would be missing.
    const again = await loadTorrcText(inlined.right, join(dir, 'nowhere', 'torrc'));
    assert.ok(E.isRight(original) && E.isRight(again), JSON.stringify(again));
    assert.deepEqual(again.right.config, original.right.config);
    assert.equal(again.right.files.length, 1);
    return inlined.right;
  };

  it('names every %include line of the main text, and nothing else', () => {
    const problems = findTorrcIncludes(
      'ConnLimit 9\n%include a.conf\n# %include b\n+%include c\n',
      'torrc',
    );
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.severity]),
      [
        ['torrc', 2, 'error'],
        ['torrc', 4, 'error'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /^%include "a.conf": a host cannot read it from etcd/);
    assert.deepEqual(findTorrcIncludes('ConnLimit 9\n', 'torrc'), []);
  });

  it("inlines a directory, in Tor order, keeping the main file's own lines as written", async () => {
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'd', 'b.conf'), 'SocksPort 9150\n');
    await writeFile(join(dir, 'd', 'a.conf'), 'CircuitPoolMaxSize 20 # pool\n');
    await writeFile(join(dir, 'd', '.hidden'), 'ConnLimit 1\n');
    const text = await inlineSame('# keep me\nConnLimit 100   # mine\n%include d\nLogLevel info\n');
    assert.equal(
      text,
      [
        '# keep me',
        'ConnLimit 100   # mine',
        `# %include "d", inlined by hotrc push from ${JSON.stringify(join(dir, 'd', 'a.conf'))}, ${JSON.stringify(join(dir, 'd', 'b.conf'))}`,
        'CircuitPoolMaxSize 20',
        'SocksPort 9150',
        'LogLevel info',
        '',
      ].join('\n'),
    );
  });

  it('inlines nested includes, two includes in a row, +Key and /Key, values that need quotes', async () => {
    await writeFile(join(dir, 'a.conf'), 'ConnLimit 200\n%include b.conf\n');
    await writeFile(join(dir, 'b.conf'), '+ExcludeNodes {us}\n/ConnLimit\n');
    await writeFile(
      join(dir, 'c.conf'),
      'ExcludeExitNodes {de}\nDataDirectory "/var/lib/tor #2"\n',
    );
    const text = await inlineSame(
      'SocksPort 9150\nExcludeNodes {fr}\n%include a.conf\n%include c.conf\n',
    );
    assert.doesNotMatch(text, /^%include/m);
    assert.match(text, /\n\+ExcludeNodes \{us\}\n\/ConnLimit\n/);
    assert.match(text, /\nDataDirectory "\/var\/lib\/tor #2"\n/);
  });

  it('an include that includes nothing (an empty directory) becomes a comment', async () => {
    await mkdir(join(dir, 'empty'));
    const text = await inlineSame('ConnLimit 100\n%include empty\n');
    assert.equal(
      text,
      'ConnLimit 100\n# %include "empty", inlined by hotrc push (it includes nothing)\n',
    );
  });

  it('a missing include is a Left at its line; a %include continued over lines is refused', async () => {
    const path = join(dir, 'torrc');
    const missing = await inlineTorrcIncludes('ConnLimit 1\n%include nope.conf\n', path, policy);
    assert.ok(E.isLeft(missing));
    assert.deepEqual([missing.left[0]?.file, missing.left[0]?.line], [path, 2]);
    await writeFile(join(dir, 'ab.conf'), 'ConnLimit 7\n');
    const continued = await inlineTorrcIncludes(
      '%include a\\\nb.conf\nConnLimit 3\n',
      path,
      policy,
    );
    assert.ok(E.isLeft(continued), JSON.stringify(continued));
    assert.match(continued.left[0]?.message ?? '', /write each %include on one line/);
  });

  it('refuses an included file the watcher would refuse (world-writable)', async () => {
    const { chmod } = await import('node:fs/promises');
    await writeFile(join(dir, 'open.conf'), 'ConnLimit 7\n');
    await chmod(join(dir, 'open.conf'), 0o666);
    const r = await inlineTorrcIncludes('%include open.conf\n', join(dir, 'torrc'), policy);
    assert.ok(E.isLeft(r));
    assert.match(r.left[0]?.message ?? '', /world-writable/);
  });
});
