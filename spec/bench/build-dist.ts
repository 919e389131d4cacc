import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** hotrc's public API, as lib/index.ts exports it. */
export type Hotrc = typeof import('../../lib/index.js');

/**
 * hotrc from dist/ (built first, see buildDist), for a bench that times hotrc in its own process:
 * users run what tsc built, while through tsx every function hotrc makes while it works is also
 * wrapped by esbuild's name-keeping helper, a cost no user pays (0.12 to 0.16 ms of a rename-save's
 * commit, one watcher alone in a process, paired runs).
 * @example const { ReloadableConfig } = await importDist();
 */
export async function importDist(): Promise<Hotrc> {
  await buildDist();
  return (await import(pathToFileURL(join(root, 'dist/index.js')).href)) as Hotrc;
}
