export { type CliCommand, parseCliArgs, USAGE } from './cli-args.js';
export { type Clock, realClock } from './clock.js';
export { FAILURE_KINDS, type FailureKind, RunCounters } from './counters.js';
export { EmbeddedTarget } from './embedded-target.js';
export { LoadTestError, type LoadTestErrorCode } from './errors.js';
export { renderHtmlReport } from './html-report.js';
export { HttpTarget } from './http-target.js';
export { LatencyRecorder, type LatencySummary } from './latency.js';
export { SessionLogChecker, VIOLATION_KINDS, type Violation, type ViolationKind } from './log-checker.js';
export {
  DEFAULT_MIX,
  formatMix,
  MixPicker,
  parseMix,
  TURN_KINDS,
  type TurnKind,
  type TurnMix,
} from './mix.js';
export {
  flagName,
  type LoadOptions,
  type LoadOptionsInput,
  LoadOptionsSchema,
  plannedTurns,
  resolveLoadOptions,
} from './options.js';
export { LatencySummarySchema, type LoadReport, LoadReportSchema } from './report.js';
export { type LoadProgress, type ProgressListener, type RunLoadDeps, runLoad } from './run-load.js';
export { type OpenLoopSchedule, runOpenLoop } from './schedule.js';
export { formatBytes, renderSummary } from './summary-table.js';
export type { EventStream, LoadTarget, TargetMemory } from './target.js';
export { TargetCallError } from './target.js';
export { NOTES_FILE, TURN_KIND_RUNNERS } from './turn-kinds.js';
