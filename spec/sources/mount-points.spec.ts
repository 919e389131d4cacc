import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountPoints } from '../../lib/sources/mount-points.js';

describe('mountPoints', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-mountinfo-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads each line's mount point, octal escapes undone", async () => {
    const file = join(dir, 'mountinfo');
    await writeFile(
      file,
      [
        '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
        '45 22 254:0 /srv/torrc /etc/tor/torrc rw,relatime - ext4 /dev/vda rw',
        '46 22 0:40 / /mnt/my\\040disk\\134x rw - tmpfs tmpfs rw',
        '',
      ].join('\n'),
    );
    assert.deepEqual([...mountPoints(file)], ['/', '/etc/tor/torrc', '/mnt/my disk\\x']);
  });

  it('is empty where there is no mountinfo to read', () => {
    assert.equal(mountPoints(join(dir, 'none')).size, 0);
  });

  it("holds this process's root", () => {
    if (process.platform !== 'linux') return;
    assert.ok(mountPoints().has('/'));
  });
});
