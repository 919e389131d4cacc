/**
 * Renders milliseconds like Go's time.Duration.String, for change logs:
 * "MaxCircuitDirtiness: 10m0s -> 15m0s". Throws a TypeError for a non-integer (programmer error).
 * @example formatGoDuration(600000); // '10m0s'
 * @example formatGoDuration(5400000); // '1h30m0s'
 * @example formatGoDuration(1500); // '1.5s'
 * @example formatGoDuration(0); // '0s'
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new TypeError(`Not a whole number of milliseconds: ${ms}`);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const fraction = rest % 1000;
  const whole = (rest - fraction) / 1000;
  const seconds =
    fraction === 0
      ? `${whole}`
      : `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
