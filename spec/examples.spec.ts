// The examples are part of the documentation: they must type-check (npm test does) and run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

/** Runs an example, calls `drive` with a way to wait for a log message, then interrupts it. */
async function runExample(
  name: string,
  args: string[],
  drive: (
    waitFor: (
      msg: string,
      test?: (l: Record<string, unknown>) => boolean,
    ) => Promise<Record<string, unknown>>,
  ) => Promise<void>,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', example(name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (msg: string, test: (l: Record<string, unknown>) => boolean = () => true) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" in ${JSON.stringify(lines)}`)),
        15_000,
      );
      const check = () => {
        const line = lines.find((l) => l.msg === msg && test(l));
        if (line !== undefined) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(line);
        }
      };
      waiters.add(check);
      check();
    });
  try {
    await drive(waitFor);
  } finally {
    child.kill(signal);
  }
  return { code: await exited, lines };
}

describe('examples', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-examples-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('production.ts resizes the pool live, vetoes an oversized pool, and shuts down cleanly', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'CircuitPoolMaxSize 10\n');
    const { code, lines } = await runExample(
      'production.ts',
      [path, '50ms'],
      async (waitFor) => {
        await waitFor('Tor client started');
        await writeFile(path, 'CircuitPoolMaxSize 20\n');
        assert.equal((await waitFor('Circuit pool resized')).pool, '2..20');
        await writeFile(path, 'CircuitPoolMaxSize 500\n');
        assert.match(
          String((await waitFor('Reload refused')).reason),
          /too high for this deployment/,
        );
      },
      'SIGTERM',
    );
    assert.equal(code, 0);
    assert.equal(lines.at(-1)?.msg, 'Configuration watcher stopped');
  });

  it('rxjs-compose.ts restarts its rotation timer when NewCircuitPeriod changes', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'NewCircuitPeriod 30 seconds\n');
    const { code } = await runExample(
      'rxjs-compose.ts',
      [path],
      async (waitFor) => {
        assert.equal((await waitFor('Rotating circuits on a new period')).period, '30s');
        await writeFile(path, 'NewCircuitPeriod 1 minute\n');
        assert.deepEqual((await waitFor('Config changed')).changes, [
          'NewCircuitPeriod: 30s -> 1m0s',
        ]);
        await waitFor('Rotating circuits on a new period', (l) => l.period === '1m0s');
      },
      'SIGINT',
    );
    assert.equal(code, 0);
  });

  it('app-config.ts keeps a pool in step with a YAML file, vetoes, holds a restart path, never logs the password', async () => {
    const path = join(dir, 'app.yaml');
    const yaml = (max: number, port = 8080, extra = '') =>
      `server:\n  host: 127.0.0.1\n  port: ${port}\npool:\n  min: 2\n  max: ${max}\nlogLevel: info\ndb:\n  url: postgres://127.0.0.1/app\n  password: s3cret-example\n${extra}`;
    // Rename-saves, as editors make them: read as soon as they are seen.
    const save = async (text: string) => {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    };
    await save(yaml(10));
    const { code, lines } = await runExample(
      'app-config.ts',
      [path, '50ms'],
      async (waitFor) => {
        await waitFor('Service started');
        await save(yaml(20));
        assert.equal((await waitFor('Pool resized')).pool, '2..20');
        await save(yaml(500));
        assert.match(String((await waitFor('Reload refused')).reason), /exhaust this database/);
        await save(yaml(20, 9090));
        assert.deepEqual((await waitFor('Restart pending')).fields, ['server.port']);
        await save(yaml(20, 9090).replace('max: 20', 'max: twenty'));
        const refused = await waitFor('Reload refused', (l) => String(l.reason).includes('twenty'));
        assert.match(
          String(refused.reason),
          /app\.yaml:6:8: pool\.max: expected a number, got "twenty"/,
        );
      },
      'SIGTERM',
    );
    assert.equal(code, 0);
    assert.ok(!JSON.stringify(lines).includes('s3cret-example'), 'the password reached a log line');
  });
});
