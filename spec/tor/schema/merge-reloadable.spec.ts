import assert from 'node:assert/strict';
import { mergeReloadable } from '../../../lib/tor/schema/merge-reloadable.js';
import { defaultConfig } from '../../../lib/tor/schema/tor-config.js';

describe('mergeReloadable', () => {
  it('takes only reloadable fields from the file, and freezes the result', () => {
    const base = defaultConfig();
    const merged = mergeReloadable(base, { ...base, LogLevel: 'error', ControlPort: 1 });
    assert.deepEqual([merged.LogLevel, merged.ControlPort], ['error', 9051]);
    assert.ok(Object.isFrozen(merged));
  });
});
