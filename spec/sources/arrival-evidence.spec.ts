import assert from 'node:assert/strict';
import { stat, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArrivalEvidence, arrivalEvidence } from '../../lib/sources/arrival-evidence.js';
import { type DirectoryWatch, nodeFs } from '../../lib/sources/fs-port.js';
import { eventually } from '../support/waiting.js';

const nodeWatch = (): NonNullable<typeof nodeFs.watch> => {
  const watch = nodeFs.watch;
  if (watch === undefined) throw new Error('nodeFs has no watch');
  return watch.bind(nodeFs);
};

describe('sources/arrival-evidence, on real fs.watch', () => {
  let dir: string;
  let path: string;
  let evidence: ArrivalEvidence;
  let handles: DirectoryWatch[];
  let events: string[];

  // Watches `d` through the evidence, as fsWatch does, counting the events that reach the caller.
  const watchDir = (d: string = dir): DirectoryWatch => {
    const h = evidence.watch(
      d,
      (name, kind) => events.push(`${kind}:${name}`),
      () => {},
    );
    handles.push(h);
    return h;
  };
  // Until the watch has delivered what `step` did: an event on `name` after it.
  const settled = async (name: string, step: () => Promise<void>): Promise<void> => {
    const before = events.length;
    await step();
    await eventually(() => events.slice(before).some((e) => e.endsWith(`:${name}`)), name);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-arrival-'));
    path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    evidence = arrivalEvidence(nodeWatch(), 'linux');
    handles = [];
    events = [];
  });
  afterEach(async () => {
    for (const h of handles) h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const renameSave = async (text: string): Promise<void> => {
    await writeFile(join(dir, '.torrc.tmp'), text);
    await rename(join(dir, '.torrc.tmp'), path);
  };

  it('a rename-save is bound and unwritten: its bytes were written before it got the name', async () => {
    watchDir();
    await settled('torrc', () => renameSave('SocksPort 9150\n'));
    assert.equal(await evidence.boundUnwritten(path), true);
    // And it passes every event on, with its kind.
    assert.ok(events.includes('rename:torrc'), events.join(' '));
  });

  it('a file renamed into place and then written in place is not, even when asked before the write event arrived', async () => {
    watchDir();
    await settled('torrc', () => renameSave('SocksPort 9150\n'));
    const handle = await open(path, 'w');
    await handle.write('SocksPort');
    // Asked at once: the write's event may not have been delivered yet; the answer waits for it.
    assert.equal(await evidence.boundUnwritten(path), false);
    await handle.close();
  });

  it('a write made inside an I/O callback, just before the look asks, is still seen', async () => {
    watchDir();
    await settled('torrc', () => renameSave('SocksPort 9150\n'));
    // A look that runs in an I/O callback (a stat finishing on the thread pool) runs in the poll
    // phase, after this turn's poll for events: a write landing then is in the kernel's queue,
    // and the check phase comes before the next poll reads it.
    const answer = await new Promise<Promise<boolean>>((resolve) =>
      stat(dir, () => {
        writeFileSync(path, 'SocksPort', { flag: 'r+' });
        resolve(evidence.boundUnwritten(path));
      }),
    );
    assert.equal(await answer, false);
  });

  it('a write through a descriptor opened before the rename counts too (the event names the new name)', async () => {
    watchDir();
    const handle = await open(join(dir, '.torrc.tmp'), 'w');
    await handle.write('SocksPort ');
    await settled('torrc', () => rename(join(dir, '.torrc.tmp'), path));
    await handle.write('9150\n');
    assert.equal(await evidence.boundUnwritten(path), false);
    await handle.close();
  });

  it('a delete-and-recreate is not: the file was written where it stands', async () => {
    watchDir();
    await settled('torrc', async () => {
      await unlink(path);
      await writeFile(path, 'SocksPort 9150\n');
    });
    assert.equal(await evidence.boundUnwritten(path), false);
  });

  it('a file written in place is not', async () => {
    watchDir();
    await settled('torrc', () => writeFile(path, 'SocksPort 9150\n'));
    assert.equal(await evidence.boundUnwritten(path), false);
  });

  it('is false without a watch on the directory, with one opened only after the rename, or one closed since', async () => {
    await renameSave('SocksPort 9150\n');
    assert.equal(await evidence.boundUnwritten(path), false);
    const late = watchDir();
    assert.equal(await evidence.boundUnwritten(path), false);
    await settled('torrc', () => renameSave('SocksPort 9250\n'));
    assert.equal(await evidence.boundUnwritten(path), true);
    late.close();
    assert.equal(await evidence.boundUnwritten(path), false);
  });

  it('keeps each directory apart: a rename in one says nothing of the same name in another', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    watchDir();
    watchDir(other);
    await settled('torrc', async () => {
      await writeFile(join(other, '.t'), 'x\n');
      await rename(join(other, '.t'), join(other, 'torrc'));
    });
    assert.equal(await evidence.boundUnwritten(join(other, 'torrc')), true);
    assert.equal(await evidence.boundUnwritten(path), false);
  });

  it('forgets a watch that failed, and one whose event named nothing', async () => {
    let fire: ((name: string | null, kind?: 'rename' | 'change') => void) | undefined;
    let fail: ((err: unknown) => void) | undefined;
    const fake = arrivalEvidence((_d, onEvent, onError) => {
      fire = onEvent;
      fail = onError;
      return { close: () => {} };
    }, 'linux');
    fake.watch(
      dir,
      () => {},
      () => {},
    );
    fire?.('torrc', 'rename');
    assert.equal(await fake.boundUnwritten(path), true);
    fire?.(null);
    assert.equal(await fake.boundUnwritten(path), false);
    fire?.('torrc', 'rename');
    fail?.(new Error('watch died'));
    assert.equal(await fake.boundUnwritten(path), false);
  });

  it('gives no evidence off Linux, where the order of events and stats is not promised', async () => {
    evidence = arrivalEvidence(nodeWatch(), 'darwin');
    watchDir();
    await settled('torrc', () => renameSave('SocksPort 9150\n'));
    assert.equal(await evidence.boundUnwritten(path), false);
  });
});
