import type { Logger } from 'pino';
import { moduleLogger } from './log.js';

/** The four levels the engine logs at, each taking pino's (fields, message). */
export interface SafeLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const levels = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The caller's logger, bound with `child({ module: 'hotrc' })`, behind a guard: a logger (or one
 * of its serializers, hooks or streams) that throws can never break a reload or end watching.
 * What it threw goes to `onError` instead. A logger whose `child` throws is used unbound.
 * @example const log = safeLog(pino(), (err) => console.error('logger failed', err)); log.info({}, 'x');
 */
export function safeLog(logger: Logger | undefined, onError: (error: unknown) => void): SafeLog {
  let bound: Logger;
  try {
    bound = moduleLogger(logger);
  } catch (error) {
    if (logger === undefined) throw error;
    onError(error);
    bound = logger;
  }
  const call =
    (level: (typeof levels)[number]) =>
    (fields: object, message: string): void => {
      try {
        bound[level](fields, message);
      } catch (error) {
        onError(error);
      }
    };
  return {
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
  };
}
