// Specs that run a real program (etcd, vim, rsync) skip visibly on a machine without it, and fail
// in CI (`CI` set), where `.ci/run` installs it: a broken install can never pass as skipped.
import { spawnSync } from 'node:child_process';

/**
 * Skips the calling suite or test with `message` (printed), or throws it in CI.
 * @example if (!found) missingInstall(this, 'no etcd binary here; apt-get install etcd-server');
 */
export function missingInstall(context: Mocha.Context, message: string): never {
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`${message}; CI needs it`);
  }
  skipVisibly(context, message);
}

/**
 * Skips the calling suite or test with `message` printed, in CI too: for what the machine or
 * the checkout is (a setting, a directory's mode), not for something `.ci/run` installs.
 * @example if (limit > 8192) skipVisibly(this, `max_user_instances is ${limit}, too many to fill`);
 */
export function skipVisibly(context: Mocha.Context, message: string): never {
  console.log(`      (skipped: ${message})`);
  context.skip();
}

/**
 * Whether `bin` is on PATH.
 * @example onPath('vim') // true where vim is installed
 */
export function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$0"', bin], { stdio: 'ignore' }).status === 0;
}

/**
 * Skips the calling suite or test (visibly) when `bin` is not on PATH, unless in CI, where it
 * fails. `pkg` is the Debian package that has it.
 * @example beforeEach(function () { needProgram(this, 'rsync', 'rsync'); });
 */
export function needProgram(context: Mocha.Context, bin: string, pkg: string): void {
  if (!onPath(bin)) missingInstall(context, `no ${bin} here; apt-get install ${pkg} to run this`);
}
