import * as E from 'fp-ts/lib/Either.js';
import type { Location, Problem } from '../../core/problem.js';
import { errorsOf } from '../../core/problem.js';
import { sameValue } from '../../engine/same-value.js';
import { maxCircuitDirtinessMs, maxOnionStreams, minCircuitDirtinessMs } from './tor-checks.js';
import type { OnionService, TorConfig, TorConfigField } from './tor-config.js';

/** Where each field came from, to point problems at lines; and fields already known bad. */
export interface ValidateContext {
  readonly sources: ReadonlyMap<TorConfigField, Location>;
  /** Fields whose value failed to decode: rules about them would only repeat that error. */
  readonly skip: ReadonlySet<TorConfigField>;
}

interface Rule {
  /** The fields the rule reads; the problem points at the last of them the file set. */
  readonly fields: readonly [TorConfigField, ...TorConfigField[]];
  readonly check: (c: TorConfig) => string | undefined;
  readonly severity?: Problem['severity'];
}

const logLevels = ['debug', 'info', 'warn', 'error'];
const isolationLevels = ['none', 'destination', 'credential', 'port', 'session'];
const portFields = ['SocksPort', 'ControlPort', 'MetricsPort'] as const;

const positive = (field: TorConfigField): Rule => ({
  fields: [field],
  check: (c) => ((c[field] as number) > 0 ? undefined : `${field} must be positive`),
});
const atLeastOne = (field: TorConfigField): Rule => ({
  fields: [field],
  check: (c) => ((c[field] as number) >= 1 ? undefined : `${field} must be at least 1`),
});
const nonNegative = (field: TorConfigField): Rule => ({
  fields: [field],
  check: (c) => ((c[field] as number) >= 0 ? undefined : `${field} must be non-negative`),
});
const validPort = (p: unknown): boolean =>
  p === 'auto' || (typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535);

const isWord = (text: string): boolean => text !== '' && !/\s/.test(text);

// What is wrong with one onion service entry, if anything: the first problem only.
function onionProblem(s: OnionService, i: number): string | undefined {
  if (s.ServiceDir === '') return `onion service ${i}: ServiceDir is required`;
  if (!(Number.isInteger(s.VirtualPort) && s.VirtualPort >= 1 && s.VirtualPort <= 65535)) {
    return `onion service ${i}: invalid VirtualPort: ${s.VirtualPort}`;
  }
  if (s.TargetAddr === '') return `onion service ${i}: TargetAddr is required`;
  if (!(Number.isInteger(s.MaxStreams) && s.MaxStreams >= 0 && s.MaxStreams <= maxOnionStreams)) {
    return `onion service ${i}: HiddenServiceMaxStreams must be between 0 and ${maxOnionStreams}, not ${s.MaxStreams}`;
  }
  if (!s.ClientAuth.every((a) => isWord(a.Name) && isWord(a.Key))) {
    return `onion service ${i}: a ClientAuth name or key is empty or has whitespace`;
  }
  return undefined;
}

