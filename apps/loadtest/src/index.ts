export { type CliCommand, parseCliArgs, USAGE } from './cli-args.js';
export { type FailureKind, RunCounters } from './counters.js';
export { LoadTestError, type LoadTestErrorCode } from './errors.js';
export { LatencyRecorder, type LatencySummary } from './latency.js';
export {
  flagName,
  type LoadOptions,
  type LoadOptionsInput,
  LoadOptionsSchema,
  resolveLoadOptions,
  type ScriptName,
  ScriptNameSchema,
} from './options.js';
export {
  formatBytes,
  LatencySummarySchema,
  type LoadReport,
  LoadReportSchema,
  renderSummary,
} from './report.js';
export { type LoadProgress, type ProgressListener, runLoad } from './run-load.js';
export {
  bashTurn,
  echoTurn,
  NOTES_FILE,
  readFileTurn,
  type ScriptTurn,
  scriptTurns,
  type TurnKind,
} from './scripts.js';
