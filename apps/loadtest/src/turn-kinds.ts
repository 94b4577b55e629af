import type { SessionEvent } from '@shoal/shared';
import type { TurnKind } from './mix.js';
import { TargetCallError } from './target.js';
import type { TurnContext } from './turn-context.js';

/** The file bash and direct-bash turns write and read turns read, inside the session's workspace. */
export const NOTES_FILE = 'notes.txt';

/** How a turn kind's own expectations turned out (the self-checks are separate). */
export type KindOutcome = { ok: true; note?: KindNote } | { ok: false; message: string };

/** Things worth counting that are not errors. */
export type KindNote = 'merged' | 'notMerged' | 'dequeued' | 'dequeueMissed' | 'compacted' | 'compactNoop';

const ok = (note?: KindNote): KindOutcome => (note === undefined ? { ok: true } : { ok: true, note });
const bad = (message: string): KindOutcome => ({ ok: false, message });

async function completes(t: TurnContext, opId: string, what: string): Promise<KindOutcome> {
  const end = await t.opEnd(opId);
  return end === 'OperationCompleted' ? ok() : bad(`${what}: the operation was cancelled`);
}

const tool = (name: string, params: Record<string, unknown>) => `/tool ${name} ${JSON.stringify(params)}`;

const userTexts = (e: SessionEvent): string =>
  e.type === 'UserMessageAdded'
    ? e.message.content.map((c) => (c.type === 'text' ? c.text : '')).join('')
    : '';

/**
 * Sends `busy` (a turn of `busyMs`: the simulated model sleeps) and then `more` into it. Where the target keeps
 * the order of calls issued together (the embedded runtime) all are sent at once, so the later ones reach the
 * session while the first turn runs however loaded the system is; over HTTP each waits for the one before,
 * and a turn shorter than those round trips ends before they arrive (counted as `notMerged`/`dequeueMissed`).
 */
async function intoBusyTurn<T extends unknown[]>(
  t: TurnContext,
  label: string,
  more: { [K in keyof T]: () => Promise<T[K]> },
): Promise<[{ opId: string; messageId: string; token: string }, ...T]> {
  const busy = () => t.input(`/sleep ${t.settings.busyMs}\n${label}`);
  if (t.target.keepsCallOrder) {
    return (await Promise.all([busy(), ...more.map((send) => send())])) as [
      { opId: string; messageId: string; token: string },
      ...T,
    ];
  }
  const out: unknown[] = [await busy()];
  for (const send of more) out.push(await send());
  return out as [{ opId: string; messageId: string; token: string }, ...T];
}

/**
 * What each turn kind sends and waits for (api.md "The simulated model" scripts the replies). A kind resolves
 * once everything it started has ended; it throws `TurnAborted` (timeout) or `TargetCallError` (a refused call).
 */
