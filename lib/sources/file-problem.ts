/**
 * Why a config file cannot be used right now. `empty` is what a truncate-then-write leaves
 * half-way, so it is a state to wait out, never a config to apply.
 * @example const k: FileProblemKind = 'missing';
 */
export type FileProblemKind =
  | 'missing'
  | 'denied'
  | 'not-file'
  | 'too-large'
  | 'insecure'
  | 'outside-root'
  | 'io'
  | 'empty'
  | 'path';

/**
 * The problem kinds that are the file policy refusing a file, rather than the file being
 * unavailable: a rejection of kind `security`, whichever file (main or %included) it concerns.
 * @example const r: RefusalKind = 'insecure';
 */
export type RefusalKind = Extract<
  FileProblemKind,
  'insecure' | 'outside-root' | 'too-large' | 'path'
>;

const refusalKinds: ReadonlySet<string> = new Set<RefusalKind>([
  'insecure',
  'outside-root',
  'too-large',
  'path',
]);

/**
 * Whether a problem kind is a policy refusal (see RefusalKind).
 * @example isRefusal('insecure') // true; isRefusal('missing') // false
 */
export function isRefusal(kind: FileProblemKind): kind is RefusalKind {
  return refusalKinds.has(kind);
}

/**
 * One reason a file cannot be used, for logs and the rejections stream. `path` is the config
 * path (absolute once it passed `checkConfigPath`), `code` the errno code when there was one.
 * @example const p: FileProblem = { kind: 'missing', path: '/etc/tor/torrc', message: '/etc/tor/torrc: no such file (ENOENT)', code: 'ENOENT' };
 */
export interface FileProblem {
  readonly kind: FileProblemKind;
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * A frozen FileProblem; `code` is left out when undefined, so `'code' in p` says whether there
 * was one.
 * @example fileProblem('missing', '/etc/tor/torrc', '/etc/tor/torrc: no such file (ENOENT)', 'ENOENT')
 */
export function fileProblem(
  kind: FileProblemKind,
  path: string,
  message: string,
  code?: string,
): FileProblem {
  return Object.freeze(
    code === undefined ? { kind, path, message } : { kind, path, message, code },
  );
}
