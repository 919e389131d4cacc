import { readFileSync } from 'node:fs';

// mountinfo writes a space, a tab, a newline and a backslash in a path as octal escapes.
const unescapeField = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );

/**
 * The mount points of this process's mount namespace (Linux's `/proc/self/mountinfo`, its fifth
 * field), or an empty set where there is none to read. A file that is a mount point of its own
 * (Docker's `-v ./torrc:/etc/tor/torrc`, a Kubernetes `subPath`) is one inotify does not report
 * to a watch on its directory: a write to it goes to the directory it is mounted from.
 * @example mountPoints().has('/etc/tor/torrc') // true inside a container given the file alone
 */
export function mountPoints(file = '/proc/self/mountinfo'): ReadonlySet<string> {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return new Set();
  }
  const points = new Set<string>();
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined && field !== '') points.add(unescapeField(field));
  }
  return points;
}
