// The torrc format without %include, answering at once: the real reader does file I/O (realpath,
// include reads) that virtual time cannot drive, so marble specs of the engine lay the Tor
// profile over this one, as they lay the pipeline over FakeSource.
import * as E from 'fp-ts/lib/Either.js';
import type { Format } from '../../lib/engine/format.js';
import type { Profile } from '../../lib/engine/profile.js';
import { problemOf } from '../../lib/tor/config-file.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { parseTorrcEntries } from '../../lib/tor/torrc.js';

export const memoryTorrcFormat: Format = {
  name: 'torrc (in memory)',
  parse({ bytes, file }) {
    const parsed = parseTorrcEntries(new TextDecoder().decode(bytes), { file });
    if (E.isLeft(parsed)) return E.left({ problems: [problemOf(parsed.left)], watched: [file] });
    return E.right({
      value: parsed.right,
      locate: () => ({ file, line: 1, column: 1 }),
      files: [file],
      watched: [file],
      warnings: [],
    });
  },
};

/** The Tor profile over the in-memory format. */
export const memoryTorProfile: Profile<TorConfig> = { ...torProfile, format: memoryTorrcFormat };