// go-tor's Config.Validate, plus Tor's bridge rules, port distinctness and onion completeness.
const rules: ReadonlyArray<Rule> = [
  ...portFields.map(
    (field): Rule => ({
      fields: [field],
      check: (c) => (validPort(c[field]) ? undefined : `invalid ${field}: ${String(c[field])}`),
    }),
  ),
  ...portFields.flatMap((a, i) =>
    portFields.slice(i + 1).map(
      (b): Rule => ({
        fields: [a, b],
        check: (c) => {
          const pa = c[a];
          return typeof pa === 'number' && pa > 0 && pa === c[b]
            ? `${a} and ${b} are both ${pa}; enabled ports must differ`
            : undefined;
        },
      }),
    ),
  ),
  positive('CircuitBuildTimeout'),
  {
    // Tor's range, which a torrc line is moved into (torChecks): a config outside it could not
    // be written as a torrc that reads back the same.
    fields: ['MaxCircuitDirtiness'],
    check: (c) =>
      c.MaxCircuitDirtiness >= minCircuitDirtinessMs &&
      c.MaxCircuitDirtiness <= maxCircuitDirtinessMs
        ? undefined
        : "MaxCircuitDirtiness must be between 10 seconds and 30 days (Tor's range)",
  },
  positive('NewCircuitPeriod'),
  positive('DormantTimeout'),
  atLeastOne('NumEntryGuards'),
  atLeastOne('ConnLimit'),
  {
    fields: ['LogLevel'],
    check: (c) =>
      logLevels.includes(c.LogLevel)
        ? undefined
        : `invalid LogLevel: ${c.LogLevel} (must be debug, info, warn, or error)`,
  },
  {
    fields: ['IsolationLevel'],
    check: (c) =>
      isolationLevels.includes(c.IsolationLevel)
        ? undefined
        : `invalid IsolationLevel: ${c.IsolationLevel} (must be none, destination, credential, port, or session)`,
  },
  nonNegative('ConnectionPoolMaxIdle'),
  nonNegative('ConnectionPoolMaxLife'),
  nonNegative('CircuitPoolMinSize'),
  {
    fields: ['CircuitPoolMinSize', 'CircuitPoolMaxSize'],
    check: (c) =>
      c.CircuitPoolMaxSize >= c.CircuitPoolMinSize
        ? undefined
        : `CircuitPoolMaxSize must be >= CircuitPoolMinSize (${c.CircuitPoolMaxSize} < ${c.CircuitPoolMinSize})`,
  },
  {
    fields: ['UseBridges', 'BridgeAddresses'],
    check: (c) =>
      !c.UseBridges || c.BridgeAddresses.length > 0
        ? undefined
        : 'If you set UseBridges, you must specify at least one bridge.',
  },
  {
    fields: ['UseBridges', 'UseEntryGuards'],
    check: (c) =>
      !c.UseBridges || c.UseEntryGuards
        ? undefined
        : 'Setting UseBridges requires also setting UseEntryGuards.',
  },
  {
    fields: ['OnionServices'],
    check: (c) => c.OnionServices.map(onionProblem).find((m) => m !== undefined),
  },
  {
    // A torrc can only say "these ports belong to that directory" as one contiguous group, so a
    // config built in code (or JSON) that splits a directory could not be written back.
    fields: ['OnionServices'],
    check: (c) => {
      const groups = new Map<string, number>();
      for (const [i, s] of c.OnionServices.entries()) {
        const first = groups.get(s.ServiceDir);
        const prev = c.OnionServices[i - 1];
        if (first === undefined) groups.set(s.ServiceDir, i);
        else if (prev?.ServiceDir !== s.ServiceDir) {
          return `onion service ${i}: another hidden service is already configured for directory "${s.ServiceDir}"`;
        } else if (prev.MaxStreams !== s.MaxStreams || !sameValue(prev.ClientAuth, s.ClientAuth)) {
          return `onion service ${i}: ports of directory "${s.ServiceDir}" must share MaxStreams and ClientAuth`;
        }
      }
      return undefined;
    },
  },
  {
    fields: ['EnableMetrics', 'MetricsPort'],
    severity: 'warning',
    check: (c) =>
      c.EnableMetrics && c.MetricsPort === 0
        ? 'EnableMetrics is 1 but MetricsPort is 0: the metrics endpoint stays off'
        : undefined,
  },
];

/**
 * The cross-field rules, all of them: every problem is reported at once, each pointing at the line
 * that set the field when `sources` knows it. Right when no rule gives an error (warnings alone pass
 * are returned only alongside errors; `validationProblems` gives them always).
 * @example validateConfig({ ...defaultConfig(), ConnLimit: 0 }) // Left([{ message: 'ConnLimit must be at least 1', ... }])
 */
export function validateConfig(
  config: TorConfig,
  context?: Partial<ValidateContext>,
): E.Either<ReadonlyArray<Problem>, TorConfig> {
  const problems = validationProblems(config, context);
  return errorsOf(problems).length > 0 ? E.left(problems) : E.right(config);
}

/**
 * Every problem the rules find, warnings included.
 * @example validationProblems({ ...defaultConfig(), EnableMetrics: true }) // [{ severity: 'warning', ... }]
 */
export function validationProblems(
  config: TorConfig,
  context?: Partial<ValidateContext>,
): ReadonlyArray<Problem> {
  const sources = context?.sources ?? new Map<TorConfigField, Location>();
  const skip = context?.skip ?? new Set<TorConfigField>();
  const problems: Problem[] = [];
  for (const rule of rules) {
    if (skip.size > 0 && rule.fields.some((f) => skip.has(f))) continue;
    const message = rule.check(config);
    if (message === undefined) continue;
    const located = rule.fields
      .map((f) => ({ f, at: sources.get(f) }))
      .filter((x) => x.at !== undefined)
      .sort((x, y) => (x.at?.line ?? 0) - (y.at?.line ?? 0))
      .at(-1);
    problems.push({
      severity: rule.severity ?? 'error',
      message,
      field: located?.f ?? rule.fields[0],
      ...(located?.at ?? {}),
    });
  }
  return problems;
}
