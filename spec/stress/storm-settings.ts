/** The timings of a storm (ms, but `invalidRate`, a probability); see `stormSettings`. */
export interface StormSettings {
  readonly pollMs: number;
  readonly writeQuietMs: number;
  readonly racyWindowMs: number;
  readonly maxPauseMs: number;
  readonly maxGapMs: number;
  readonly invalidRate: number;
  readonly finalQuietMs: number;
}

/**
 * The timings every storm runs with, chosen so a round is fast yet every rule is exercised:
 * - `pollMs` 20: a look every 20 ms, so most saves are seen mid-storm, half-way states included.
 * - `writeQuietMs` 250, and in-place pauses of at most `maxPauseMs` 100: every pause inside a
 *   save is well under the quiet period (150 ms of slack for a late event loop on 2 busy cores;
 *   a pause that still ran over is counted and reported as `pause-overruns`).
 * - `racyWindowMs` 500: the window after a change in which content hashes are compared again.
 *   The default 2000 covers FAT's 2 s timestamps; ext4 and tmpfs tick in ns from a clock coarse
 *   to at most 10 ms, so 500 keeps a wide margin and keeps the final wait short.
 * - `maxGapMs` 20: saves follow each other after 0 to 20 ms.
 * - `invalidRate` 0.15: about one save in seven is invalid (a bad value, a broken rule, a
 *   syntax error); the last save of every file is always valid.
 * - `finalQuietMs`: after the last save, long enough for the racy window, the quiet period, a
 *   settle and several polls, with room for a loaded machine: then the final state is judged.
 * @example setTimeout(check, stormSettings.finalQuietMs)
 */
export const stormSettings: StormSettings = Object.freeze({
  pollMs: 20,
  writeQuietMs: 250,
  racyWindowMs: 500,
  maxPauseMs: 100,
  maxGapMs: 20,
  invalidRate: 0.15,
  finalQuietMs: 500 + 250 + 50 + 10 * 20 + 500,
});
