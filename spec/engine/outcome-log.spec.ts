import assert from 'node:assert/strict';
import { EMPTY } from 'rxjs';
import { logMessages } from '../../lib/engine/log.js';
import { OutcomeLog } from '../../lib/engine/outcome-log.js';
import { safeLog } from '../../lib/engine/safe-log.js';
import type { Observation, Outcome, Rejection } from '../../lib/engine/types.js';
import { logSink } from '../support/log-sink.js';

const path = '/etc/app.yaml';
const look = (version: string): Observation => ({
  trigger: 'poll',
  state: { kind: 'snapshot', version, racy: false, read: () => EMPTY },
});
const rejection: Rejection = {
  kind: 'invalid',
  cause: 'invalid',
  reason: 'app.yaml:2:8: bad',
  path,
  trigger: 'poll',
  problems: [],
};
const rejected: Outcome<unknown> = {
  status: 'rejected',
  trigger: 'poll',
  answers: 0,
  startedAt: 0,
  rejection,
};
const unchanged = (over: Partial<Extract<Outcome<unknown>, { status: 'unchanged' }>> = {}) =>
  ({
    status: 'unchanged',
    trigger: 'poll',
    answers: 0,
    startedAt: 0,
    changes: [],
    restartRequired: [],
    warnings: [],
    ...over,
  }) as Extract<Outcome<unknown>, { status: 'unchanged' }>;

function harness() {
  const sink = logSink('debug');
  const lines = new OutcomeLog(
    safeLog(sink.logger, () => {}),
    path,
  );
  const levels = (msg: string) => sink.find(msg).map((l) => l.level);
  return { sink, lines, levels };
}

describe('OutcomeLog', () => {
  it('announces a new version once, and its outcome is info even when unchanged', () => {
    const { lines, levels, sink } = harness();
    lines.announce(look('v1'));
    lines.loaded(unchanged(), 1, 0);
    lines.announce(look('v1'));
    lines.loaded(unchanged(), 1, 0);
    lines.announce(look('v2'));
    lines.loaded(unchanged(), 1, 0);
    assert.equal(sink.find(logMessages.fileChanged).length, 1);
    assert.deepEqual(levels(logMessages.attempt), [20, 20, 30]);
  });

  it('writes the lines of a problem a look sees again once; an announced one again', () => {
    const { lines, sink } = harness();
    lines.rejected(rejected, 1);
    lines.rejected(rejected, 1);
    assert.equal(sink.find(logMessages.rejected).length, 1);
    lines.announce({ ...look('v1'), trigger: 'manual' });
    lines.rejected(
      { ...rejected, trigger: 'manual', rejection: { ...rejection, trigger: 'manual' } },
      1,
    );
    assert.equal(sink.find(logMessages.rejected).length, 2);
    lines.loaded(unchanged(), 1, 0);
    assert.equal(sink.find(logMessages.recovered).length, 1);
  });

  it('shows a set of warnings once, and says whether the restart-only changes moved', () => {
    const { lines, sink } = harness();
    const warnings = [
      { severity: 'warning' as const, message: "unknown key 'x'", file: path, line: 3 },
    ];
    const restart = [
      { field: 'server.port', from: 1, to: 2, text: 'server.port: 1 -> 2', reloadable: false },
    ];
    assert.equal(lines.loaded(unchanged({ warnings, restartRequired: restart }), 1, 0), true);
    assert.equal(lines.loaded(unchanged({ warnings, restartRequired: restart }), 1, 0), false);
    assert.equal(lines.loaded(unchanged(), 1, 0), true);
    assert.equal(sink.find(logMessages.warning).length, 1);
    assert.equal(sink.find(logMessages.restartRequired).length, 1);
  });
});
