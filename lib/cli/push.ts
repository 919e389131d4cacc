import { parseArgs } from 'node:util';
import { formatProblem, type Problem } from '../core/problem.js';
import type { Profile } from '../engine/profile.js';
import type { FieldChange } from '../engine/types.js';
import { pushConfig } from '../fleet/push-config.js';
import type { PushIncludes } from '../fleet/push-includes.js';
import type { RollbackOutcome } from '../fleet/rollback-config.js';
import { findTorrcIncludes, inlineTorrcIncludes } from '../tor/inline-includes.js';
import { type CliIo, type Command, exitCodes, onePath, UsageError, usage } from './command.js';
import {
  etcdSecurityUsage,
  fleetArgs,
  fleetTarget,
  unreachableLine,
  withEtcd,
} from './fleet-options.js';
import { isTorProfile, profileOption } from './profile-option.js';

/**
 * A torrc's `%include`s, for a push of the Tor profile; other profiles' formats include nothing.
 * @example const includes = pushIncludesOf(profile);
 */
export function pushIncludesOf(profile: Profile<unknown>): PushIncludes | undefined {
  return isTorProfile(profile)
    ? { find: findTorrcIncludes, inline: inlineTorrcIncludes }
    : undefined;
}

/**
 * `--expect-revision N` checked: a decimal revision (0: the key must not exist).
 * @example expectRevisionOption('42') // '42'
 */
export function expectRevisionOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,18})$/.test(value)) {
    throw new UsageError(`--expect-revision must be a revision number, not '${value}'`);
  }
  return value;
}

/** What reportPush says the push was about. */
interface PushContext {
  readonly command: 'push' | 'rollback';
  readonly key: string;
  readonly hosts: ReadonlyArray<string>;
  readonly profile: string;
  readonly json: boolean;
  readonly verbose?: boolean;
}

const changeLine = (c: FieldChange) => `  ${c.text}${c.reloadable ? '' : ' (needs a restart)'}\n`;

function problemLines(problems: ReadonlyArray<Problem>, verbose: boolean): string {
  return problems
    .filter((p) => p.severity !== 'info' || verbose)
    .map((p) => `${formatProblem(p)}\n`)
    .join('');
}

const visible = (problems: ReadonlyArray<Problem>) =>
  problems.filter((p) => p.severity !== 'info').map(formatProblem);

/**
 * Prints a push's (or a rollback's) outcome and returns the exit status: 0 pushed or unchanged,
 * 1 invalid (the value, or the stored value without --force), 4 no such revision (rollback), 69
 * etcd unreachable, 75 conflict. With `json`, one JSON object on stdout and nothing else.
 * @example return reportPush(await pushConfig(client, profile, file, { key }), context, io);
 */
export function reportPush(outcome: RollbackOutcome, ctx: PushContext, io: CliIo): number {
  const { command, key } = ctx;
  const json = (o: Record<string, unknown>, code: number) => {
    io.stdout(`${JSON.stringify({ outcome: outcome.kind, key, ...o })}\n`);
    return code;
  };
  const to = 'to' in outcome && outcome.to !== undefined ? outcome.to : undefined;
  switch (outcome.kind) {
    case 'pushed': {
      if (ctx.json) {
        return json(
          {
            revision: outcome.revision,
            previous: outcome.previous,
            ...(to === undefined ? {} : { to }),
            sha256: outcome.sha256,
            changes:
              outcome.changes?.map((c) => ({
                field: c.field,
                text: c.text,
                reloadable: c.reloadable,
              })) ?? null,
            warnings: visible(outcome.warnings),
            inlined: outcome.inlined,
            id: outcome.id,
          },
          exitCodes.ok,
        );
      }
      io.stderr(problemLines(outcome.warnings, ctx.verbose === true));
      const what = to === undefined ? '' : ` to the text of revision ${to}`;
      io.stdout(
        outcome.previous === null
          ? `${key}: new key; against ${ctx.profile}'s defaults:\n`
          : `${key}: revision ${outcome.previous} -> ${outcome.revision}${what}:\n`,
      );
      if (outcome.changes === undefined) {
        io.stdout(
          `  (the value replaced did not load with profile '${ctx.profile}': no field diff)\n`,
        );
      } else if (outcome.changes.length === 0) {
        io.stdout('  no field changes (only the text differs)\n');
      } else {
        for (const c of outcome.changes) io.stdout(changeLine(c));
      }
      if (outcome.inlined) io.stdout('  (%include lines inlined)\n');
      const kept =
        outcome.previous === null ? '' : ` (revision ${outcome.previous} kept in the history)`;
      io.stdout(
        `${command === 'push' ? 'pushed' : 'rolled back'}: ${key} is at revision ${outcome.revision}${kept}\n`,
      );
      return exitCodes.ok;
    }
    case 'unchanged':
      if (ctx.json)
        return json(
          { revision: outcome.revision, warnings: visible(outcome.warnings) },
          exitCodes.ok,
        );
      io.stderr(problemLines(outcome.warnings, ctx.verbose === true));
      io.stdout(
        `unchanged: ${key} holds this text already (revision ${outcome.revision}); nothing written\n`,
      );
      return exitCodes.ok;
    case 'invalid':
      if (ctx.json) return json({ problems: visible(outcome.problems) }, exitCodes.invalid);
      io.stderr(problemLines(outcome.problems, ctx.verbose === true));
      io.stderr(`hotrc ${command}: refused; nothing written\n`);
      return exitCodes.invalid;
    case 'stored-invalid':
      if (ctx.json) {
        return json(
          { revision: outcome.revision, problems: visible(outcome.problems) },
          exitCodes.invalid,
        );
      }
      io.stderr(
        `hotrc ${command}: the value at ${key} (revision ${outcome.revision}) does not load with profile '${ctx.profile}'; nothing written (--force replaces it):\n`,
      );
      io.stderr(problemLines(outcome.problems, false));
      return exitCodes.invalid;
    case 'conflict': {
      if (ctx.json) {
        return json({ current: outcome.current, expected: outcome.expected }, exitCodes.conflict);
      }
      const now = outcome.current === null ? 'does not exist' : `is at revision ${outcome.current}`;
      const expected =
        outcome.expected === null || outcome.expected === '0'
          ? 'absent'
          : `at revision ${outcome.expected}`;
      io.stderr(
        `hotrc ${command}: conflict: ${key} ${now}, not ${expected}: someone else published first; nothing written (see hotrc history, then ${command} again)\n`,
      );
      return exitCodes.conflict;
    }
    case 'not-found': {
      if (ctx.json) {
        return json(
          { revision: outcome.revision, available: outcome.available },
          exitCodes.notFound,
        );
      }
      const held = outcome.available.length === 0 ? 'none' : outcome.available.join(', ');
      io.stderr(
        outcome.revision === null
          ? `hotrc ${command}: ${key} has no version before the current one in its history; nothing written\n`
          : `hotrc ${command}: ${key} has no revision ${outcome.revision} in its history (it holds: ${held}); nothing written\n`,
      );
      return exitCodes.notFound;
    }
    case 'unreachable':
      if (ctx.json) return json({ message: outcome.message }, exitCodes.unreachable);
      io.stderr(unreachableLine(command, ctx.hosts, outcome.message));
      return exitCodes.unreachable;
  }
}

