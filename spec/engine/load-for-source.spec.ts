import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { firstValueFrom, NEVER, type Observable } from 'rxjs';
import type { Format } from '../../lib/engine/format.js';
import { loadForSource } from '../../lib/engine/load-for-source.js';
import type { Profile } from '../../lib/engine/profile.js';
import type {
  Loaded,
  RejectionFields,
  SnapshotSource,
  SourceState,
} from '../../lib/engine/types.js';
import { defaultFilePolicy } from '../../lib/sources/file-policy.js';
import { type FileSource, fileSource } from '../../lib/sources/file-source.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { memoryTorProfile } from '../support/memory-torrc-format.js';

const options = { policy: defaultFilePolicy, base: defaultConfig(), strict: false };
const live = () => new AbortController().signal;

type Result = E.Either<RejectionFields, Loaded<TorConfig>>;

// A source that records every track call, passing it on to the real one.
function recording(inner: FileSource): { source: SnapshotSource; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    source: {
      name: inner.name,
      look: () => inner.look(),
      track: async (paths) => {
        calls.push([...paths]);
        await inner.track(paths);
      },
    },
  };
}

// Synchronous all the way: its track answers at once.
function syncSource(name: string): { source: SnapshotSource; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    source: {
      name,
      look: (): Observable<SourceState> => NEVER,
      track: (paths) => {
        calls.push([...paths]);
      },
    },
  };
}

const versionOf = async (source: SnapshotSource): Promise<string> => {
  const state = await firstValueFrom(source.look());
  assert.equal(state.kind, 'snapshot', JSON.stringify(state));
  return state.kind === 'snapshot' ? state.version : '';
};

