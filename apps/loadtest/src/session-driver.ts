import type { StoredEvent } from '@shoal/shared';
import { describeError, type RunCounters } from './counters.js';
import type { TurnKind } from './mix.js';
import type { SessionSlot } from './session-slot.js';
import type { EventStream, LoadTarget } from './target.js';
import { TargetCallError } from './target.js';
import { TurnAborted, TurnContext } from './turn-context.js';
import { EXPECTS_ERROR_EVENT, type KindOutcome, TURN_KIND_RUNNERS } from './turn-kinds.js';

/** How a turn ended, as the harness saw it. */
export type TurnResult =
  | { type: 'done'; outcome: KindOutcome }
  | { type: 'timeout' }
  | { type: 'rejected'; message: string };

export interface DriverDeps {
  target: LoadTarget;
  counters: RunCounters;
  turnTimeoutMs: number;
  busyMs: number;
  streamTokens: number;
  /** every event received (for the time series) */
  onEvent?: () => void;
}

/**
 * Runs one turn of one session: subscribes to the session's events from the last one seen (so across turns
 * the harness reads the whole log, contiguously), runs the turn kind, answers approvals as they are requested,
 * feeds every event to the session's self-checks, and closes the subscription when the kind is done.
 * A turn that times out is cancelled on the target.
 */
export async function driveTurn(slot: SessionSlot, kind: TurnKind, deps: DriverDeps): Promise<TurnResult> {
  const { target, counters } = deps;
  const sessionId = slot.id!;
  const checker = slot.checker!;
  let stream: EventStream;
  try {
    stream = await target.subscribe(sessionId, checker.lastSeq);
  } catch (err) {
    return { type: 'rejected', message: `subscribe: ${describeError(err)}` };
  }
  const t = new TurnContext(target, slot, sessionId, deps);
  let closing = false;
  const approvals: Promise<void>[] = [];

  const onEvent = (stored: StoredEvent) => {
    counters.events++;
    deps.onEvent?.();
    counters.violations(checker.onEvent(stored));
    const event = stored.event;
    if (event.type === 'UserMessageAdded' && slot.firstUserMessageId === undefined) {
      if (event.message.content.some((c) => c.type === 'text')) slot.firstUserMessageId = event.message.id;
    } else if (event.type === 'ApprovalRequested') {
      const { approved, remember } = t.decision;
      if (approved) counters.approvals++;
      else counters.denials++;
      approvals.push(
        target.approve(sessionId, event.requestId, approved, remember).catch((err: unknown) => {
          t.abort('rejected', `approve: ${describeError(err)}`);
        }),
      );
    } else if (event.type === 'ToolCallFailed') {
      counters.toolFailures++;
    } else if (event.type === 'Error' && !EXPECTS_ERROR_EVENT.has(kind)) {
      counters.fail(
        'unexpectedErrorEvents',
        `session ${sessionId} (${kind} turn): Error event: ${event.message}`,
      );
    }
    t.onEvent(stored);
  };

  const pump = (async () => {
    try {
      for await (const stored of stream) onEvent(stored);
      if (!closing) t.abort('rejected', 'the event stream ended');
    } catch (err) {
      if (!closing) t.abort('rejected', `event stream: ${describeError(err)}`);
    }
  })();

  const timer = setTimeout(
    () => t.abort('timeout', `no end within ${deps.turnTimeoutMs} ms`),
    deps.turnTimeoutMs,
  );
  let result: TurnResult;
  try {
    result = { type: 'done', outcome: await t.guard(TURN_KIND_RUNNERS[kind](t)) };
  } catch (err) {
    if (err instanceof TurnAborted) {
      result = err.reason === 'timeout' ? { type: 'timeout' } : { type: 'rejected', message: err.message };
    } else if (err instanceof TargetCallError) {
      result = { type: 'rejected', message: describeError(err) };
    } else {
      throw err;
    }
  } finally {
    clearTimeout(timer);
  }
  if (result.type === 'timeout') {
    // Stop whatever still runs so it does not load the target for the rest of the run.
    await target.cancel(sessionId).catch(() => undefined);
  }
  await Promise.all(approvals);
  closing = true;
  await stream.close();
  await pump;
  if (result.type === 'done') counters.violations(checker.endOfTurn());
  return result;
}
