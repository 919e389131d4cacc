import { sameValue } from '../../engine/same-value.js';
import {
  fieldCodecs,
  fieldNames,
  isReloadable,
  type TorConfig,
  type TorConfigField,
} from './tor-config.js';
import { formatGoDuration, Interval } from './values/interval.js';

/**
 * One field that differs between two configs. `text` is safe to log: secrets are redacted.
 * @example { field: 'LogLevel', from: 'info', to: 'debug', text: 'LogLevel: info -> debug', reloadable: true }
 */
export interface FieldChange {
  readonly field: TorConfigField;
  readonly from: unknown;
  readonly to: unknown;
  readonly text: string;
  readonly reloadable: boolean;
}

/**
 * A field's value as the design document's log lines show it: durations the Go way (`10m0s`),
 * lists as `[a b]`, onion services without their client keys.
 * @example describeValue('MaxCircuitDirtiness', 900000) // '15m0s'
 */
export function describeValue(field: TorConfigField, value: unknown): string {
  if (fieldCodecs[field] === Interval && typeof value === 'number') return formatGoDuration(value);
  if (field === 'OnionServices' && Array.isArray(value)) {
    return `[${(value as TorConfig['OnionServices'])
      .map((s) => {
        const auth =
          s.ClientAuth.length === 0 ? '' : ` (${s.ClientAuth.length} client keys redacted)`;
        return `${s.ServiceDir}:${s.VirtualPort}->${s.TargetAddr}${auth}`;
      })
      .join(' ')}]`;
  }
  if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
  return String(value);
}

/**
 * Field-by-field changes from `oldConfig` to `newConfig`, in field order. Empty when equal, which is
 * how a save that changed only comments stays silent (FIELD-NOTES rows 1 and 15).
 * @example diffConfig(a, { ...a, LogLevel: 'debug' })[0]?.text // 'LogLevel: info -> debug'
 */
export function diffConfig(oldConfig: TorConfig, newConfig: TorConfig): ReadonlyArray<FieldChange> {
  return fieldNames
    .filter((field) => !sameValue(oldConfig[field], newConfig[field]))
    .map((field) => ({
      field,
      from: oldConfig[field],
      to: newConfig[field],
      text: `${field}: ${describeValue(field, oldConfig[field])} -> ${describeValue(field, newConfig[field])}`,
      reloadable: isReloadable(field),
    }));
}

/**
 * Whether two configs are equal field by field.
 * @example configEquals(defaultConfig(), defaultConfig()) // true
 */
export function configEquals(a: TorConfig, b: TorConfig): boolean {
  return fieldNames.every((field) => sameValue(a[field], b[field]));
}
