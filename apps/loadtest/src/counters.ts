/** Which harness-visible failure happened (see the report's `errorBreakdown`). */
export type FailureKind =
  | 'rejectedCalls'
  | 'errorTurns'
  | 'cancelledTurns'
  | 'timedOutTurns'
  | 'strayErrorEvents';

const MAX_SAMPLES = 10;

/** Running totals of one load run, shared by every session driver (all on the calling thread). */
export class RunCounters {
  events = 0;
  turns = 0;
  turnsSkipped = 0;
  approvals = 0;
  toolFailures = 0;
  sessionsCreated = 0;
  sessionsDone = 0;
  readonly failures: Record<FailureKind, number> = {
    rejectedCalls: 0,
    errorTurns: 0,
    cancelledTurns: 0,
    timedOutTurns: 0,
    strayErrorEvents: 0,
  };
  readonly errorSamples: string[] = [];

  fail(kind: FailureKind, message: string): void {
    this.failures[kind]++;
    if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(message);
  }

  get errors(): number {
    const f = this.failures;
    return f.rejectedCalls + f.errorTurns + f.cancelledTurns + f.timedOutTurns + f.strayErrorEvents;
  }
}

/** `code: message` of a rejection, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
