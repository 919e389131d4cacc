import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RoundOptions, RoundResult } from './storm-round.js';

const child = fileURLToPath(new URL('./round-child.ts', import.meta.url));

/** How long a child may live on after printing its result before it counts as kept alive. */
const exitGraceMs = 5000;

/**
 * A round's result, plus how its process ended: `exitedByItself` is false when the child was
 * still alive `exitGraceMs` after its result (something stop() left behind kept it running) and
 * had to be killed, or when it crashed (`exitCode` non-zero, `stderr` says why).
 * @example const r = await runRoundInChild({ seed: 1, files: 1, kinds: 'torrc', writesPerFile: 50, fsWatch: undefined });
 */
export interface ChildRoundResult {
  readonly result: RoundResult | undefined;
  readonly exitedByItself: boolean;
  readonly exitCode: number | null;
  readonly stderr: string;
}

/**
 * Runs one round in a fresh Node process (with tsx) and waits for it to exit on its own.
 * @example const { result, exitedByItself } = await runRoundInChild(options);
 */
export function runRoundInChild(options: RoundOptions): Promise<ChildRoundResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let grace: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (grace === undefined && stdout.includes('\n')) {
        grace = setTimeout(() => {
          killed = true;
          proc.kill('SIGKILL');
        }, exitGraceMs);
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(grace);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      resolve({
        result: line === undefined ? undefined : (JSON.parse(line) as RoundResult),
        exitedByItself: !killed && code === 0,
        exitCode: code,
        stderr,
      });
    });
  });
}