describe('loadForSource', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-for-source-'));
    path = join(dir, 'torrc');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('on the Tor profile over real files (fileSource)', () => {
    it('tells the source what a good load read, so an edit to an include is a change', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 20\n');
      await writeFile(path, 'LogLevel warn\n%include pools.conf\n');
      const file = fileSource(path, { policy: defaultFilePolicy });
      const { source, calls } = recording(file);
      const before = await versionOf(file);
      const r: Result = await firstValueFrom(
        loadForSource(source, torProfile, options)(await readFile(path), live()),
      );
      assert.ok(E.isRight(r));
      assert.equal(r.right.config.CircuitPoolMaxSize, 20);
      assert.deepEqual(calls, [[path, inc]]);
      assert.deepEqual(file.tracked(), [path, inc]);
      // Tracking is what makes the include part of the version.
      assert.equal(await versionOf(file), before);
      await writeFile(inc, 'CircuitPoolMaxSize 30\n');
      assert.notEqual(await versionOf(file), before);
    });

    it('tells it what a failed load looked at: a missing %include, which then appears', async () => {
      const inc = join(dir, 'conf.d', 'extra.conf');
      await writeFile(path, 'LogLevel info\n%include conf.d/extra.conf\n');
      const file = fileSource(path, { policy: defaultFilePolicy });
      const { source, calls } = recording(file);
      const load = loadForSource(source, torProfile, options);
      const before = await versionOf(file);
      const r: Result = await firstValueFrom(load(await readFile(path), live()));
      assert.ok(E.isLeft(r));
      assert.equal(r.left.kind, 'invalid');
      assert.match(r.left.reason, /:2: %include "conf\.d\/extra\.conf": .*does not exist/);
      assert.deepEqual(calls, [[path, inc, join(dir, 'conf.d')]]);
      // The directory and the file appear: the version moves, and the next load reads them.
      await mkdir(join(dir, 'conf.d'));
      await writeFile(inc, 'LogLevel debug\n');
      assert.notEqual(await versionOf(file), before);
      const again: Result = await firstValueFrom(load(await readFile(path), live()));
      assert.ok(E.isRight(again));
      assert.equal(again.right.config.LogLevel, 'debug');
      assert.deepEqual(calls.at(-1), [path, inc]);
    });

    it('does not tell it anything when the signal was aborted (the load was superseded)', async () => {
      await writeFile(join(dir, 'pools.conf'), 'CircuitPoolMaxSize 20\n');
      await writeFile(path, '%include pools.conf\n');
      const file = fileSource(path, { policy: defaultFilePolicy });
      const { source, calls } = recording(file);
      const controller = new AbortController();
      controller.abort();
      await firstValueFrom(
        loadForSource(source, torProfile, options)(await readFile(path), controller.signal),
      );
      assert.deepEqual(calls, []);
      assert.deepEqual(file.tracked(), []);
    });
  });

  it('does not track after an abort even when the load itself succeeded', () => {
    const { source, calls } = syncSource('/etc/tor/torrc');
    const controller = new AbortController();
    controller.abort();
    let result: Result | undefined;
    loadForSource(
      source,
      memoryTorProfile,
      options,
    )(Buffer.from('LogLevel debug\n'), controller.signal).subscribe((r) => {
      result = r;
    });
    assert.ok(result !== undefined && E.isRight(result));
    assert.deepEqual(calls, []);
  });

  it('works with a source that has no track', async () => {
    const source: SnapshotSource = { name: '/etc/tor/torrc', look: () => NEVER };
    const r: Result = await firstValueFrom(
      loadForSource(source, memoryTorProfile, options)(Buffer.from('LogLevel debug\n'), live()),
    );
    assert.ok(E.isRight(r));
  });

  it('checks each decoded config with the codec once: the guard does not repeat the load’s check', async () => {
    let checks = 0;
    const codec = memoryTorProfile.codec;
    const counting: Profile<TorConfig> = {
      ...memoryTorProfile,
      codec: Object.assign(Object.create(codec) as typeof codec, {
        is: (u: unknown): u is TorConfig => {
          checks++;
          return codec.is(u);
        },
      }),
    };
    const source: SnapshotSource = { name: '/etc/tor/torrc', look: () => NEVER };
    const r: Result = await firstValueFrom(
      loadForSource(source, counting, options)(Buffer.from('LogLevel debug\n'), live()),
    );
    assert.ok(E.isRight(r) && r.right.config.LogLevel === 'debug');
    assert.equal(checks, 1);
  });

  describe('guarded: a throwing plug-in is an `internal` Left, never an error', () => {
    const brokenFormat = (parse: Format['parse']): Profile<TorConfig> => ({
      ...memoryTorProfile,
      format: { name: 'broken', parse },
    });
    const internal = async (
      profile: Profile<TorConfig>,
      message: RegExp,
      tracked: ReadonlyArray<ReadonlyArray<string>> = [],
    ) => {
      const { source, calls } = syncSource('/etc/tor/torrc');
      const r: Result = await firstValueFrom(
        loadForSource(source, profile, options)(Buffer.from('LogLevel debug\n'), live()),
      );
      assert.ok(E.isLeft(r), 'should be a Left');
      assert.equal(r.left.kind, 'internal');
      assert.equal(r.left.cause, 'decode');
      assert.match(r.left.reason, message);
      assert.deepEqual(calls, tracked);
    };

    it('a format that throws', () =>
      internal(
        brokenFormat(() => {
          throw new Error('parser exploded');
        }),
        /internal error in decode of \/etc\/tor\/torrc: parser exploded/,
      ));

    it('a format whose promise rejects', () =>
      internal(
        brokenFormat(async () => {
          throw new Error('async parser exploded');
        }),
        /async parser exploded/,
      ));

    it('a format that answers with something other than an Either', () =>
      internal(
        brokenFormat(() => undefined as never),
        /internal error in decode/,
      ));

    it('a decode or a validate that throws', async () => {
      await internal(
        {
          ...memoryTorProfile,
          decode: () => {
            throw new Error('decode exploded');
          },
        },
        /decode exploded/,
      );
      await internal(
        {
          ...memoryTorProfile,
          validate: () => {
            throw new Error('validate exploded');
          },
        },
        /validate exploded/,
      );
    });

    it('a decode that hands back what the codec refuses', () =>
      internal(
        {
          ...memoryTorProfile,
          decode: () => E.right({ config: { LogLevel: 'loud' } as never, warnings: [] }),
        },
        /the decoded config is not a/,
        // The format did read the file: what it looked at is still worth watching.
        [['/etc/tor/torrc']],
      ));
  });

  describe('synchronous when the format and track are', () => {
    it('answers within subscribe, tracking at once', () => {
      const { source, calls } = syncSource('/etc/tor/torrc');
      const seen: Result[] = [];
      loadForSource(
        source,
        memoryTorProfile,
        options,
      )(Buffer.from('LogLevel debug\n'), live()).subscribe((r) => seen.push(r));
      assert.equal(seen.length, 1);
      const [r] = seen;
      assert.ok(r !== undefined && E.isRight(r));
      assert.equal(r.right.config.LogLevel, 'debug');
      assert.deepEqual(calls, [['/etc/tor/torrc']]);
    });

    it('a failure too', () => {
      const { source, calls } = syncSource('/etc/tor/torrc');
      const seen: Result[] = [];
      loadForSource(
        source,
        memoryTorProfile,
        options,
      )(Buffer.from('ConnLimit 0\n'), live()).subscribe((r) => seen.push(r));
      assert.equal(seen.length, 1);
      assert.ok(seen[0] !== undefined && E.isLeft(seen[0]));
      assert.deepEqual(calls, [['/etc/tor/torrc']]);
    });

    it('later when the track is asynchronous, or the format', async () => {
      await writeFile(path, 'LogLevel debug\n');
      for (const [profile, source] of [
        [memoryTorProfile, fileSource(path, { policy: defaultFilePolicy })],
        [torProfile, syncSource(path).source],
      ] as const) {
        const seen: Result[] = [];
        const done = new Promise<void>((resolve) =>
          loadForSource(
            source,
            profile,
            options,
          )(Buffer.from('LogLevel debug\n'), live()).subscribe({
            next: (r) => seen.push(r),
            complete: resolve,
          }),
        );
        assert.equal(seen.length, 0);
        await done;
        assert.equal(seen.length, 1);
      }
    });
  });
});
