import type { SessionEvent, StoredEvent } from '@shoal/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTarget } from './embedded-target.js';
import { TURN_KINDS, type TurnKind } from './mix.js';
import { resolveLoadOptions } from './options.js';
import type { LoadReport } from './report.js';
import { runLoad } from './run-load.js';
import { wrapTarget } from './test-support/wrap-target.js';

type Ev<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;
const of =
  <T extends SessionEvent['type']>(type: T) =>
  (log: StoredEvent[]): Ev<T>[] =>
    log.map((e) => e.event).filter((e): e is Ev<T> => e.type === type);
const userText = (e: Ev<'UserMessageAdded'>) =>
  e.message.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

// One embedded runtime (LevelDB in a temp dir, fsync, in-process actors) for every kind; each kind runs alone.
describe('every turn kind against the embedded runtime', () => {
  let target: EmbeddedTarget;
  beforeAll(async () => {
    target = await EmbeddedTarget.start(resolveLoadOptions({ shards: 0, logLevel: 'silent' }));
  });
  afterAll(async () => {
    await target.close();
  });

  async function runKind(kind: TurnKind, extra: { sessions?: number; turns?: number } = {}) {
    const logs = new Map<string, StoredEvent[]>();
    const report = await runLoad(
      {
        sessions: extra.sessions ?? 2,
        turns: extra.turns ?? 3,
        mix: { [kind]: 1 },
        busyMs: 300,
        quiet: true,
      },
      { target: wrapTarget(target, { onReadLog: (id, log) => logs.set(id, log) }) },
    );
    return { report, logs: [...logs.values()] };
  }

  function clean(report: LoadReport, kind: TurnKind, turns: number) {
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.verified).toBe(true);
    expect(report.turns).toBe(turns);
    expect(report.kinds[kind]).toMatchObject({ turns, errors: 0 });
  }

  it('echo: the model echoes the input', async () => {
    const { report, logs } = await runKind('echo');
    clean(report, 'echo', 6);
    for (const log of logs) {
      expect(of('UserMessageAdded')(log)).toHaveLength(3);
      expect(of('OperationCompleted')(log)).toHaveLength(3);
      const reply = of('AssistantMessageAdded')(log)[0]!.message.content[0];
      expect(reply).toMatchObject({
        type: 'text',
        text: expect.stringContaining('echo: hello from session'),
      });
    }
  });

  it('stream: a long streamed reply', async () => {
    const { report, logs } = await runKind('stream', { turns: 1 });
    clean(report, 'stream', 2);
    for (const log of logs) {
      const usage = of('LlmUsageUpdated')(log)[0]!;
      expect(usage.usage.outputTokens).toBeGreaterThanOrEqual(64);
    }
  });

  it('bash: asks for approval, approved, the command runs', async () => {
    const { report, logs } = await runKind('bash');
    clean(report, 'bash', 6);
    expect(report.approvals).toBe(6); // not remembered: every bash call asks
    for (const log of logs) {
      expect(of('ApprovalDecided')(log).map((e) => e.decision)).toEqual(['Approved', 'Approved', 'Approved']);
      expect(of('ToolCallCompleted')(log)[0]!.result).toMatchObject({ type: 'Bash', stdout: 'hi\n' });
    }
  });

  it('deny: asks for approval, denied, the turn still completes', async () => {
    const { report, logs } = await runKind('deny', { turns: 2 });
    clean(report, 'deny', 4);
    expect(report.denials).toBe(4);
    for (const log of logs) {
      expect(of('ApprovalDecided')(log).map((e) => e.decision)).toEqual(['Denied', 'Denied']);
      expect(of('ToolCallStarted')(log)).toEqual([]);
    }
  });

  it('remember: approved with remember, later calls of the session do not ask', async () => {
    const { report, logs } = await runKind('remember');
    clean(report, 'remember', 6);
    expect(report.approvals).toBe(2); // one per session
    for (const log of logs) {
      expect(of('ApprovalDecided')(log)).toEqual([
        expect.objectContaining({ decision: 'Approved', remember: { type: 'Tool', toolName: 'write_file' } }),
      ]);
      expect(of('ToolCallCompleted')(log)).toHaveLength(3);
    }
  });

  it('read: a read_file call, no approval', async () => {
    const { report, logs } = await runKind('read', { turns: 1 });
    clean(report, 'read', 2);
    expect(report.approvals).toBe(0);
    for (const log of logs) expect(of('ToolCallStarted')(log)[0]).toMatchObject({ name: 'read_file' });
  });

  it('direct: a direct bash command runs without the model', async () => {
    const { report, logs } = await runKind('direct', { turns: 2 });
    clean(report, 'direct', 4);
    for (const log of logs) {
      const ops = of('OperationStarted')(log);
      expect(ops.map((o) => o.kind.type)).toEqual(['DirectBash', 'DirectBash']);
      expect(of('AssistantMessageAdded')(log)).toEqual([]);
    }
  });

  it('queue: two inputs sent while a turn runs are queued and merged into one turn', async () => {
    const { report, logs } = await runKind('queue', { turns: 2 });
    clean(report, 'queue', 4);
    expect(report.notes.merged).toBe(4);
    for (const log of logs) {
      expect(of('QueueUpdated')(log).length).toBeGreaterThanOrEqual(3);
      const merged = of('UserMessageAdded')(log).filter((e) => userText(e).includes('queued one'));
      expect(merged).toHaveLength(2);
      for (const m of merged) expect(userText(m)).toContain('queued two');
      expect(of('OperationStarted')(log)).toHaveLength(4); // busy + merged, twice
    }
  });

  it('dequeue: an input queued behind a running turn is removed and never runs', async () => {
    const { report, logs } = await runKind('dequeue', { turns: 2 });
    clean(report, 'dequeue', 4);
    expect(report.notes.dequeued).toBe(4);
    for (const log of logs) {
      expect(of('OperationStarted')(log)).toHaveLength(2);
      expect(of('UserMessageAdded')(log).some((e) => userText(e).includes('to be dequeued'))).toBe(false);
      expect(of('QueueUpdated')(log).at(-1)!.queue).toEqual([]);
    }
  });

  it('cancel: a running turn is cancelled', async () => {
    const { report, logs } = await runKind('cancel', { turns: 2 });
    clean(report, 'cancel', 4);
    for (const log of logs) {
      expect(of('OperationCancelled')(log).map((e) => e.reason)).toEqual(['user', 'user']);
      expect(of('OperationCompleted')(log)).toEqual([]);
    }
  });

  it('edit: the first message is edited, branching from its parent', async () => {
    const { report, logs } = await runKind('edit', { turns: 2 });
    clean(report, 'edit', 4);
    for (const log of logs) {
      const users = of('UserMessageAdded')(log);
      // the first edit turn sends a message to edit first; then two edits of it
      expect(users).toHaveLength(3);
      expect(users.slice(1).map((u) => u.message.parentMessageId)).toEqual([null, null]);
      expect(users.slice(1).every((u) => userText(u).startsWith('edited message'))).toBe(true);
    }
  });

  it('compact: too few messages first, then a real compaction', async () => {
    const { report, logs } = await runKind('compact', { sessions: 1, turns: 1 });
    clean(report, 'compact', 1);
    expect(report.notes.compactNoop).toBe(1);
    expect(of('CompactResult')(logs[0]!)[0]!.result.type).toBe('InsufficientMessages');
    // with echo turns before it there is something to compact
    const mixed = await runLoad(
      { sessions: 1, turns: 12, mix: { echo: 3, compact: 1 }, quiet: true },
      { target },
    );
    expect(mixed.errorSamples).toEqual([]);
    expect(mixed.notes.compacted).toBeGreaterThanOrEqual(1);
    expect(mixed.notes.compacted + mixed.notes.compactNoop).toBe(mixed.kinds.compact!.turns);
  });

  it('agent: a switch to plan and back, each confirmed', async () => {
    const { report, logs } = await runKind('agent', { turns: 2 });
    clean(report, 'agent', 4);
    for (const log of logs) {
      const switches = of('SessionConfigUpdated')(log).filter((e) => e.reason !== 'title');
      expect(switches.map((e) => e.primaryAgentId)).toEqual(['plan', 'normal', 'plan', 'normal']);
    }
  });

  it('error: a scripted model error is an Error event, not a harness error', async () => {
    const { report, logs } = await runKind('error', { turns: 2 });
    clean(report, 'error', 4);
    for (const log of logs) {
      expect(of('Error')(log)).toHaveLength(2);
      expect(of('OperationCompleted')(log)).toHaveLength(2);
    }
  });

  it('covers every kind', () => {
    // each kind has its own test above; this keeps the list honest when a kind is added
    expect(TURN_KINDS).toHaveLength(14);
  });
});
