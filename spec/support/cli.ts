// Runs the hotrc CLI in-process with captured output, or as a real child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../lib/cli/run-cli.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runCli with stdout/stderr captured. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

/** The CLI's entry file, run through tsx so the spec needs no build. */
export const cliMain = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

/**
 * tsx's loader as an absolute URL, for `node --import`: a bare `tsx` is resolved from the child's
 * working directory, which a spec may set to a temp directory.
 */
export const tsxLoader = import.meta.resolve('tsx');

/**
 * The stdout of `script` (a .mjs or .ts file) run through tsx in a fresh process: for a spec that
 * must see what a new process loads. Rejects with its stderr if it fails or takes 20 s.
 */
export function tsxScriptOutput(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, script],
      { timeout: 20_000 },
      (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(stderr))),
    );
  });
}

/** `hotrc ...argv` as a child process. */
export function cliProcess(...argv: string[]): Promise<CliResult> {
  return cliProcessIn(process.cwd(), ...argv);
}

/** `hotrc ...argv` as a child process working in `cwd`. */
export function cliProcessIn(cwd: string, ...argv: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, cliMain, ...argv],
      { cwd, timeout: 20_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1,
          stdout,
          stderr,
        });
      },
    );
  });
}
