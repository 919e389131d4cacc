import type { Problem } from '../../core/problem.js';

/** A value as Tor keeps it after its own check, and what Tor says about it. */
export interface TorChecked {
  readonly value: unknown;
  /** Tor's warning (the value was moved into range) or error (the file is refused). */
  readonly problem?: { readonly severity: Problem['severity']; readonly message: string };
}

/** Tor's check of one value, read from a torrc line of its key. */
export type TorCheck = (value: unknown) => TorChecked;

const second = 1000;
const day = 24 * 3600 * second;

/**
 * Tor's range for MaxCircuitDirtiness, in ms: 10 seconds to 30 days. A torrc value outside it is
 * moved into it, as Tor moves it; a config from code or JSON outside it is refused (validateConfig).
 * @example config.MaxCircuitDirtiness >= minCircuitDirtinessMs // true for every valid config
 */
export const minCircuitDirtinessMs = 10 * second;
/** See minCircuitDirtinessMs. @example maxCircuitDirtinessMs // 2_592_000_000 */
export const maxCircuitDirtinessMs = 30 * day;

// MaxCircuitDirtiness: Tor raises a value under 10 s and lowers one over 30 days, with a warning
// each (config.c, MIN_/MAX_MAX_CIRCUIT_DIRTINESS); 0 too is raised, not refused.
const maxCircuitDirtiness: TorCheck = (value) => {
  const ms = value as number;
  if (ms < minCircuitDirtinessMs) {
    return {
      value: minCircuitDirtinessMs,
      problem: {
        severity: 'warning',
        message: 'MaxCircuitDirtiness option is too short; raising to 10 seconds.',
      },
    };
  }
  if (ms > maxCircuitDirtinessMs) {
    return {
      value: maxCircuitDirtinessMs,
      problem: {
        severity: 'warning',
        message: 'MaxCircuitDirtiness option is too high; setting to 30 days.',
      },
    };
  }
  return { value };
};

// DormantClientTimeout: under 10 minutes Tor refuses the file.
const dormantClientTimeout: TorCheck = (value) =>
  (value as number) < 600 * second
    ? {
        value,
        problem: {
          severity: 'error',
          message: 'DormantClientTimeout is too low. It must be at least 10 minutes.',
        },
      }
    : { value };

/**
 * Tor's own checks (`options_validate` in config.c) of the values hotrc reads from a torrc, by
 * the torrc key Tor reads them under: a value out of Tor's range is moved into it with Tor's
 * warning, or refused with Tor's error. Only a torrc line is checked: a config built in code or
 * from JSON is go-tor's, and its own rules (validateConfig) apply. go-tor's `DormantTimeout`
 * key sets the same field as Tor's `DormantClientTimeout` without Tor's floor.
 * @example torChecks.get('MaxCircuitDirtiness')?.(5000) // { value: 10000, problem: { severity: 'warning', ... } }
 */
export const torChecks: ReadonlyMap<string, TorCheck> = new Map([
  ['MaxCircuitDirtiness', maxCircuitDirtiness],
  ['DormantClientTimeout', dormantClientTimeout],
]);

/**
 * Tor's range for `HiddenServiceMaxStreams` (hs_config.c): the most streams per rendezvous
 * circuit, 0 for no limit.
 * @example n > maxOnionStreams // Tor: "HiddenServiceMaxStreams must be between 0 and 65535, not 70000."
 */
export const maxOnionStreams = 65535;
