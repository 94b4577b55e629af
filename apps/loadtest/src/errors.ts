/** Stable codes of every failure the load-test harness itself raises (not the runtime's own errors). */
export type LoadTestErrorCode =
  /** a command-line flag or a `runLoad` option is malformed or out of range */
  | 'INVALID_OPTIONS'
  /** `--target` names a running host; driving one over HTTP is not implemented yet */
  | 'TARGET_UNAVAILABLE'
  /** the embedded runtime could not be started (bad data dir, locked LevelDB, …) */
  | 'RUNTIME_START'
  /** the JSON report could not be written */
  | 'REPORT_WRITE';

export class LoadTestError extends Error {
  override readonly name = 'LoadTestError';
  constructor(
    readonly code: LoadTestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
