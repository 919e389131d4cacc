// Runs the hotrc CLI in-process with captured output, or as a real child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../lib/cli/main.js';

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

/** `hotrc ...argv` as a child process. */
export function cliProcess(...argv: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cliMain, ...argv],
      { timeout: 20_000 },
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
