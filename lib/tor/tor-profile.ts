import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import { defineProfile, type Profile } from '../engine/profile.js';
import { decodeTorrc } from './schema/decode.js';
import { diffConfig } from './schema/diff.js';
import { mergeReloadable } from './schema/merge-reloadable.js';
import { defaultConfig, reloadableFields, TorConfig } from './schema/tor-config.js';
import { validateConfig } from './schema/validate.js';
import type { TorrcEntry } from './torrc.js';
import { torrcFormat } from './torrc-format.js';

// go-tor's rules; a config that passes them has nothing to say (its warnings are decodeTorrc's).
function validate(config: TorConfig): ReadonlyArray<Problem> {
  const valid = validateConfig(config);
  return E.isLeft(valid) ? valid.left : [];
}

/**
 * hotrc's Tor profile, built like any other: the torrc format (Tor's line syntax and
 * `%include`), the `TorConfig` codec and go-tor's defaults, Tor's decoding rules (repeats, `+Key`,
 * onion service groups; every problem on its line), go-tor's validation, the design document's
 * reloadable fields, and onion client keys as secrets. The default profile of `ReloadableConfig`.
 * @example const rc = new ReloadableConfig(await loadFromFile(path), path, logger, { profile: torProfile });
 */
export const torProfile: Profile<TorConfig> = defineProfile<TorConfig>({
  name: 'torrc',
  format: torrcFormat,
  codec: TorConfig,
  defaults: defaultConfig(),
  reloadable: reloadableFields,
  secrets: ['OnionServices.*.ClientAuth'],
  // The document is a list of torrc entries, not the config's shape: Tor's own rules decode it,
  // and validate it with each problem on its line, by the rules of `validate` below, so the
  // engine need not run them again.
  decode: (document, { base, strict }) => {
    const decoded = decodeTorrc(document.value as ReadonlyArray<TorrcEntry>, { base, strict });
    if (E.isLeft(decoded)) return decoded;
    const { config, warnings } = decoded.right;
    return E.right({ config, warnings, validatedBy: validate });
  },
  validate,
  // Go durations and redacted client keys, field by field, in the schema's order.
  diff: diffConfig,
  keepRestartRequired: mergeReloadable,
});
