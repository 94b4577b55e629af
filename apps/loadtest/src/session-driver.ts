import { performance } from 'node:perf_hooks';
import type { SessionEvent } from '@shoal/shared';
import type { EventSubscription, Runtime } from '@shoal/supervisor';
import { describeError, type RunCounters } from './counters.js';
import type { LatencyRecorder } from './latency.js';
import type { ScriptTurn } from './scripts.js';

/** How a turn ended, as the harness saw it. */
type TurnOutcome =
  | { type: 'completed' }
  | { type: 'error'; message: string }
  | { type: 'cancelled' }
  | { type: 'timeout' }
  | { type: 'rejected'; message: string };

type EndEvent = Extract<SessionEvent, { type: 'OperationCompleted' | 'OperationCancelled' }>;

interface ActiveTurn {
  /** known once `submitUserInput` resolved; the op's events may arrive before that */
  opId: string | undefined;
  /** end events seen while `opId` was still unknown, by op id */
  endsBeforeOpId: Map<string, EndEvent['type']>;
  settle(outcome: TurnOutcome): void;
}

export interface SessionDriverDeps {
  runtime: Runtime;
  counters: RunCounters;
  latency: LatencyRecorder;
  turnTimeoutMs: number;
  onTurnEnd(): void;
}

/**
 * Drives one session through its script, one turn at a time. It reads the session's event subscription
 * (from the first event) for the whole run: every event is counted, `ApprovalRequested` is approved at once,
 * and a turn ends at its op's `OperationCompleted`/`OperationCancelled` or at an `Error` event.
 *
 * After a turn that timed out or a call that rejected, the session stops (its remaining turns are counted as
 * skipped); after an `Error` or a cancellation the op is over, so the next turn runs.
 */
export class SessionDriver {
  private turn: ActiveTurn | undefined;
  private closing = false;

  constructor(
    readonly sessionId: string,
    private readonly deps: SessionDriverDeps,
  ) {}

  async run(turns: readonly ScriptTurn[]): Promise<void> {
    const { runtime, counters } = this.deps;
    let sub: EventSubscription;
    try {
      sub = await runtime.subscribeEvents(this.sessionId, { afterSeq: -1 });
    } catch (err) {
      counters.fail('rejectedCalls', `subscribeEvents(${this.sessionId}): ${describeError(err)}`);
      counters.turnsSkipped += turns.length;
      return;
    }
    const pump = this.consume(sub);
    try {
      for (let i = 0; i < turns.length; i++) {
        if (!(await this.runTurn(turns[i]!))) {
          counters.turnsSkipped += turns.length - i - 1;
          break;
        }
      }
    } finally {
      this.closing = true;
      await sub.close();
      await pump;
    }
  }

  /** Runs one turn; false when the session cannot go on (a rejected call or a timeout). */
  private async runTurn(turn: ScriptTurn): Promise<boolean> {
    const { runtime, counters, latency, turnTimeoutMs } = this.deps;
    const started = performance.now();
    let active!: ActiveTurn;
    const outcome = await new Promise<TurnOutcome>((resolve) => {
      let done = false;
      const timer = setTimeout(() => active.settle({ type: 'timeout' }), turnTimeoutMs);
      active = {
        opId: undefined,
        endsBeforeOpId: new Map(),
        settle: (o) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (this.turn === active) this.turn = undefined;
          resolve(o);
        },
      };
      this.turn = active;
      runtime.submitUserInput(this.sessionId, turn.text).then(
        ({ opId }) => {
          active.opId = opId;
          const early = active.endsBeforeOpId.get(opId);
          if (early)
            active.settle(early === 'OperationCompleted' ? { type: 'completed' } : { type: 'cancelled' });
        },
        (err: unknown) =>
          active.settle({ type: 'rejected', message: `submitUserInput: ${describeError(err)}` }),
      );
    });
    const elapsedMs = performance.now() - started;
    counters.turns++;
    let goOn = true;
    switch (outcome.type) {
      case 'completed':
        latency.record(elapsedMs);
        break;
      case 'error':
        latency.record(elapsedMs);
        counters.fail(
          'errorTurns',
          `session ${this.sessionId} (${turn.kind} turn): Error event: ${outcome.message}`,
        );
        break;
      case 'cancelled':
        latency.record(elapsedMs);
        counters.fail('cancelledTurns', `session ${this.sessionId} (${turn.kind} turn): operation cancelled`);
        break;
      case 'timeout':
        counters.fail(
          'timedOutTurns',
          `session ${this.sessionId} (${turn.kind} turn): no end event within ${turnTimeoutMs} ms`,
        );
        if (active.opId !== undefined) runtime.cancelOperation(this.sessionId, active.opId).catch(() => {});
        goOn = false;
        break;
      case 'rejected':
        counters.fail('rejectedCalls', `session ${this.sessionId} (${turn.kind} turn): ${outcome.message}`);
        goOn = false;
        break;
    }
    this.deps.onTurnEnd();
    return goOn;
  }

  private async consume(sub: EventSubscription): Promise<void> {
    try {
      for await (const { event } of sub) {
        this.deps.counters.events++;
        this.onEvent(event);
      }
      if (!this.closing) this.turn?.settle({ type: 'rejected', message: 'the event subscription ended' });
    } catch (err) {
      const message = `event subscription failed: ${describeError(err)}`;
      if (this.turn) this.turn.settle({ type: 'rejected', message });
      else this.deps.counters.fail('rejectedCalls', `session ${this.sessionId}: ${message}`);
    }
  }

  private onEvent(event: SessionEvent): void {
    const { counters } = this.deps;
    const turn = this.turn;
    switch (event.type) {
      case 'ApprovalRequested':
        this.approve(event.requestId);
        return;
      case 'ToolCallFailed':
        counters.toolFailures++;
        return;
      case 'Error':
        if (turn) turn.settle({ type: 'error', message: event.message });
        else counters.fail('strayErrorEvents', `session ${this.sessionId}: Error event: ${event.message}`);
        return;
      case 'OperationCompleted':
      case 'OperationCancelled':
        if (!turn) return;
        if (turn.opId === undefined) turn.endsBeforeOpId.set(event.opId, event.type);
        else if (turn.opId === event.opId) {
          turn.settle(event.type === 'OperationCompleted' ? { type: 'completed' } : { type: 'cancelled' });
        }
        return;
      default:
        return;
    }
  }

  /** Approves (without remembering, so the next bash turn asks again); a rejection fails the turn. */
  private approve(requestId: string): void {
    const { runtime, counters } = this.deps;
    counters.approvals++;
    const turn = this.turn;
    runtime.submitToolApproval(this.sessionId, requestId, true).catch((err: unknown) => {
      const message = `submitToolApproval: ${describeError(err)}`;
      if (turn) turn.settle({ type: 'rejected', message });
      else counters.fail('rejectedCalls', `session ${this.sessionId}: ${message}`);
    });
  }
}
