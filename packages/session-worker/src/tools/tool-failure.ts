/** Codes for tool failures that become a §1.7 `Execution` error (the message is the display text). */
export const TOOL_FAILURE_CODES = [
  'PATH_OUTSIDE_WORKSPACE',
  'NOT_FOUND',
  'NOT_A_FILE',
  'NOT_A_DIRECTORY',
  'EDIT_NO_MATCH',
  'EDIT_AMBIGUOUS',
  'EDIT_NOOP',
  'INVALID_PATTERN',
  'SPAWN_FAILED',
  'BINARY_FILE',
  'TOO_LARGE',
  'HARD_LINKED',
  'TOOL_POOL_BUSY',
  'TIMEOUT',
  'CANCELLED',
  'IO',
] as const;
export type ToolFailureCode = (typeof TOOL_FAILURE_CODES)[number];

/**
 * A tool-level failure; the executor maps it to `{type:'Execution', toolName, message}`, except `CANCELLED`
 * which becomes `{type:'Cancelled', toolName}` and `TIMEOUT` which becomes `{type:'Timeout', toolName}` (§1.7).
 */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
  constructor(
    readonly code: ToolFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a Node fs error to a ToolFailure naming the (workspace-relative) path the model asked for. */
export function fsFailure(err: unknown, displayPath: string): ToolFailure {
  if (err instanceof ToolFailure) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT')
    return new ToolFailure('NOT_FOUND', `${displayPath}: no such file or directory`, { cause: err });
  if (code === 'EISDIR')
    return new ToolFailure('NOT_A_FILE', `${displayPath} is a directory`, { cause: err });
  if (code === 'ENOTDIR')
    return new ToolFailure('NOT_A_DIRECTORY', `${displayPath}: not a directory`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new ToolFailure('IO', `${displayPath}: ${msg}`, { cause: err });
}
