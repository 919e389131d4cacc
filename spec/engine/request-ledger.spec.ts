import assert from 'node:assert/strict';
import { RequestLedger } from '../../lib/engine/request-ledger.js';

const settled = <T>(p: Promise<T>) =>
  p.then(
    (v) => `ok:${String(v)}`,
    (e: unknown) => `err:${String(e)}`,
  );

describe('RequestLedger', () => {
  it('numbers requests and answers those up to a number, each once', async () => {
    const ledger = new RequestLedger<string, string>();
    assert.equal(ledger.newest, 0);
    const a = settled(ledger.open());
    const b = settled(ledger.open());
    assert.equal(ledger.newest, 2);
    const upTo = ledger.newest - 1; // an attempt that started after the first request only
    const c = settled(ledger.open());
    ledger.resolveUpTo(upTo, 'first');
    ledger.rejectUpTo(3, 'later');
    ledger.resolveUpTo(3, 'too late'); // nothing left to answer
    assert.deepEqual(await Promise.all([a, b, c]), ['ok:first', 'err:later', 'err:later']);
  });

  it('rejects every waiting request at once, and lets an answer open a new one', async () => {
    const ledger = new RequestLedger<string, string>();
    const reopened: Array<Promise<string>> = [];
    const first = ledger.open().then(
      () => 'resolved',
      (e: unknown) => {
        reopened.push(settled(ledger.open()));
        return `err:${String(e)}`;
      },
    );
    const second = settled(ledger.open());
    ledger.rejectAll('stopped');
    assert.deepEqual(await Promise.all([first, second]), ['err:stopped', 'err:stopped']);
    assert.equal(reopened.length, 1);
    ledger.resolveUpTo(ledger.newest, 'next');
    assert.deepEqual(await Promise.all(reopened), ['ok:next']);
  });
});
