// hotrc's public surface, every name spelled out (no `export *`), types as `export type`.

export type { CliIo } from './cli/command.js';
// The command line, as a function.
export { runCli } from './cli/run-cli.js';
export type { Location, Problem, Severity } from './core/problem.js';
export { errorsOf, formatProblem } from './core/problem.js';
export type { ApplyContext } from './engine/apply-serially.js';
// The pipeline's stages, each composable on its own.
export { applySerially } from './engine/apply-serially.js';
export type { ConfigErrorDetails } from './engine/config-error.js';
// Config files that cannot be used, with every problem located.
export { ConfigError } from './engine/config-error.js';
export type { DecodeOptions as DocumentDecodeOptions } from './engine/decode-document.js';
// A parsed document laid over the defaults and decoded with your codec, every problem located.
export { decodeDocument, redacted } from './engine/decode-document.js';
export type { DiffOptions } from './engine/diff-paths.js';
export { describeJson, diffPaths } from './engine/diff-paths.js';
export { distinctSnapshots } from './engine/distinct-snapshots.js';
export { covers, dottedPath } from './engine/dotted-path.js';
export { exhaustMapWithTrailing } from './engine/exhaust-map-with-trailing.js';
export type {
  Format,
  FormatFailure,
  FormatInput,
  ParsedDocument,
  PathSegment,
  SourcePosition,
} from './engine/format.js';
export type { DeepReadonly } from './engine/freeze.js';
export { deepFreeze, isDeepFrozen } from './engine/freeze.js';
export { formatGoDuration } from './engine/go-duration.js';
// Any source made total: throws, errors and malformed values become `internal` rejections.
export { describeError, guardSource, internalRejection } from './engine/guard.js';
export type { LoadConfigOptions } from './engine/load-config.js';
// Any config file, read as the watcher reads it and decoded with a profile.
export { loadConfig, loadConfigFile } from './engine/load-config.js';
export type { LoadFailure } from './engine/load-document.js';
export { invalidRejection, loadDocument, loadRejection } from './engine/load-document.js';
export type { LoadForSourceOptions } from './engine/load-for-source.js';
export { loadForSource } from './engine/load-for-source.js';
export type { LoadLatestOptions } from './engine/load-latest.js';
export { loadLatest } from './engine/load-latest.js';
// Logging.
export { bindLogLevel, logMessages } from './engine/log.js';
export { overlay } from './engine/overlay.js';
export type {
  DecodeContext,
  Decoded as ProfileDecoded,
  Profile,
  ProfileSpec,
} from './engine/profile.js';
// Profiles: how bytes become your config, and what reloads live.
export { defineProfile } from './engine/profile.js';
export type { ReloadOptions, ReloadOptionsInput } from './engine/reload-options.js';
// Options: resolved once against the defaults; a config handed over in code is checked.
export { checkedConfig, reloadDefaults, resolveReloadOptions } from './engine/reload-options.js';
export type { FastPathState, ReloadStatus } from './engine/reloadable-config.js';
// The reload engine, generic over the config; ReloadableConfig is it with Tor as the default.
export { Reloadable, ReloadError } from './engine/reloadable-config.js';
export type { TransactionOptions, Veto } from './engine/transaction.js';
export { transaction } from './engine/transaction.js';
export type {
  Candidate,
  ChangeHint,
  FailedLoad,
  FieldChange,
  Load,
  Observation,
  Outcome,
  ReadResult,
  Rejection,
  RejectionFields,
  RejectionKind,
  ReloadResult,
  SnapshotSource,
  SourceHealth,
  SourceState,
  TriggerKind,
} from './engine/types.js';
export type { CachedValue } from './fleet/cache-file.js';
export { readCacheFile, writeCacheFile } from './fleet/cache-file.js';
export type { CacheKeeper } from './fleet/cache-keeper.js';
export { keepCacheFile } from './fleet/cache-keeper.js';
export type { FleetKeys } from './fleet/fleet-keys.js';
export { checkFleetKey, checkHostName, fleetKeys } from './fleet/fleet-keys.js';
export { fleetMessages } from './fleet/fleet-log.js';
export type { FleetStatus, FleetVerdict, HostStanding } from './fleet/fleet-status.js';
export { fleetVerdict, readFleetStatus } from './fleet/fleet-status.js';
export { decodeHistoryEntry, encodeHistoryEntry, HistoryEntry } from './fleet/history-entry.js';
export type { HistoryList, Version } from './fleet/history-list.js';
export { listHistory } from './fleet/history-list.js';
export type { Standing } from './fleet/host-report.js';
export {
  decodeHostReport,
  encodeHostReport,
  HostReport,
  hostReport,
  standing,
} from './fleet/host-report.js';
export type { HostReporterOptions } from './fleet/host-reporter.js';
export { HostReporter } from './fleet/host-reporter.js';
export type { FleetHost, JoinFleetOptions } from './fleet/join-fleet.js';
export { joinFleet } from './fleet/join-fleet.js';
export type { FleetStart, LoadFromEtcdOptions } from './fleet/load-from-etcd.js';
export { FleetStartError, loadFromEtcd } from './fleet/load-from-etcd.js';
export type { PushOptions, PushOutcome } from './fleet/push-config.js';
export {
  defaultPushOptions,
  publishCandidate,
  pushConfig,
  resolvePushOptions,
} from './fleet/push-config.js';
export type { PushIncludes } from './fleet/push-includes.js';
export { decodePushRecord, encodePushRecord, PushRecord } from './fleet/push-record.js';
export type { RollbackOutcome } from './fleet/rollback-config.js';
export { rollbackConfig } from './fleet/rollback-config.js';
export type { JsonFormatOptions } from './formats/json.js';
// Formats with positions: JSON, JSON with comments, YAML (loaded when first used).
export {
  createJsonFormat,
  defaultJsonFormatOptions,
  jsoncFormat,
  jsonFormat,
} from './formats/json.js';
export type { YamlFormatOptions } from './formats/yaml.js';
export { createYamlFormat, defaultYamlFormatOptions, yamlFormat } from './formats/yaml.js';
export type {
  ConfigChange,
  Loaded,
  ReloadableConfigOptions,
  ReloadCallback,
} from './reloadable-config.js';
// The design document's API: the engine with hotrc's Tor profile as the default.
export { ReloadableConfig } from './reloadable-config.js';
// A fleet on etcd: the source, the start-up, the host's report, publishing and its history.
export type { EtcdConnection } from './sources/etcd-connect.js';
export {
  connectEtcd,
  defaultCallTimeoutMs,
  defaultMaxValueBytes,
} from './sources/etcd-connect.js';
export type { EtcdSource, EtcdSourceInput, EtcdSourceOptions } from './sources/etcd-source.js';
export { etcdSource, etcdSourceDefaults, resolveEtcdSourceOptions } from './sources/etcd-source.js';
export type { FilePolicy } from './sources/file-policy.js';
export { checkConfigPath, defaultFilePolicy, resolveFilePolicy } from './sources/file-policy.js';
export type { FileProblem, FileProblemKind, RefusalKind } from './sources/file-problem.js';
export { fileProblem, isRefusal } from './sources/file-problem.js';
export type { FileSource, FileSourceOptions } from './sources/file-source.js';
// Sources: triggers, the file source and the file-system layer under it.
export { fileSource, rejectionOf } from './sources/file-source.js';
export type { FileState } from './sources/file-state.js';
export { statFile } from './sources/file-state.js';
export type { Fingerprint, Sighting } from './sources/fingerprint.js';
export {
  clockStepMs,
  defaultRacyWindowMs,
  defaultWriteQuietMs,
  fingerprintKey,
  fingerprintOf,
  isRacy,
  matchesStats,
  nextSighting,
  sameFingerprint,
  writeQuietWaitMs,
} from './sources/fingerprint.js';
export type { FsPort } from './sources/fs-port.js';
export { nodeFs } from './sources/fs-port.js';
export type { FsWatchOptions } from './sources/fs-watch.js';
// The fs.watch fast path: the directories that lead to a file, watched; never the file itself.
export { fsWatch } from './sources/fs-watch.js';
export type { StableRead } from './sources/read-stable.js';
export { readStable } from './sources/read-stable.js';
export { intervalTrigger, signalTrigger } from './sources/triggers.js';
export type {
  EntryRole,
  EventVerdict,
  WatchedDirectory,
  WatchPlan,
  WatchTarget,
} from './sources/watch-plan.js';
export { judgeEvent, planWatch } from './sources/watch-plan.js';
export type { LoadOptions } from './tor/config-file.js';
// torrc files: load, as Tor reads them.
export {
  loadFromFile,
  loadTorrc,
  loadTorrcText,
  problemOf,
} from './tor/config-file.js';
export type { ReadOptions, TorrcDocument, TorrcFailure } from './tor/include.js';
export {
  readTorrc,
  readTorrcDocument,
  resolveTorrc,
  resolveTorrcDocument,
} from './tor/include.js';
export { findTorrcIncludes, inlineTorrcIncludes } from './tor/inline-includes.js';
// Config files: save, atomically and through symlinks.
export { saveToFile } from './tor/save-to-file.js';
export type { Decoded, DecodeOptions } from './tor/schema/decode.js';
// The schema: the typed config, its defaults, decoding, validation, diffs and output.
export { decodeTorrc } from './tor/schema/decode.js';
export { configEquals, describeValue, diffConfig } from './tor/schema/diff.js';
export { formatTorrc } from './tor/schema/format-torrc.js';
export type { JsonSchema } from './tor/schema/json-schema.js';
export { toJsonSchema } from './tor/schema/json-schema.js';
export { mergeReloadable } from './tor/schema/merge-reloadable.js';
export type { FieldKind, FieldMeta, TorConfigField } from './tor/schema/tor-config.js';
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
} from './tor/schema/tor-config.js';
export { torOptionNames } from './tor/schema/tor-options.js';
export type { ValidateContext } from './tor/schema/validate.js';
export { validateConfig, validationProblems } from './tor/schema/validate.js';
// Value codecs: torrc text <-> typed values.
export { Bool } from './tor/schema/values/bool.js';
export { BridgeLine, parseBridgeLine } from './tor/schema/values/bridge-line.js';
export { ClientAuthKey, parseClientAuth, redactedKey } from './tor/schema/values/client-auth.js';
export { IsolationLevel, LogLevel } from './tor/schema/values/enums.js';
export { NonNegativeInt } from './tor/schema/values/integer.js';
export {
  formatInterval,
  Interval,
  parseInterval,
} from './tor/schema/values/interval.js';
export type { HiddenServicePort } from './tor/schema/values/onion-port.js';
export {
  formatHiddenServicePort,
  parseHiddenServicePort,
  TargetAddr,
  VirtualPort,
} from './tor/schema/values/onion-port.js';
export { Port } from './tor/schema/values/port.js';
export { parseRouterSet, RouterSetEntry } from './tor/schema/values/router-set.js';
export { NonEmptyText, quoteTorrcValue, Text } from './tor/schema/values/text.js';
// hotrc's Tor profile, the default of ReloadableConfig.
export { torProfile } from './tor/tor-profile.js';
export type { ParseOptions, TorrcEntry, TorrcError, TorrcOp } from './tor/torrc.js';
export { parseTorrc, parseTorrcEntries } from './tor/torrc.js';
// The torrc format itself.
export { decodeTorrcBytes } from './tor/torrc-bytes.js';
export type { TorrcParsed } from './tor/torrc-format.js';
export { torrcFormat } from './tor/torrc-format.js';
