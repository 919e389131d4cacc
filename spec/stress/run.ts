// npm run stress: the write-storm suite at full size. For each mode (1 torrc file, 1 YAML file,
// 50 files of both; the fs.watch fast path off, and on when the library has it), several seeded
// rounds, each in a process of its own that must exit by itself. One summary line per mode;
// exits 1 if any count that must be zero is not. Timings: spec/stress/storm-settings.ts. The
// script builds first: the YAML profile (examples/app-profile.ts) imports the package, dist/.
//
//   npm run stress [-- --seed N] [--runs N] [--writes N] [--runs50 N] [--writes50 N]
//                  [--mode TEXT] [--in-process] [--track-looks]
//
// --seed     the first round's seed (default: random, printed); round k of a mode uses seed + k
// --runs     rounds per 1-file mode (default 5), --writes saves per round (default 200)
// --runs50   rounds of the 50-file modes (default 2), --writes50 saves per file (default 20)
// --mode     only the modes whose name contains TEXT, e.g. files:1,profile:yaml
// --in-process  run rounds here (faster; the exit-by-itself check is then the handle count)
// --track-looks  watch through a LookTracker (spec/stress/look-tracker.ts), to say which torn
//            reads came from an in-place save into a new inode the watcher had not looked at
//            (a diagnosis: the watchers then get another FsPort than node:fs, and poll without
//            the shared poller)
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runRoundInChild } from './run-round-in-child.js';
import { fsWatchSupported, type RoundOptions, type RoundResult, runRound } from './storm-round.js';
import { stormSettings } from './storm-settings.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '5' },
    writes: { type: 'string', default: '200' },
    runs50: { type: 'string', default: '2' },
    writes50: { type: 'string', default: '20' },
    mode: { type: 'string' },
    'in-process': { type: 'boolean', default: false },
    'track-looks': { type: 'boolean', default: false },
  },
});

const count = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`--${name} must be an integer >= 0`);
  return n;
};
const firstSeed = values.seed === undefined ? randomInt(2 ** 31) : count('seed', values.seed);
const inProcess = values['in-process'];
const trackLooks = values['track-looks'];

interface Mode {
  readonly name: string;
  readonly runs: number;
  readonly round: (seed: number) => RoundOptions;
}

const hasFsWatch = await fsWatchSupported();
const fsWatchModes: ReadonlyArray<boolean | undefined> = hasFsWatch ? [false, true] : [undefined];
const shapes = [
  { files: 1, kinds: 'torrc', runs: count('runs', values.runs), writes: values.writes },
  { files: 1, kinds: 'yaml', runs: count('runs', values.runs), writes: values.writes },
  { files: 50, kinds: 'mixed', runs: count('runs50', values.runs50), writes: values.writes50 },
] as const;
const modes: Mode[] = fsWatchModes.flatMap((fsWatch) =>
  shapes.map((s) => ({
    name: `files:${s.files},profile:${s.kinds},fsWatch:${fsWatch === true ? 'on' : 'off'}${trackLooks ? ',track-looks' : ''}`,
    runs: s.runs,
    round: (seed: number): RoundOptions => ({
      seed,
      files: s.files,
      kinds: s.kinds,
      writesPerFile: count('writes', s.writes),
      fsWatch,
      trackLooks,
    }),
  })),
);

console.log(
  `write storm: first seed ${firstSeed}, rounds ${inProcess ? 'in this process' : 'each in a child process'}; poll ${stormSettings.pollMs} ms, writeQuietMs ${stormSettings.writeQuietMs}, racyWindowMs ${stormSettings.racyWindowMs}, in-place pauses <= ${stormSettings.maxPauseMs} ms, gaps 0-${stormSettings.maxGapMs} ms, final quiet ${stormSettings.finalQuietMs} ms`,
);
if (!hasFsWatch) {
  for (const s of shapes) {
    console.log(
      `mode=files:${s.files},profile:${s.kinds},fsWatch:on skipped: this library refuses the fsWatch option (no fast path yet)`,
    );
  }
}

const mustBeZero = (r: RoundResult, exited: boolean): number =>
  r.lost +
  r.torn +
  r.invalidApplied +
  r.unhandled +
  r.stopHung +
  r.handlesLeft.length +
  // Each allowed read needs an overrun of its own; more would be an excuse, not a rule.
  Math.max(0, r.allowedByOverrun - r.pauseOverruns) +
  (exited ? 0 : 1);

let failed = false;
const summaries: string[] = [];
const startedAll = performance.now();
for (const mode of modes) {
  if (values.mode !== undefined && !mode.name.includes(values.mode)) continue;
  const t = { runs: 0, writes: 0, lost: 0, torn: 0, invalid: 0, unhandled: 0, leaks: 0 };
  const extra = { emitted: 0, overruns: 0, allowed: 0, unlooked: 0 };
  const started = performance.now();
  for (let k = 0; k < mode.runs; k++) {
    const options = mode.round(firstSeed + k);
    let result: RoundResult | undefined;
    let exited = true;
    let crash = '';
    if (inProcess) {
      result = await runRound(options);
    } else {
      const child = await runRoundInChild(options);
      result = child.result;
      exited = child.exitedByItself;
      crash = child.stderr;
    }
    t.runs++;
    if (result === undefined) {
      t.unhandled++;
      failed = true;
      console.log(`  seed=${options.seed} crashed before its result:\n${crash}`);
      continue;
    }
    t.writes += result.writes;
    t.lost += result.lost;
    t.torn += result.torn;
    t.invalid += result.invalidApplied;
    t.unhandled += result.unhandled;
    t.leaks += result.handlesLeft.length + result.stopHung + (exited ? 0 : 1);
    extra.emitted += result.emitted;
    extra.overruns += result.pauseOverruns;
    extra.allowed += result.allowedByOverrun;
    extra.unlooked += result.tornUnlookedInode;
    const bad = mustBeZero(result, exited) > 0;
    console.log(
      `  ${mode.name} seed=${options.seed} writes=${result.writes} emitted=${result.emitted} lost=${result.lost} torn=${result.torn} invalid-applied=${result.invalidApplied} unhandled=${result.unhandled} rejections=${JSON.stringify(result.rejections)} ${(result.durationMs / 1000).toFixed(1)} s${exited ? '' : ' DID NOT EXIT BY ITSELF'}`,
    );
    if (bad) {
      failed = true;
      for (const d of result.details) console.log(`    ${d}`);
      if (crash !== '') console.log(`    stderr: ${crash.trim()}`);
      console.log(
        `    replay: npm run stress -- --mode ${mode.name} --seed ${options.seed} --runs${options.files === 50 ? '50' : ''} 1${trackLooks ? ' --track-looks' : ''}`,
      );
    }
  }
  const unlooked = trackLooks
    ? `of the torn and invalid-applied, ${extra.unlooked} read from an unlooked new inode; `
    : '';
  summaries.push(
    `mode=${mode.name} runs=${t.runs} writes=${t.writes} lost=${t.lost} torn=${t.torn} invalid-applied=${t.invalid} unhandled=${t.unhandled} handles-left=${t.leaks} (${unlooked}emitted=${extra.emitted} pause-overruns=${extra.overruns} read-past-overrun=${extra.allowed} ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
for (const s of summaries) console.log(s);
console.log(`total ${((performance.now() - startedAll) / 1000).toFixed(1)} s`);
process.exitCode = failed ? 1 : 0;
