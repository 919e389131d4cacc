import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// One build per bench run: every bench whose children run dist/ asks for it, and the tree does
// not change while the run lasts.
let built: Promise<void> | undefined;

/**
 * Builds dist/ from this tree, once per process: the children of the idle, load and decode
 * benches run hotrc from it, as users do.
 * @example await buildDist();
 */
export function buildDist(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', root],
      { timeout: 300_000 },
      (err, stdout) =>
        err === null ? resolve() : reject(new Error(`bench: build failed: ${stdout}`)),
    );
  });
  return built;
}
