import { pinoLib } from '../engine/log.js';

const levelKeys = ['LogLevel', 'logLevel'] as const;

/**
 * The log level a config asks for, which `hotrc watch` follows: its top-level `LogLevel` (a
 * TorConfig's, or any config's) or else `logLevel`, when that is a string naming one of pino's
 * levels (trace, debug, info, warn, error, fatal); otherwise undefined, and the level stays.
 * `silent` is not followed: a watch that printed nothing would look hung.
 * @example configLogLevel({ logLevel: 'debug', pool: { max: 10 } }) // 'debug'
 */
export function configLogLevel(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  for (const key of levelKeys) {
    const value = (config as Record<string, unknown>)[key];
    if (
      typeof value === 'string' &&
      value !== 'silent' &&
      Object.hasOwn(pinoLib().levels.values, value)
    )
      return value;
  }
  return undefined;
}
