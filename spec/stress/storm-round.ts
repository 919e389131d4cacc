import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Subscription } from 'rxjs';
import type { Rejection } from '../../lib/engine/types.js';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { lookTracker } from './look-tracker.js';
import { deriveSeed, prng } from './prng.js';
import { firstCounter, type StormConfig, stormConfigs } from './storm-configs.js';
import { type StormSettings, stormSettings } from './storm-settings.js';
import { type StormWriter, stormWriter, type Written } from './storm-writer.js';

/**
 * One round: `files` watched files, each stormed by its own seeded writer, all at once.
 * `kinds` `mixed` alternates torrc and YAML files. `fsWatch` is passed as the option of that
 * name when it is a boolean, and left out when undefined (a library without the fast path).
 * @example const r = await runRound({ seed: 1, files: 1, kinds: 'torrc', writesPerFile: 200, fsWatch: undefined });
 */
export interface RoundOptions {
  readonly seed: number;
  readonly files: number;
  readonly kinds: 'torrc' | 'yaml' | 'mixed';
  readonly writesPerFile: number;
  readonly fsWatch: boolean | undefined;
  /**
   * Watch each file through a LookTracker, to report which torn reads came from an in-place
   * save into a new inode the watcher had not looked at yet (RoundResult.tornUnlookedInode).
   * Default false: the watchers get node:fs itself, as users do (the tracker is another FsPort,
   * which the file source polls with a look per tick instead of the shared poller).
   */
  readonly trackLooks?: boolean;
  /** Other timings than `stormSettings` (the suite's own controls use this). */
  readonly settings?: Partial<StormSettings>;
}

/**
 * What a round found. `lost`: files whose final `get()` is not the decode of the last valid
 * content written. `torn`: configs emitted on `config$` equal to the decode of no complete valid
 * content. `invalidApplied`: configs emitted that carry the number of an invalid content (some
part of it was read and applied).
 * `unhandled`: unhandled rejections and uncaught exceptions during the round. `handlesLeft`:
 * active resources after `stop()` that were not there before the watchers started.
 * `details` says, for every non-zero count, which file, content and mode.
 */
export interface RoundResult {
  readonly seed: number;
  readonly files: number;
  readonly kinds: RoundOptions['kinds'];
  readonly fsWatch: boolean | undefined;
  readonly writes: number;
  /** The saves by mode, and how many of them were invalid. */
  readonly byMode: Readonly<Record<string, number>>;
  readonly invalidWrites: number;
  readonly lost: number;
  readonly torn: number;
  /**
   * How many of the torn (and invalid-applied) configs were read from a chunked in-place save
   * into an inode the watcher had not looked at yet (the save before it renamed, swapped or
   * recreated the file): the new-inode rule trusts such a file as whole.
   */
  readonly tornUnlookedInode: number;
  readonly invalidApplied: number;
  /**
   * Partial states read from a save whose gap the machine ran out to the quiet period though it
   * was planned under it (Written.overran): allowed by the documented rule, so counted here and
   * not as torn or invalid-applied; at most one per overrun.
   */
  readonly allowedByOverrun: number;
  readonly unhandled: number;
  readonly stopHung: number;
  readonly handlesLeft: ReadonlyArray<string>;
  /** Configs emitted on config$ (all files, the initial ones included). */
  readonly emitted: number;
  /** Rejections seen, by cause. */
  readonly rejections: Readonly<Record<string, number>>;
  readonly pauseOverruns: number;
  readonly durationMs: number;
  readonly details: ReadonlyArray<string>;
}

/** The resources Node reports as active, counted by kind. */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function extraResources(before: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [kind, n] of resourceCounts()) {
    const more = n - (before.get(kind) ?? 0);
    if (more > 0) extra.push(`${kind} x${more}`);
  }
  return extra;
}

/**
 * Whether the fast path exists: a ReloadableConfig constructed with `{ fsWatch: true }`. A
 * library without it refuses the option with a TypeError naming it.
 * @example if (!(await fsWatchSupported())) console.log('fsWatch: not in this library, skipped');
 */
