import assert from 'node:assert/strict';
import { type Logger, pino } from 'pino';
import { safeLog } from '../../lib/engine/safe-log.js';
import { logSink } from '../support/log-sink.js';

describe('safeLog', () => {
  it('logs through child({ module: "hotrc" }) at the level asked', () => {
    const sink = logSink('debug');
    const errors: unknown[] = [];
    const log = safeLog(sink.logger, (e) => errors.push(e));
    log.debug({ a: 1 }, 'd');
    log.info({ a: 2 }, 'i');
    log.warn({}, 'w');
    log.error({}, 'e');
    assert.deepEqual(
      sink.lines.map((l) => [l.level, l.msg, l.module]),
      [
        [20, 'd', 'hotrc'],
        [30, 'i', 'hotrc'],
        [40, 'w', 'hotrc'],
        [50, 'e', 'hotrc'],
      ],
    );
    assert.equal(sink.lines[1]?.a, 2);
    assert.deepEqual(errors, []);
  });

  it('hands what a throwing logger throws to onError, never to the caller', () => {
    const boom = new Error('EPIPE');
    const throwing = {
      child() {
        return this;
      },
      info() {
        throw boom;
      },
    } as unknown as Logger;
    const errors: unknown[] = [];
    const log = safeLog(throwing, (e) => errors.push(e));
    assert.doesNotThrow(() => log.info({}, 'x'));
    // A method the logger does not even have is a throw too, and caught the same way.
    assert.doesNotThrow(() => log.warn({}, 'y'));
    assert.equal(errors[0], boom);
    assert.ok(errors[1] instanceof TypeError);
  });

  it('catches a throw from the stream of a real pino logger (a closed pipe)', () => {
    const broken = pino(
      { level: 'info' },
      {
        write() {
          throw new Error('EPIPE');
        },
      },
    );
    const errors: unknown[] = [];
    const log = safeLog(broken, (e) => errors.push(e));
    assert.doesNotThrow(() => log.info({ a: 1 }, 'x'));
    assert.equal((errors[0] as Error).message, 'EPIPE');
  });

  it('uses a logger whose child() throws as it is, and says so', () => {
    const sink = logSink('info');
    const odd = Object.create(sink.logger, {
      child: {
        value: () => {
          throw new Error('no children');
        },
      },
    }) as Logger;
    const errors: unknown[] = [];
    safeLog(odd, (e) => errors.push(e)).info({}, 'still here');
    assert.deepEqual(
      sink.lines.map((l) => l.msg),
      ['still here'],
    );
    assert.equal((errors[0] as Error).message, 'no children');
  });

  it('logs nowhere without a logger', () => {
    const errors: unknown[] = [];
    assert.doesNotThrow(() => safeLog(undefined, (e) => errors.push(e)).error({}, 'x'));
    assert.deepEqual(errors, []);
  });
});
