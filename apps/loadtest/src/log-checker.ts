import type { StoredEvent } from '@shoal/shared';
import { canonicalJson, LogDigest } from './log-digest.js';

/** What the self-checks can find wrong with a session's log. */
export const VIOLATION_KINDS = [
  'gap',
  'duplicate',
  'missingInput',
  'unansweredApproval',
  'endWithoutStart',
  'duplicateStart',
  'unendedOperation',
  'logMismatch',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/**
 * Events that carry what the user sent (a message, a queued item, a direct command). A reply that echoes the
 * input does not count: the input itself must be in the log.
 */
const INPUT_EVENTS: ReadonlySet<string> = new Set([
  'UserMessageAdded',
  'QueueUpdated',
  'MessageUpdated',
  'OperationStarted',
]);

export interface Violation {
  kind: ViolationKind;
  sessionId: string;
  message: string;
}

/**
 * The live self-checks of one session's log, fed every event the harness receives for it (across the
 * subscriptions of all its turns, in order):
 * - sequence numbers are contiguous from 0, with no gap and no duplicate;
 * - every acknowledged input (identified by a unique token in its text) appears in the log;
 * - every `ApprovalRequested` is answered by an `ApprovalDecided` before its turn ends;
 * - every operation that starts ends with exactly one `OperationCompleted`/`OperationCancelled`.
 *
 * It keeps a digest of what it saw (not the events), for the final comparison with the stored log. Pure: no
 * I/O, no clock.
 */
export class SessionLogChecker {
  readonly digest = new LogDigest();
  private readonly openOps = new Set<string>();
  private readonly pendingApprovals = new Set<string>();
  /** input tokens: registered before the call, `acked` once it resolved, `seen` once an event carried it */
  private readonly tokens = new Map<string, { acked: boolean; seen: boolean }>();

  constructor(readonly sessionId: string) {}

  /** The last sequence number seen (-1 before the first event): where the next subscription starts. */
  get lastSeq(): number {
    return this.digest.count - 1;
  }

  private violation(kind: ViolationKind, message: string): Violation {
    return { kind, sessionId: this.sessionId, message: `session ${this.sessionId}: ${message}` };
  }

  /** Checks and records one event; returns what is wrong with it (usually nothing). */
  onEvent(stored: StoredEvent): Violation[] {
    const expected = this.digest.count;
    if (stored.seq < expected) {
      return [
        this.violation(
          'duplicate',
          `event seq ${stored.seq} (${stored.event.type}) again; expected ${expected}`,
        ),
      ];
    }
    const out: Violation[] = [];
    if (stored.seq > expected) {
      out.push(this.violation('gap', `expected seq ${expected}, got ${stored.seq} (${stored.event.type})`));
    }
    const json = canonicalJson(stored.event);
    // Resynchronise on the received seq so one gap is reported once, not at every later event.
    while (this.digest.count < stored.seq) this.digest.add(this.digest.count, 'null');
    this.digest.add(stored.seq, json);

    const carriesInput = INPUT_EVENTS.has(stored.event.type);
    for (const [token, state] of this.tokens) {
      if (!carriesInput || !json.includes(token)) continue;
      if (state.acked) this.tokens.delete(token);
      else state.seen = true;
    }
    const event = stored.event;
    switch (event.type) {
      case 'OperationStarted':
        if (this.openOps.has(event.opId))
          out.push(this.violation('duplicateStart', `operation ${event.opId} started twice`));
        this.openOps.add(event.opId);
        break;
      case 'OperationCompleted':
      case 'OperationCancelled':
        if (!this.openOps.delete(event.opId)) {
          out.push(
            this.violation(
              'endWithoutStart',
              `${event.type} for operation ${event.opId}, which is not running (seq ${stored.seq})`,
            ),
          );
        }
        break;
      case 'ApprovalRequested':
        this.pendingApprovals.add(event.requestId);
        break;
      case 'ApprovalDecided':
        this.pendingApprovals.delete(event.requestId);
        break;
      default:
        break;
    }
    return out;
  }

  /** Registers an input's token before the call that sends it (its events may arrive before the call resolves). */
  expectInput(token: string): void {
    this.tokens.set(token, { acked: false, seen: false });
  }

  /** The call resolved: the input is acknowledged and must be in the log. */
  acknowledgeInput(token: string): void {
    const state = this.tokens.get(token);
    if (state === undefined) return;
    if (state.seen) this.tokens.delete(token);
    else state.acked = true;
  }

  /** The call rejected: nothing is owed. */
  forgetInput(token: string): void {
    this.tokens.delete(token);
  }

  isRunning(opId: string): boolean {
    return this.openOps.has(opId);
  }

  /**
   * At the end of a turn that ended normally: every event its calls caused precedes its end event, so an
   * acknowledged input not seen yet is missing, and an approval still pending was never answered.
   */
  endOfTurn(): Violation[] {
    const out: Violation[] = [];
    for (const [token, state] of this.tokens) {
      if (state.acked)
        out.push(this.violation('missingInput', `acknowledged input ${token} is not in the log`));
    }
    this.tokens.clear();
    for (const requestId of this.pendingApprovals) {
      out.push(
        this.violation('unansweredApproval', `approval ${requestId} was requested and never answered`),
      );
    }
    this.pendingApprovals.clear();
    return out;
  }

  /** After the session's last turn: no operation may still be running. */
  finish(): Violation[] {
    const out = [...this.openOps].map((op) =>
      this.violation('unendedOperation', `operation ${op} started and never ended`),
    );
    this.openOps.clear();
    return out;
  }

  /**
   * The final comparison: the stored log must be contiguous from 0 and its first `count` events must be exactly
   * what was seen live (the same digest). Events stored after the session's last live read (a title generated
   * late) are allowed, and go through the live checks.
   */
  compareWithStored(stored: readonly StoredEvent[]): Violation[] {
    const seen = this.digest.count;
    const replay = new LogDigest();
    for (let i = 0; i < stored.length && i < seen; i++) {
      const e = stored[i]!;
      if (e.seq !== i)
        return [this.violation('logMismatch', `the stored log has seq ${e.seq} at position ${i}`)];
      replay.add(e.seq, canonicalJson(e.event));
    }
    if (stored.length < seen) {
      return [
        this.violation(
          'logMismatch',
          `${seen} events were seen live but the store has only ${stored.length}`,
        ),
      ];
    }
    if (replay.value !== this.digest.value) {
      return [this.violation('logMismatch', `the first ${seen} stored events differ from those seen live`)];
    }
    // What was stored after the last live read is checked like live events (a late second end, a gap).
    const out: Violation[] = [];
    for (let i = seen; i < stored.length; i++) out.push(...this.onEvent(stored[i]!));
    return out;
  }
}