export async function fsWatchSupported(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hotrc-storm-probe-'));
  try {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const initial = await stormConfigs.torrc.load(path);
    try {
      const rc = new ReloadableConfig(initial as never, path, undefined, {
        fsWatch: true,
      } as Record<string, unknown>);
      await rc.stop();
      return true;
    } catch (err) {
      if (err instanceof TypeError && /fsWatch/.test(err.message)) return false;
      throw err;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Emission {
  readonly config: unknown;
  readonly writtenCount: number;
  readonly pending: ReturnType<StormWriter['pending']>;
}

interface Watched {
  readonly writer: StormWriter;
  readonly rc: ReloadableConfig<unknown>;
  /** Every config emitted, with what the writer had written and was writing at that moment. */
  readonly emitted: Emission[];
  readonly subscriptions: Subscription[];
}

const stopDeadlineMs = 10_000;

/**
 * Runs one round: writes every file's first content, starts one ReloadableConfig per file
 * (polling every `pollMs`), storms all files at once, waits `finalQuietMs`, reads every final
 * `get()`, stops every watcher, then judges what was emitted against what was written. Never
 * rejects for what it finds: every finding is a count in the result, with its details.
 * @example const r = await runRound({ seed: 7, files: 50, kinds: 'mixed', writesPerFile: 20, fsWatch: undefined });
 */
export async function runRound(options: RoundOptions): Promise<RoundResult> {
  const settings: StormSettings = { ...stormSettings, ...options.settings };
  const started = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'hotrc-storm-'));
  const details: string[] = [];
  const unhandled: string[] = [];
  const onUnhandled = (err: unknown): void => {
    unhandled.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  };
  const rejections: Record<string, number> = {};
  const watched: Watched[] = [];
  let stopHung = 0;
  let handlesLeft: string[] = [];
  try {
    const made = await Promise.all(
      Array.from({ length: options.files }, async (_, i) => {
        const config: StormConfig =
          options.kinds === 'mixed'
            ? i % 2 === 0
              ? stormConfigs.torrc
              : stormConfigs.yaml
            : stormConfigs[options.kinds];
        const dir = join(root, `f${i}`);
        await mkdir(dir);
        const tracker =
          options.trackLooks === true ? lookTracker(join(dir, config.fileName)) : undefined;
        const writer = stormWriter(
          dir,
          config,
          prng(deriveSeed(options.seed, i)),
          settings,
          settings.writeQuietMs,
          tracker,
        );
        await writer.init(firstCounter);
        return { writer, tracker };
      }),
    );
    const writers = made.map((m) => m.writer);
    const initials = await Promise.all(writers.map((w) => w.config.load(w.path)));

    const before = resourceCounts();
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    for (const [i, writer] of writers.entries()) {
      const rc = new ReloadableConfig<unknown>(initials[i], writer.path, undefined, {
        ...writer.config.options,
        writeQuietMs: settings.writeQuietMs,
        racyWindowMs: settings.racyWindowMs,
        ...(made[i]?.tracker === undefined ? {} : { fs: made[i]?.tracker?.fs }),
        ...(options.fsWatch === undefined ? {} : { fsWatch: options.fsWatch }),
      } as never);
      const emitted: Emission[] = [];
      const subscriptions = [
        rc.config$.subscribe((config) => {
          emitted.push({ config, writtenCount: writer.written.length, pending: writer.pending() });
        }),
        rc.rejections$.subscribe((r: Rejection) => {
          rejections[r.cause] = (rejections[r.cause] ?? 0) + 1;
        }),
      ];
      watched.push({ writer, rc, emitted, subscriptions });
      rc.startWatcher(settings.pollMs);
    }

    await Promise.all(
      writers.map(async (w) => {
        let n = firstCounter + 1;
        for (let k = 0; k < options.writesPerFile; k++) {
          n = await w.write(n, k === options.writesPerFile - 1);
          await w.gap();
        }
      }),
    );
    await sleep(settings.finalQuietMs);
    const finals = watched.map((w) => w.rc.get());

    for (const w of watched) {
      let timer: NodeJS.Timeout | undefined;
      const hung = await Promise.race([
        w.rc.stop().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), stopDeadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (hung) {
        stopHung++;
        details.push(`${w.writer.path}: stop() did not resolve within ${stopDeadlineMs} ms`);
      }
      for (const s of w.subscriptions) s.unsubscribe();
    }
    // Let callbacks of the last stat or read settle (each is aborted, never waited for), then
    // every resource the watchers opened must be gone.
    for (let i = 0; i < 50 && extraResources(before).length > 0; i++) await sleep(10);
    handlesLeft = extraResources(before);
    if (handlesLeft.length > 0) details.push(`left after stop(): ${handlesLeft.join(', ')}`);

    const judged = await judge(root, watched, finals, details);
    const saves = writers.flatMap((w) => w.written.filter((x) => x.mode !== 'initial'));
    return {
      seed: options.seed,
      files: options.files,
      kinds: options.kinds,
      fsWatch: options.fsWatch,
      writes: saves.length,
      byMode: saves.reduce<Record<string, number>>((counts, x) => {
        counts[x.mode] = (counts[x.mode] ?? 0) + 1;
        return counts;
      }, {}),
      invalidWrites: saves.filter((x) => !x.valid).length,
      ...judged,
      unhandled: unhandled.length,
      stopHung,
      handlesLeft,
      emitted: watched.reduce((sum, w) => sum + w.emitted.length, 0),
      rejections,
      pauseOverruns: writers.reduce((sum, w) => sum + w.notes.pauseOverruns, 0),
      durationMs: Math.round(performance.now() - started),
      details: [...details, ...unhandled.map((u) => `unhandled: ${u}`)],
    };
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await Promise.all(watched.map((w) => w.rc.stop()));
    await rm(root, { recursive: true, force: true });
  }
}

const describe = (w: Written): string =>
  `content ${w.n} (${w.valid ? 'valid' : 'invalid'}, ${w.mode}${w.pauseMs === undefined ? '' : `, partial for ${w.pauseMs.toFixed(1)} ms${w.overran === true ? ', past the quiet period' : ''}`})`;

// Every emitted config against the decodes of what was written, and each final get() against
// the last valid content. A content is decoded by the watcher's own profile from a file of its
// own, once, when first needed.
async function judge(
  root: string,
  watched: ReadonlyArray<Watched>,
  finals: ReadonlyArray<unknown>,
  details: string[],
): Promise<{
  lost: number;
  torn: number;
  tornUnlookedInode: number;
  invalidApplied: number;
  allowedByOverrun: number;
}> {
  const scratch = join(root, 'scratch');
  await mkdir(scratch);
  let lost = 0;
  let torn = 0;
  let invalidApplied = 0;
  let tornUnlookedInode = 0;
  let allowedByOverrun = 0;
  for (const [i, w] of watched.entries()) {
    const { writer } = w;
    const byNumber = new Map(writer.written.map((x) => [x.n, x]));
    const decoded = new Map<number, unknown>();
    const decodeOf = async (x: Written): Promise<unknown> => {
      if (!decoded.has(x.n)) {
        const file = join(scratch, writer.config.fileName);
        await writeFile(file, x.text);
        decoded.set(x.n, await writer.config.load(file));
      }
      return decoded.get(x.n);
    };
    for (const [k, { config, writtenCount, pending }] of w.emitted.entries()) {
      const n = writer.config.counterOf(config);
      const source = byNumber.get(n);
      // The save it was most likely read from: the one under way, or else the one it numbers.
      const suspect = pending === undefined ? source : byNumber.get(pending.n);
      const before =
        suspect === undefined ? undefined : writer.written[writer.written.indexOf(suspect) - 1];
      const unlooked =
        suspect?.intoUnlookedInode === true
          ? ` [an in-place save into the new inode of ${before === undefined ? 'the save before' : describe(before)}, which the watcher had not looked at yet]`
          : '';
      const whole = source?.valid === true && isDeepStrictEqual(config, await decodeOf(source));
      if (whole) continue;
      // Read while a save the machine ran past the quiet period stood partial on disk.
      const overran = [suspect, writer.written[writtenCount - 1]].find((x) => x?.overran === true);
      if (overran !== undefined) {
        allowedByOverrun++;
        details.push(
          `${writer.path}: emission ${k} (number ${n}) allowed: read while ${describe(overran)} stood on disk`,
        );
      } else if (source !== undefined && !source.valid) {
        invalidApplied++;
        if (unlooked !== '') tornUnlookedInode++;
        const previous = writer.written
          .slice(0, writer.written.indexOf(source))
          .findLast((x) => x.valid);
        const against =
          previous === undefined
            ? ''
            : `; differs from ${describe(previous)} in ${differences(config, await decodeOf(previous))}`;
        details.push(
          `${writer.path}: emission ${k} applied invalid ${describe(source)}, the save after ${before === undefined ? 'none' : describe(before)}${against}${unlooked}`,
        );
      } else {
        torn++;
        if (unlooked !== '') tornUnlookedInode++;
        // Against the content it carries the number of, or else the last valid one by then.
        const near = source ?? writer.written.slice(0, writtenCount).findLast((x) => x.valid);
        const against =
          near === undefined
            ? ''
            : `; differs from ${describe(near)} in ${differences(config, await decodeOf(near))}`;
        const during =
          pending === undefined
            ? ''
            : ` (emitted while content ${pending.n} was being written, ${pending.mode})`;
        details.push(
          `${writer.path}: emission ${k} (number ${n}) is no complete content${during}${against}${unlooked}`,
        );
      }
    }
    const last = writer.written.findLast((x) => x.valid);
    if (last === undefined) throw new Error('a storm always writes a valid content');
    const final = finals[i];
    if (!isDeepStrictEqual(final, await decodeOf(last))) {
      lost++;
      const at = writer.config.counterOf(final);
      const held = byNumber.get(at);
      details.push(
        `${writer.path}: final get() is ${held === undefined ? `number ${at}` : describe(held)}, the last valid written was ${describe(last)}; last three writes: ${writer.written
          .slice(-3)
          .map(describe)
          .join(' | ')}`,
      );
    }
  }
  return { lost, torn, tornUnlookedInode, invalidApplied, allowedByOverrun };
}

// The leaves where two decoded configs differ, as `path: got (expected)`, dotted through
// plain objects.
function differences(got: unknown, expected: unknown, prefix = ''): string {
  const isPlain = (u: unknown): u is Record<string, unknown> =>
    typeof u === 'object' && u !== null && !Array.isArray(u);
  if (!isPlain(got) || !isPlain(expected)) {
    return `${prefix || 'the whole config'}: ${JSON.stringify(got)} (${JSON.stringify(expected)})`;
  }
  const keys = [...new Set([...Object.keys(got), ...Object.keys(expected)])];
  return keys
    .filter((k) => !isDeepStrictEqual(got[k], expected[k]))
    .map((k) => differences(got[k], expected[k], prefix === '' ? k : `${prefix}.${k}`))
    .join(', ');
}
