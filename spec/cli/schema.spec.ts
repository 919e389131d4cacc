import assert from 'node:assert/strict';
import { toJsonSchema } from '../../lib/tor/schema/json-schema.js';
import { cli } from '../support/cli.js';

describe('hotrc schema', () => {
  it('prints the JSON Schema', async () => {
    const r = await cli('schema');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), toJsonSchema());
  });

  it('takes no arguments', async () => {
    assert.equal((await cli('schema', 'x')).code, 2);
  });
});
