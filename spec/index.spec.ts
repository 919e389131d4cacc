// The package entry, as a user imports it: the built dist/index.js, in a fresh process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// Counts the listeners a library could leave behind, imports the package, counts again, and
// prints the two counts as the only output. A side effect shows as a difference, as any other
// output, as a throw (exit 1), or as a process that does not end on its own (the timeout).
const script = `
const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'warning'];
const count = () => Object.fromEntries(events.map((e) => [e, process.listenerCount(e)]));
const before = count();
const hotrc = await import(${JSON.stringify(built)});
const after = count();
process.stdout.write(JSON.stringify({ before, after, runCli: typeof hotrc.runCli, names: Object.keys(hotrc).length }));
`;

describe('index (the package entry)', function () {
  this.timeout(30_000);

  it('imports with no side effects: no output, no throw, no listeners, exits by itself', async () => {
    await access(built).catch(() => {
      throw new Error(`${built} is missing: run npm run build (npm test builds first)`);
    });
    const r = await new Promise<{
      code: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      // argv[1] is `-` (stdin), the case that used to throw ENOENT at import.
      const child = execFile(
        process.execPath,
        ['--input-type=module', '-'],
        { timeout: 20_000 },
        (_err, stdout, stderr) =>
          resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
      );
      child.stdin?.end(script);
    });
    assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
    const { before, after, runCli, names } = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(after, before);
    assert.equal(runCli, 'function');
    assert.ok(typeof names === 'number' && names > 50, `only ${String(names)} exports`);
  });
});
