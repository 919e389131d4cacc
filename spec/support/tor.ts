// Runs Debian's real `tor` binary in its two read-only modes, so conformance
// specs can compare hotrc with Tor itself. Never starts tor as a daemon.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The tor binary, or undefined when it is not installed (specs then skip visibly). */
export const torBinary: string | undefined = (() => {
  for (const candidate of ['tor', '/usr/sbin/tor', '/usr/bin/tor']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next place
    }
  }
  return undefined;
})();

export interface TorVerdict {
  /** `Configuration was valid` and exit status 0. */
  readonly valid: boolean;
  /** Tor's warnings and errors (`[warn]`/`[err]` lines), without timestamps. */
  readonly messages: ReadonlyArray<string>;
  /** `--dump-config short` output as (key, value) pairs in Tor's order; empty when invalid. */
  readonly dump: ReadonlyArray<readonly [string, string]>;
}

function run(
  args: ReadonlyArray<string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (torBinary === undefined) throw new Error('tor is not installed');
  return new Promise((resolve) => {
    execFile(torBinary as string, [...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const logLine = /^\w{3} \d{2} [\d:.]+ \[(warn|err)\] (.*)$/;

/**
 * Asks Tor about a torrc file on disk: `--verify-config`, then `--dump-config short`.
 * An empty defaults file keeps the system's defaults out of the answer.
 * @example const v = await torVerify('/tmp/x/torrc'); v.valid && v.dump
 */
export async function torVerify(file: string): Promise<TorVerdict> {
  const dir = await mkdtemp(join(tmpdir(), 'hotrc-tor-'));
  try {
    const defaults = join(dir, 'defaults');
    await writeFile(defaults, '');
    const common = ['--defaults-torrc', defaults, '-f', file, '--DataDirectory', dir];
    const verify = await run([...common, '--verify-config']);
    const messages = `${verify.stdout}\n${verify.stderr}`
      .split('\n')
      .map((l) => logLine.exec(l)?.[2])
      .filter((m): m is string => m !== undefined && !m.startsWith('You are running Tor as root'));
    const valid = verify.code === 0 && verify.stdout.includes('Configuration was valid');
    if (!valid) return { valid, messages, dump: [] };
    const dumped = await run([...common, '--dump-config', 'short']);
    const dump = dumped.stdout
      .split('\n')
      .filter((l) => l.length > 0 && !logLine.test(l))
      .map((l): readonly [string, string] => {
        const space = l.indexOf(' ');
        return space < 0 ? [l, ''] : [l.slice(0, space), l.slice(space + 1)];
      })
      .filter(([k]) => k !== 'DataDirectory');
    return { valid, messages, dump };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Same as torVerify, for torrc text (written as bytes, exactly as given).
 * @example const v = await torVerifyText('Nickname abc\n');
 */
export async function torVerifyText(
  text: string | Uint8Array,
): Promise<TorVerdict & { file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hotrc-torrc-'));
  const file = join(dir, 'torrc');
  try {
    await writeFile(file, text);
    return { ...(await torVerify(file)), file };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
