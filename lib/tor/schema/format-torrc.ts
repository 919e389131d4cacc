import type * as t from 'io-ts';
import { sameValue } from '../../engine/same-value.js';
import {
  fieldCodecs,
  fieldNames,
  fields,
  type TorConfig,
  type TorConfigField,
} from './tor-config.js';
import { NonNegativeInt } from './values/integer.js';
import { formatHiddenServicePort } from './values/onion-port.js';
import { quoteTorrcValue } from './values/text.js';

function encodeOne(field: TorConfigField, value: unknown): string {
  return (fieldCodecs[field] as t.Mixed).encode(value) as string;
}

function formatOnionServices(services: TorConfig['OnionServices']): string[] {
  const lines: string[] = [];
  let previous: TorConfig['OnionServices'][number] | undefined;
  for (const s of services) {
    // Consecutive ports of one directory share a group; validation guarantees they agree on the rest.
    const sameGroup =
      previous !== undefined &&
      previous.ServiceDir === s.ServiceDir &&
      previous.MaxStreams === s.MaxStreams &&
      sameValue(previous.ClientAuth, s.ClientAuth);
    if (!sameGroup) {
      lines.push(`HiddenServiceDir ${quoteTorrcValue(s.ServiceDir)}`);
      if (s.MaxStreams !== 0)
        lines.push(`HiddenServiceMaxStreams ${NonNegativeInt.encode(s.MaxStreams)}`);
      for (const a of s.ClientAuth) {
        lines.push(`HiddenServiceClientAuth ${quoteTorrcValue(`${a.Name} ${a.Key}`)}`);
      }
    }
    lines.push(`HiddenServicePort ${quoteTorrcValue(formatHiddenServicePort(s))}`);
    previous = s;
  }
  return lines;
}

/**
 * Writes a config as a torrc that reads back to the same config over `defaultConfig()`: every field,
 * each under its one-line description, values spelled so that hotrc (and, where the option is
 * Tor's, Tor) reads them back exactly.
 * @example formatTorrc(defaultConfig()).includes('SocksPort 9050') // true
 */
export function formatTorrc(config: TorConfig): string {
  const out: string[] = ['# Written by hotrc. Every field is listed; durations in Tor words.', ''];
  for (const field of fieldNames) {
    const meta = fields[field];
    const value = config[field];
    const key = meta.keys[0] ?? field;
    out.push(`# ${meta.doc}`);
    switch (meta.kind) {
      case 'single':
        out.push(`${key} ${quoteTorrcValue(encodeOne(field, value))}`);
        break;
      case 'lines': {
        const items = (fieldCodecs[field] as t.Mixed).encode(value) as string[];
        // A bridge argument ending in `\` would otherwise continue onto the next line.
        out.push(
          ...(items.length === 0
            ? [`/${key}`]
            : items.map((item) => `${key} ${quoteTorrcValue(item)}`)),
        );
        break;
      }
      case 'router-set': {
        const items = value as ReadonlyArray<string>;
        out.push(items.length === 0 ? `/${key}` : `${key} ${quoteTorrcValue(items.join(','))}`);
        break;
      }
      case 'onion': {
        const services = value as TorConfig['OnionServices'];
        out.push(
          ...(services.length === 0 ? ['/HiddenServiceDir'] : formatOnionServices(services)),
        );
        break;
      }
    }
  }
  return `${out.join('\n')}\n`;
}
