// hotrc's public surface, every name spelled out (no `export *`), types as `export type`.

export type { CliIo } from './cli/command.js';
// The command line, as a function.
export { runCli } from './cli/run-cli.js';
export type { ConfigErrorDetails, Loaded, LoadOptions } from './config-file.js';
// Config files: load, and their errors.
export {
  ConfigError,
  loadFromFile,
  loadTorrc,
  loadTorrcText,
  problemOf,
} from './config-file.js';
export type { ReadOptions, TorrcDocument, TorrcFailure } from './formats/include.js';
export {
  readTorrc,
  readTorrcDocument,
  resolveTorrc,
  resolveTorrcDocument,
} from './formats/include.js';
export type { ParseOptions, TorrcEntry, TorrcError, TorrcOp } from './formats/torrc.js';
export { parseTorrc, parseTorrcEntries } from './formats/torrc.js';
// The torrc format itself.
export { decodeTorrcBytes } from './formats/torrc-bytes.js';
// Logging.
export { bindLogLevel, logMessages } from './log.js';
export type { ApplyContext } from './pipeline/apply-serially.js';
// The pipeline's stages, each composable on its own.
export { applySerially, mergeReloadable } from './pipeline/apply-serially.js';
export { distinctSnapshots } from './pipeline/distinct-snapshots.js';
// Any source made total: throws, errors and malformed values become `internal` rejections.
export { describeError, guardSource, internalRejection } from './pipeline/guard.js';
export type { LoadLatestOptions } from './pipeline/load-latest.js';
export { loadLatest } from './pipeline/load-latest.js';
export type { ReloadCallback, TransactionOptions, Veto } from './pipeline/transaction.js';
export { transaction } from './pipeline/transaction.js';
export type {
  Candidate,
  ConfigChange,
  FailedLoad,
  Observation,
  Outcome,
  ReadResult,
  Rejection,
  RejectionFields,
  RejectionKind,
  ReloadResult,
  SnapshotSource,
  SourceState,
  TriggerKind,
} from './pipeline/types.js';
export type { ReloadOptions } from './reload-options.js';
// Options: resolved once against the defaults; a config handed over in code is checked.
export { checkedConfig, reloadDefaults, resolveReloadOptions } from './reload-options.js';
export type { ReloadStatus } from './reloadable-config.js';
// The reload engine: the design document's API.
export { ReloadableConfig, ReloadError } from './reloadable-config.js';
// Config files: save, atomically and through symlinks.
export { saveToFile } from './save-to-file.js';
export type { Decoded, DecodeOptions } from './schema/decode.js';
// The schema: the typed config, its defaults, decoding, validation, diffs and output.
export { decodeTorrc } from './schema/decode.js';
export type { FieldChange } from './schema/diff.js';
export { configEquals, describeValue, diffConfig } from './schema/diff.js';
export { formatTorrc } from './schema/format-torrc.js';
export type { DeepReadonly } from './schema/freeze.js';
export { deepFreeze } from './schema/freeze.js';
export type { JsonSchema } from './schema/json-schema.js';
export { toJsonSchema } from './schema/json-schema.js';
export type { Location, Problem, Severity } from './schema/problem.js';
export { errorsOf, formatProblem } from './schema/problem.js';
export type { FieldKind, FieldMeta, TorConfigField } from './schema/tor-config.js';
export {
  defaultConfig,
  defaultDataDirectory,
  fieldCodecs,
  fieldNames,
  fields,
  isReloadable,
  OnionClientAuth,
  OnionService,
  reloadableFields,
  TorConfig,
} from './schema/tor-config.js';
export { torOptionNames } from './schema/tor-options.js';
export type { ValidateContext } from './schema/validate.js';
export { validateConfig, validationProblems } from './schema/validate.js';
// Value codecs: torrc text <-> typed values.
export { Bool } from './schema/values/bool.js';
export { BridgeLine, parseBridgeLine } from './schema/values/bridge-line.js';
export { ClientAuthKey, parseClientAuth, redactedKey } from './schema/values/client-auth.js';
export { IsolationLevel, LogLevel } from './schema/values/enums.js';
export { NonNegativeInt } from './schema/values/integer.js';
export {
  formatGoDuration,
  formatInterval,
  Interval,
  parseInterval,
} from './schema/values/interval.js';
export type { HiddenServicePort } from './schema/values/onion-port.js';
export {
  formatHiddenServicePort,
  parseHiddenServicePort,
  TargetAddr,
  VirtualPort,
} from './schema/values/onion-port.js';
export { Port } from './schema/values/port.js';
export { parseRouterSet, RouterSetEntry } from './schema/values/router-set.js';
export { NonEmptyText, quoteTorrcValue, Text } from './schema/values/text.js';
export type { FilePolicy } from './sources/file-policy.js';
export { checkConfigPath, defaultFilePolicy, resolveFilePolicy } from './sources/file-policy.js';
export type { FileProblem, FileProblemKind, RefusalKind } from './sources/file-problem.js';
export { fileProblem, isRefusal } from './sources/file-problem.js';
export type { FileSource, FileSourceOptions } from './sources/file-source.js';
// Sources: triggers, the file source and the file-system layer under it.
export { fileSource, invalidRejection, loadRejection, rejectionOf } from './sources/file-source.js';
export type { FileState } from './sources/file-state.js';
export { statFile } from './sources/file-state.js';
export type { Fingerprint, Sighting } from './sources/fingerprint.js';
export {
  defaultRacyWindowMs,
  defaultWriteQuietMs,
  fingerprintKey,
  fingerprintOf,
  isRacy,
  nextSighting,
  sameFingerprint,
  writeQuietWaitMs,
} from './sources/fingerprint.js';
export type { FsPort } from './sources/fs-port.js';
export { nodeFs } from './sources/fs-port.js';
export type { StableRead } from './sources/read-stable.js';
export { readStable } from './sources/read-stable.js';
export { intervalTrigger, signalTrigger } from './sources/triggers.js';
