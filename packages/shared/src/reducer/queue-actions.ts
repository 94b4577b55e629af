import { popNextQueuedWork } from '../state/queue.js';
import { emit, type ReduceCtx } from './context.js';
import { InvalidActionError } from './errors.js';
import { startNextQueuedWork } from './turns.js';

/** spec §3.3.15: drop the head (oldest, §11.38), busy or not; never started. */
export function onDequeueQueuedItem(ctx: ReduceCtx): void {
  const { state } = ctx;
  if (state.queuedWork.length === 0) throw new InvalidActionError('QueueEmpty', 'No queued item to remove');
  const removed = popNextQueuedWork(state)!;
  emit(ctx, { type: 'QueuedWorkRemoved', opId: removed.opId });
}

/** spec §3.3.16 */
export function onDrainQueuedWork(ctx: ReduceCtx): void {
  startNextQueuedWork(ctx);
}
