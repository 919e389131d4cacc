import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pino } from 'pino';
import { prettyLine } from '../../lib/cli/pretty.js';
import { logMessages } from '../../lib/engine/log.js';

const line = (record: Record<string, unknown>) => prettyLine(JSON.stringify(record));

describe('prettyLine', () => {
  it('prints time (UTC), level, message and the fields, as the design document shows', () => {
    assert.equal(
      line({ level: 30, time: 0, msg: logMessages.reloaded, path: '/etc/tor/torrc' }),
      '00:00:00 INFO Configuration reloaded successfully path=/etc/tor/torrc',
    );
    assert.equal(
      line({ level: 40, time: Date.UTC(2026, 11, 1, 13, 4, 5, 678), msg: 'm', n: 1 }),
      '13:04:05 WARN m n=1',
    );
  });

  it("names pino's levels, and shows any other level as it is", () => {
    const names = [
      [10, 'TRACE'],
      [20, 'DEBUG'],
      [30, 'INFO'],
      [40, 'WARN'],
      [50, 'ERROR'],
      [60, 'FATAL'],
      [35, '35'],
    ] as const;
    for (const [level, name] of names)
      assert.equal(line({ level, time: 0, msg: 'm' }), `00:00:00 ${name} m`);
  });

  it('hides what every line has or a terminal does not need: pid, hostname, module', () => {
    assert.equal(
      line({ level: 30, time: 0, pid: 7, hostname: 'vm', module: 'hotrc', msg: 'm', kept: true }),
      '00:00:00 INFO m kept=true',
    );
  });

  it('quotes strings with blanks, quotes or =, lists arrays in brackets, shows errors by message', () => {
    assert.equal(
      line({
        level: 50,
        time: 0,
        msg: logMessages.rejected,
        reason: 'torrc:1: Could not parse X',
        eq: 'a=b',
        quote: 'say "hi"',
        plain: 'word',
        changes: ['MaxCircuitDirtiness: 10m0s -> 15m0s', 'LogLevel: info -> debug'],
        mixed: ['a', 1, { b: 2 }],
        err: { type: 'Error', message: 'boom here', stack: 'Error: boom here\n    at x' },
        nothing: null,
      }),
      '00:00:00 ERROR Configuration reload rejected reason="torrc:1: Could not parse X" eq="a=b" ' +
        'quote="say \\"hi\\"" plain=word ' +
        'changes=[MaxCircuitDirtiness: 10m0s -> 15m0s LogLevel: info -> debug] ' +
        'mixed=[a 1 {"b":2}] err="boom here" nothing=null',
    );
  });

  it('leaves out a missing or impossible time, or a missing message', () => {
    assert.equal(line({ level: 30, msg: 'm' }), 'INFO m');
    assert.equal(line({ level: 30, time: 0, x: 1 }), '00:00:00 INFO x=1');
    assert.equal(line({ level: 30, time: 1e300, msg: 'm' }), 'INFO m');
    assert.equal(line({ level: 30, time: '12:00', msg: 'm' }), 'INFO m');
  });

  it('passes through a line that is not a JSON object, unchanged', () => {
    for (const text of ['plain text', '{"cut', '', 'null', '42', '"s"', '[1,2]', 'true']) {
      assert.equal(prettyLine(text), text);
    }
  });

  it('prints a real pino line', () => {
    let written = '';
    const logger = pino(
      { timestamp: () => ',"time":3723000' },
      {
        write: (s: string) => {
          written += s;
        },
      },
    ).child({ module: 'hotrc' });
    logger.info({ path: '/etc/tor/torrc', interval: '30s' }, logMessages.watcherStarted);
    assert.equal(
      prettyLine(written.trimEnd()),
      '01:02:03 INFO Starting configuration file watcher path=/etc/tor/torrc interval=30s',
    );
  });

  it('always gives one line, whatever the strings hold', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '\r', '"', '=', '\u2028', '\t'),
    });
    fc.assert(
      fc.property(text, text, fc.array(text), (msg, value, list) => {
        const out = line({ level: 30, time: 0, msg, value, list });
        assert.ok(!out.includes('\n') && !out.includes('\r'), out);
      }),
    );
  });
});