/**
 * `hotrc push FILE --etcd HOSTS --key KEY [...]`: publishes FILE to the fleet, validated as the
 * hosts will load it, with a compare-and-swap so no push overwrites another silently.
 * @example await push.run(['/etc/tor/torrc', '--etcd', '127.0.0.1:2379', '--key', '/hotrc/torrc'], io) // 0
 */
export const push: Command = {
  name: 'push',
  summary: 'push FILE             publish FILE to etcd for a fleet (validated, compare-and-swap)',
  usage: `Usage: hotrc push FILE --etcd HOSTS --key KEY [--profile MODULE]
                 [--expect-revision N] [--force] [--inline-includes] [--strict]
                 [--json] [--verbose]

Publishes FILE as the value of etcd key KEY, for every host that watches it
(hotrc watch --etcd). FILE is loaded exactly as a host will load it (the same
format, decode and validation); an invalid FILE is refused with each problem
as FILE:LINE: message, and nothing is written. So is a value over 1 MiB.

Otherwise push prints what changes against the value stored now, field by
field (secrets redacted), and writes with a compare-and-swap on the revision
it read: if someone else published in between, nothing is written and push
exits 75 naming the revision now current. In the same transaction the value
replaced is kept under KEY/history/REVISION (see hotrc history, hotrc
rollback). Pushing the text already stored writes nothing ("unchanged").

A torrc's %include cannot be followed from etcd: push refuses it, naming the
line, or with --inline-includes puts what it includes in its place.

  --etcd HOSTS         etcd endpoints, comma-separated (host:port)
  --key KEY            the config's etcd key (e.g. /hotrc/torrc)
  --profile MODULE     a module whose default export is a profile (defineProfile);
                       without it, FILE is a torrc
  --expect-revision N  write only if KEY is at revision N now (0: only if KEY
                       does not exist); else exit 75
  --force              replace a stored value that does not load with this
                       profile (put by hand, or another format). Never skips the
                       compare-and-swap nor the checks of FILE
  --inline-includes    inline a torrc's %include lines instead of refusing them
  --strict             unknown options or keys are errors, not warnings
  --json               print the outcome as one JSON object on stdout
  --verbose            also print notes

Exit status: 0 pushed or unchanged, 1 FILE invalid (or the stored value, without
--force), 2 bad usage, 69 etcd unreachable, 75 conflict (someone else pushed).
${etcdSecurityUsage}`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          ...fleetArgs,
          profile: { type: 'string' },
          'expect-revision': { type: 'string' },
          force: { type: 'boolean' },
          'inline-includes': { type: 'boolean' },
          strict: { type: 'boolean' },
          verbose: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const path = onePath(positionals, 'push');
    const target = fleetTarget(values, 'push');
    const expectRevision = expectRevisionOption(values['expect-revision']);
    const profile = await profileOption(values.profile);
    const outcome = await withEtcd(target, (client) =>
      pushConfig(client, profile, path, {
        key: target.key,
        expectRevision,
        force: values.force === true,
        strict: values.strict === true,
        includes: pushIncludesOf(profile),
        inlineIncludes: values['inline-includes'] === true,
      }),
    );
    return reportPush(
      outcome,
      {
        command: 'push',
        key: target.key,
        hosts: target.hosts,
        profile: profile.name,
        json: values.json === true,
        verbose: values.verbose === true,
      },
      io,
    );
  },
};
