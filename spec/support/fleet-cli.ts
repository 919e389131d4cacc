// One suite of fleet commands run as `hotrc` would be, on CI's etcd (or one of the suite's own):
// the hooks that give each test a temp directory and a key of its own, and pushes through the CLI.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3, IKeyValue } from 'etcd3';
import { cli } from './cli.js';
import { type SharedEtcd, specKey, withSharedEtcd } from './etcd.js';

export interface FleetCliSuite {
  readonly etcd: SharedEtcd;
  readonly client: Etcd3;
  /** This test's temp directory. */
  readonly dir: string;
  /** This test's key. */
  readonly key: string;
  /** `--etcd ENDPOINT --key KEY`. */
  target(): string[];
  /** The key's value as etcd has it now. */
  value(): Promise<IKeyValue | undefined>;
  /** Pushes each text in turn with `hotrc push`; resolves with the revision each landed at. */
  pushAll(...texts: string[]): Promise<string[]>;
}

/**
 * Registers the suite's hooks (call it directly inside `describe`) and returns its state, read
 * in the tests: `const s = fleetCliSuite('history'); it('…', async () => s.pushAll(...))`.
 */
export function fleetCliSuite(name: string): FleetCliSuite {
  let etcd: SharedEtcd | undefined;
  let client: Etcd3 | undefined;
  let dir: string | undefined;
  let key: string | undefined;
  withSharedEtcd((e, c) => {
    etcd = e;
    client = c;
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `hotrc-${name}-`));
    key = specKey(name);
  });
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const set = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`fleetCliSuite: ${what} is set by its hooks`);
    return v;
  };
  const suite: FleetCliSuite = {
    get etcd() {
      return set(etcd, 'etcd');
    },
    get client() {
      return set(client, 'client');
    },
    get dir() {
      return set(dir, 'dir');
    },
    get key() {
      return set(key, 'key');
    },
    target: () => ['--etcd', suite.etcd.endpoint, '--key', suite.key],
    value: async () => (await suite.client.get(suite.key).exec()).kvs[0],
    pushAll: async (...texts) => {
      const revisions: string[] = [];
      for (const [i, text] of texts.entries()) {
        const path = join(suite.dir, `torrc-${i}`);
        await writeFile(path, text);
        const r = await cli('push', path, ...suite.target());
        assert.equal(r.code, 0, r.stderr);
        revisions.push((await suite.value())?.mod_revision as string);
      }
      return revisions;
    },
  };
  return suite;
}
