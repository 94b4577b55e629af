import type { Violation } from './log-checker.js';
import type { KindNote } from './turn-kinds.js';

/** Which harness-visible failure happened (see the report's `errorBreakdown`). */
export const FAILURE_KINDS = [
  'rejectedCalls',
  'unexpectedErrorEvents',
  'unexpectedOutcomes',
  'timedOutTurns',
  'checkViolations',
  'logMismatches',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const MAX_SAMPLES = 20;

/** Running totals of one load run, shared by every session driver (all on the calling thread). */
export class RunCounters {
  events = 0;
  turns = 0;
  turnsStarted = 0;
  turnsSkipped = 0;
  approvals = 0;
  denials = 0;
  toolFailures = 0;
  sessionsCreated = 0;
  readonly notes: Record<KindNote, number> = {
    merged: 0,
    notMerged: 0,
    dequeued: 0,
    dequeueMissed: 0,
    compacted: 0,
    compactNoop: 0,
  };
  readonly failures: Record<FailureKind, number> = {
    rejectedCalls: 0,
    unexpectedErrorEvents: 0,
    unexpectedOutcomes: 0,
    timedOutTurns: 0,
    checkViolations: 0,
    logMismatches: 0,
  };
  readonly violationsByKind: Record<string, number> = {};
  readonly errorSamples: string[] = [];
  /** called for every failure (the time series counts them per second) */
  onFailure: (() => void) | undefined;

  fail(kind: FailureKind, message: string): void {
    this.failures[kind]++;
    if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(message);
    this.onFailure?.();
  }

  violations(list: readonly Violation[]): void {
    for (const v of list) {
      this.violationsByKind[v.kind] = (this.violationsByKind[v.kind] ?? 0) + 1;
      this.fail(v.kind === 'logMismatch' ? 'logMismatches' : 'checkViolations', `${v.kind}: ${v.message}`);
    }
  }

  get errors(): number {
    let n = 0;
    for (const k of Object.keys(this.failures) as FailureKind[]) n += this.failures[k];
    return n;
  }
}

/** `code: message` of a rejection, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