export const TURN_KIND_RUNNERS: Readonly<Record<TurnKind, (t: TurnContext) => Promise<KindOutcome>>> = {
  /** a plain turn: the model echoes */
  async echo(t) {
    const { opId } = await t.input(`hello from session ${t.slot.index}`);
    return completes(t, opId, 'echo');
  },

  /** a longer streamed reply (`--stream-tokens` filler tokens; `--first-token-ms`/`--tokens-per-second` pace it) */
  async stream(t) {
    const { opId } = await t.input(`/tokens ${t.settings.streamTokens}\nstream please`);
    return completes(t, opId, 'stream');
  },

  /** a bash tool call that asks for approval, approved (not remembered, so the next one asks again) */
  async bash(t) {
    t.decision = { approved: true };
    const { opId } = await t.input(tool('bash', { command: `echo hi | tee ${NOTES_FILE}` }));
    return completes(t, opId, 'bash');
  },

  /** a bash tool call denied by the user: the model gets a DeniedByUser result and the turn completes */
  async deny(t) {
    t.decision = { approved: false };
    const { opId } = await t.input(tool('bash', { command: 'echo should-not-run' }));
    return completes(t, opId, 'deny');
  },

  /** a write_file call approved with "remember": later write_file calls of the session do not ask */
  async remember(t) {
    t.decision = { approved: true, remember: { type: 'Tool', toolName: 'write_file' } };
    const { opId } = await t.input(
      tool('write_file', { file_path: 'remembered.txt', content: 'remembered\n' }),
    );
    return completes(t, opId, 'remember');
  },

  /** a read_file call (no approval); the file exists once a bash or direct turn of the session ran */
  async read(t) {
    const { opId } = await t.input(tool('read_file', { file_path: NOTES_FILE }));
    return completes(t, opId, 'read');
  },

  /** a direct bash command (no model, no approval) */
  async direct(t) {
    const opId = await t.executeBash(`echo direct | tee ${NOTES_FILE}`);
    return completes(t, opId, 'direct');
  },

  /** two inputs sent while a turn runs: queued, merged into one, run after it */
  async queue(t) {
    const [first, a, b] = await intoBusyTurn(t, 'busy before queued input', [
      () => t.input('queued one'),
      () => t.input('queued two'),
    ]);
    const firstEnd = await completes(t, first.opId, 'queue (running turn)');
    if (!firstEnd.ok) return firstEnd;
    const last = await completes(t, b.opId, 'queue (queued turn)');
    if (!last.ok) return last;
    // The merged input took the later ids; an earlier one that ran on its own has its own op to wait for.
    if (t.saw((e) => e.type === 'OperationStarted' && e.opId === a.opId)) {
      const own = await completes(t, a.opId, 'queue (first queued input)');
      if (!own.ok) return own;
    }
    const merged = t.saw((e) => {
      const text = userTexts(e);
      return text.includes(a.token) && text.includes(b.token);
    });
    return ok(merged ? 'merged' : 'notMerged');
  },

  /** an input sent while a turn runs, then removed from the queue: it never runs */
  async dequeue(t) {
    const [first, queued, dequeued] = await intoBusyTurn(t, 'busy before dequeue', [
      () => t.input('to be dequeued'),
      () =>
        t.guard(t.target.dequeue(t.sessionId)).then(
          () => true,
          (err: unknown) => {
            // The running turn ended before the dequeue arrived: the input ran as a turn of its own.
            if (err instanceof TargetCallError && err.kind === 'QueueEmpty') return false;
            throw err;
          },
        ),
    ]);
    const end = await completes(t, first.opId, 'dequeue (running turn)');
    if (!end.ok) return end;
    if (!dequeued) {
      const own = await completes(t, queued.opId, 'dequeue (not dequeued)');
      return own.ok ? ok('dequeueMissed') : own;
    }
    if (t.saw((e) => e.type === 'OperationStarted' && e.opId === queued.opId)) {
      return bad('dequeue: the dequeued input ran anyway');
    }
    return ok('dequeued');
  },

  /** a long turn cancelled once it runs: it must end with OperationCancelled */
  async cancel(t) {
    const { opId } = await t.input('/sleep 600000\nto be cancelled');
    await t.waitFor((e) => e.type === 'OperationStarted' && e.opId === opId);
    await t.guard(t.target.cancel(t.sessionId, opId));
    const end = await t.opEnd(opId);
    return end === 'OperationCancelled'
      ? ok()
      : bad('cancel: the operation completed instead of being cancelled');
  },

  /** an edit of the session's first message: a new branch from its parent */
  async edit(t) {
    let messageId = t.slot.firstUserMessageId;
    if (messageId === undefined) {
      const first = await t.input('a message to edit later');
      const end = await completes(t, first.opId, 'edit (first message)');
      if (!end.ok) return end;
      messageId = first.messageId;
    }
    const opId = await t.editMessage(messageId, 'edited message');
    return completes(t, opId, 'edit');
  },

  /** a manual compaction (with too few messages it reports InsufficientMessages and runs no operation) */
  async compact(t) {
    const opId = await t.guard(t.target.compact(t.sessionId));
    const result = await t.waitFor((e) => e.type === 'CompactResult' && e.trigger === 'Manual');
    if (!t.saw((e) => e.type === 'OperationStarted' && e.opId === opId)) return ok('compactNoop');
    const end = await completes(t, opId, 'compact');
    if (!end.ok) return end;
    return result.event.type === 'CompactResult' && result.event.result.type === 'Success'
      ? ok('compacted')
      : ok('compactNoop');
  },

  /** a switch to the plan agent and back to normal, each confirmed by its SessionConfigUpdated */
  async agent(t) {
    for (const agentId of ['plan', 'normal']) {
      await t.guard(t.target.switchAgent(t.sessionId, agentId));
      await t.waitFor(
        (e) => e.type === 'SessionConfigUpdated' && e.reason !== 'title' && e.primaryAgentId === agentId,
      );
    }
    return ok();
  },

  /** a model error (`/error invalid_request`): an Error event, then the operation ends */
  async error(t) {
    const { opId } = await t.input('/error invalid_request scripted model error');
    await t.opEnd(opId);
    return t.saw((e) => e.type === 'Error') ? ok() : bad('error: no Error event for a scripted model error');
  },
};

/** Kinds whose turn is expected to carry an `Error` event (anywhere else one is a failure). */
export const EXPECTS_ERROR_EVENT: ReadonlySet<TurnKind> = new Set(['error']);
