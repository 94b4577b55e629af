import fc from 'fast-check';
import { resolveEffectiveConfig } from '../../agents/primary-agents.js';
import { filterToolsByVisibility } from '../../policy/visibility.js';
import { replayEvents } from '../../replay/apply-event.js';
import { recoverInterruptedOperation } from '../../replay/recover.js';
import type { Action } from '../../schemas/actions.js';
import type { AssistantContent, ToolCall, ToolSchema, UserContent } from '../../schemas/content.js';
import type { Effect } from '../../schemas/effects.js';
import type { SessionEvent } from '../../schemas/events.js';
import type { ModelId } from '../../schemas/ids.js';
import type { ApprovalMemory } from '../../schemas/operation.js';
import type { ToolOutcome } from '../../schemas/tool-result.js';
import { type AppState, createAppState, prepareResumedState } from '../../state/app-state.js';
import { stateToDurable } from '../../state/durable.js';
import { cancelForSuspend } from '../cancel.js';
import { sequentialDeps } from '../deps.js';
import { InvalidActionError } from '../errors.js';
import { reduce } from '../reduce.js';
import { makeConfig, SID, schema } from './fixtures.js';

/**
 * A model-based driver for property tests: it plays the session actor (tracks the model calls, tool
 * executions and compactions that effects started) and turns abstract random steps into plausible actions —
 * including late results for finished or cancelled work, stale approval ids, and restarts (resume from the log).
 */

export const HARNESS_TOOLS: ToolSchema[] = [
  schema('read_file', {
    type: 'object',
    properties: { file_path: { type: 'string' } },
    required: ['file_path'],
  }),
  schema('grep', { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] }),
  schema('bash', { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }),
  schema('write_file', { type: 'object', properties: { file_path: { type: 'string' } } }),
  schema('dispatch_agent', {
    type: 'object',
    properties: { prompt: { type: 'string' } },
    required: ['prompt'],
  }),
];

const MODELS: ModelId[] = [
  { provider: 'anthropic', id: 'claude-sonnet-4-5' },
  { provider: 'openai', id: 'gpt-5' },
];
const IMAGE: UserContent = {
  type: 'image',
  image: { mimeType: 'image/png', source: { type: 'data_url', dataUrl: 'data:image/png;base64,AAAA' } },
};

export type StepKind =
  | 'userInput'
  | 'directBash'
  | 'modelReply'
  | 'modelError'
  | 'startTool'
  | 'finishTool'
  | 'approve'
  | 'requestApproval'
  | 'cancel'
  | 'dequeue'
  | 'drain'
  | 'switchAgent'
  | 'requestCompaction'
  | 'compactionOutcome'
  | 'title'
  | 'edit'
  | 'reloadTools'
  | 'mcp'
  | 'suspend'
  | 'restart';

export interface Step {
  kind: StepKind;
  a: number;
  b: number;
  c: number;
}

const WEIGHTS: Array<[StepKind, number]> = [
  ['userInput', 8],
  ['directBash', 2],
  ['modelReply', 12],
  ['modelError', 2],
  ['startTool', 4],
  ['finishTool', 10],
  ['approve', 8],
  ['requestApproval', 1],
  ['cancel', 3],
  ['dequeue', 1],
  ['drain', 1],
  ['switchAgent', 2],
  ['requestCompaction', 2],
  ['compactionOutcome', 3],
  ['title', 2],
  ['edit', 1],
  ['reloadTools', 1],
  ['mcp', 1],
  ['suspend', 1],
  ['restart', 1],
];

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  ...WEIGHTS.map(([kind, weight]) => ({
    weight,
    arbitrary: fc.record({ kind: fc.constant(kind), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) }),
  })),
);

export const stepsArb = (max = 60): fc.Arbitrary<Step[]> =>
  fc.array(stepArb, { minLength: 1, maxLength: max, size: 'max' });

interface Execution {
  opId: string;
  toolCall: ToolCall;
  started: boolean;
}

const pick = <T>(items: readonly T[], n: number): T | undefined =>
  items.length === 0 ? undefined : items[n % items.length];

export class Harness {
  state: AppState;
  readonly log: SessionEvent[] = [];
  readonly created: SessionEvent;
  readonly deps = sequentialDeps('g-');
  private n = 0;
  /** ops with a model call in flight (from `CallModel`) */
  private awaitingModel: string[] = [];
  private executing: Execution[] = [];
  private compacting: string[] = [];
  private titleRequests = 0;
  /** every op id ever seen (for stale/late actions) */
  private readonly seenOps: string[] = [];
  readonly errors: string[] = [];

  constructor(autoCompaction = { enabled: true, thresholdPercent: 90 }) {
    const config = makeConfig({ autoCompaction });
    this.created = { type: 'SessionCreated', config, metadata: config.metadata };
    this.state = createAppState(SID);
    replayEvents(this.state, [this.created]);
    this.dispatch({ type: 'ToolSchemasAvailable', sessionId: SID, tools: HARNESS_TOOLS });
  }

  /** Every event of the session, `SessionCreated` first (what the store holds). */
  fullLog(): SessionEvent[] {
    return [this.created, ...this.log];
  }

  private id(prefix: string): string {
    return `${prefix}${++this.n}`;
  }

  private absorb(effects: Effect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'CallModel':
          if (!this.awaitingModel.includes(e.opId)) this.awaitingModel.push(e.opId);
          break;
        case 'ExecuteTool':
          this.executing.push({ opId: e.opId, toolCall: e.toolCall, started: false });
          break;
        case 'RequestCompaction':
          this.compacting.push(e.opId);
          break;
        case 'GenerateSessionTitle':
          this.titleRequests++;
          break;
        default:
          break;
      }
    }
  }

  /** Reduces one action; an `InvalidActionError` must leave the state untouched. */
  dispatch(action: Action): void {
    if ('opId' in action && typeof action.opId === 'string' && !this.seenOps.includes(action.opId)) {
      this.seenOps.push(action.opId);
    }
    const before = JSON.stringify(durableView(this.state));
    const opBefore = JSON.stringify(currentOpView(this.state));
    try {
      const r = reduce(this.state, action, this.deps);
      this.log.push(...r.events);
      this.absorb(r.effects);
    } catch (e) {
      if (!(e instanceof InvalidActionError)) throw e;
      const after = JSON.stringify(durableView(this.state));
      if (after !== before || JSON.stringify(currentOpView(this.state)) !== opBefore) {
        this.errors.push(`${action.type} threw ${e.kind} but changed state`);
      }
    }
  }

  private assistantContent(s: Step): AssistantContent[] {
    const shape = s.b % 6;
    if (shape === 0 || shape === 1) return [{ type: 'text', text: `reply ${s.a}` }];
    const count = 1 + (s.c % 3);
    const calls: AssistantContent[] = [];
    for (let i = 0; i < count; i++) {
      const v = (s.a + i * 7 + s.c) % 9;
      // occasionally reuse an earlier id (providers may, §11.31)
      const id = v === 8 && this.n > 3 ? `tc-${1 + (s.a % this.n)}` : this.id('tc-');
      const toolCall: ToolCall =
        v === 0 || v === 1
          ? { id, name: 'read_file', parameters: { file_path: `f${s.a % 3}` } }
          : v === 2 || v === 3 || v === 8
            ? {
                id,
                name: 'bash',
                parameters: { command: pick(['ls -la', 'git status', 'rm -rf x'], s.a + i) },
              }
            : v === 4
              ? { id, name: 'write_file', parameters: { file_path: 'x' } }
              : v === 5
                ? { id, name: 'read_file', parameters: {} } // invalid params
                : v === 6
                  ? { id, name: 'no_such_tool', parameters: {} }
                  : { id, name: 'grep', parameters: { pattern: 'p' } };
      calls.push({ type: 'tool_call', toolCall });
    }
    if (shape === 2) return [{ type: 'thought', thought: { type: 'simple', text: 'hmm' } }, ...calls];
    return [{ type: 'text', text: `using tools ${s.a}` }, ...calls];
  }

  private takeAwaiting(s: Step): string | undefined {
    // mostly the current op, sometimes a late one
    const current = this.state.currentOperation?.opId;
    const preferCurrent = s.c % 5 !== 0 && current !== undefined && this.awaitingModel.includes(current);
    const opId = preferCurrent ? current : pick(this.awaitingModel, s.a);
    if (opId !== undefined) this.awaitingModel = this.awaitingModel.filter((o) => o !== opId);
    return opId;
  }

  step(s: Step): void {
    switch (s.kind) {
      case 'userInput': {
        const opId = this.id('op-');
        const variant = s.b % 5;
        const content: UserContent[] =
          variant === 0
            ? [{ type: 'text', text: '   ' }]
            : variant === 1
              ? [IMAGE]
              : variant === 2
                ? [{ type: 'text', text: `look ${s.a}` }, IMAGE]
                : [{ type: 'text', text: `question ${s.a}` }];
        this.dispatch({
          type: 'UserInput',
          sessionId: SID,
          content,
          opId,
          messageId: this.id('u-'),
          model: pick(MODELS, s.c) as ModelId,
          timestamp: 1000 + this.n,
        });
        return;
      }
      case 'directBash':
        this.dispatch({
          type: 'DirectBashCommand',
          sessionId: SID,
          opId: this.id('op-'),
          messageId: this.id('u-'),
          command: pick(['ls', 'pwd', 'false'], s.a) as string,
          timestamp: 1000 + this.n,
        });
        return;
      case 'modelReply': {
        const opId = this.takeAwaiting(s);
        if (opId === undefined) return;
        const usageLevel = s.c % 4;
        const total = usageLevel === 0 ? undefined : usageLevel === 3 ? 95_000 : 1_000 * (1 + (s.a % 50));
        this.dispatch({
          type: 'ModelResponseComplete',
          sessionId: SID,
          opId,
          messageId: this.id('a-'),
          content: this.assistantContent(s),
          ...(total === undefined
            ? {}
            : {
                usage: { inputTokens: total - 10, outputTokens: 10, totalTokens: total },
                contextWindowTokens: 100_000,
                configuredMaxOutputTokens: s.b % 2 === 0 ? 10_000 : undefined,
              }),
          timestamp: 2000 + this.n,
        });
        return;
      }
      case 'modelError': {
        const opId = this.takeAwaiting(s);
        if (opId === undefined) return;
        const error = pick(['rate limited', 'context_length_exceeded', 'server error'], s.b) as string;
        this.dispatch({ type: 'ModelResponseError', sessionId: SID, opId, error });
        return;
      }
      case 'startTool': {
        const ex = pick(
          this.executing.filter((e) => !e.started),
          s.a,
        );
        if (ex === undefined) return;
        ex.started = true;
        this.dispatch({
          type: 'ToolExecutionStarted',
          sessionId: SID,
          opId: ex.opId,
          toolCallId: ex.toolCall.id,
          toolName: ex.toolCall.name,
          toolParameters: ex.toolCall.parameters,
        });
        return;
      }
      case 'finishTool': {
        const ex = pick(this.executing, s.a);
        if (ex === undefined) return;
        this.executing = this.executing.filter((e) => e !== ex);
        if (!ex.started) {
          this.dispatch({
            type: 'ToolExecutionStarted',
            sessionId: SID,
            opId: ex.opId,
            toolCallId: ex.toolCall.id,
            toolName: ex.toolCall.name,
            toolParameters: ex.toolCall.parameters,
          });
        }
        const v = s.b % 5;
        const result: ToolOutcome =
          v === 0
            ? { ok: false, error: { type: 'Execution', toolName: ex.toolCall.name, message: 'failed' } }
            : v === 1
              ? {
                  ok: true,
                  value: {
                    type: 'Bash',
                    command: 'ls',
                    stdout: 'a\nb',
                    stderr: '',
                    exitCode: 0,
                    timedOut: false,
                  },
                }
              : v === 2
                ? {
                    ok: true,
                    value: { type: 'External', toolName: ex.toolCall.name, payload: 'x'.repeat(60_000) },
                  }
                : {
                    ok: true,
                    value: { type: 'External', toolName: ex.toolCall.name, payload: `out ${s.c}` },
                  };
        this.dispatch({
          type: 'ToolResult',
          sessionId: SID,
          opId: ex.opId,
          toolCallId: ex.toolCall.id,
          toolName: ex.toolCall.name,
          result,
        });
        return;
      }
      case 'approve': {
        const pending = this.state.pendingApproval;
        const requestId = pending === undefined || s.c % 10 === 0 ? 'stale-request' : pending.requestId;
        const memories: Array<ApprovalMemory | undefined> = [
          undefined,
          undefined,
          { type: 'PendingTool' },
          { type: 'Tool', toolName: 'bash' },
          { type: 'BashPattern', pattern: 'git *' },
        ];
        const remember = pick(memories, s.b);
        const decision = s.a % 3 === 0 ? 'Denied' : 'Approved';
        this.dispatch(
          remember === undefined
            ? { type: 'ToolApprovalDecided', sessionId: SID, requestId, decision }
            : { type: 'ToolApprovalDecided', sessionId: SID, requestId, decision, remember },
        );
        return;
      }
      case 'requestApproval':
        // spec §3.3.3: also directly dispatchable — plausibly only within an agent loop or with no operation
        // (tool calls issued inside a compaction or a direct-bash op are not something any client does)
        if (
          this.state.currentOperation !== undefined &&
          this.state.currentOperation.kind.type !== 'AgentLoop'
        )
          return;
        this.dispatch({
          type: 'ToolApprovalRequested',
          sessionId: SID,
          requestId: this.id('req-'),
          toolCall: {
            id: this.id('tc-'),
            name: pick(['bash', 'write_file', 'read_file'], s.a) as string,
            parameters: { command: 'ls', file_path: 'x' },
          },
        });
        return;
      case 'cancel': {
        const v = s.a % 3;
        const opId =
          v === 0 ? undefined : v === 1 ? this.state.currentOperation?.opId : pick(this.seenOps, s.b);
        this.dispatch(
          opId === undefined ? { type: 'Cancel', sessionId: SID } : { type: 'Cancel', sessionId: SID, opId },
        );
        return;
      }
      case 'dequeue':
        this.dispatch({ type: 'DequeueQueuedItem', sessionId: SID });
        return;
      case 'drain':
        this.dispatch({ type: 'DrainQueuedWork', sessionId: SID });
        return;
      case 'switchAgent':
        this.dispatch({
          type: 'SwitchPrimaryAgent',
          sessionId: SID,
          agentId: pick(['normal', 'plan', 'yolo', 'bogus'], s.a) as string,
        });
        return;
      case 'requestCompaction':
        this.dispatch({
          type: 'RequestCompaction',
          sessionId: SID,
          opId: this.id('op-'),
          model: pick(MODELS, s.a) as ModelId,
        });
        return;
      case 'compactionOutcome': {
        const current = this.state.currentOperation?.opId;
        const opId =
          s.c % 4 !== 0 && current !== undefined && this.compacting.includes(current)
            ? current
            : pick(this.compacting, s.a);
        if (opId === undefined) return;
        this.compacting = this.compacting.filter((o) => o !== opId);
        if (s.b % 3 === 0) {
          this.dispatch({ type: 'CompactionFailed', sessionId: SID, opId, error: 'compaction failed' });
        } else {
          const head = this.state.messageGraph.activeMessageId;
          this.dispatch({
            type: 'CompactionComplete',
            sessionId: SID,
            opId,
            compactionId: this.id('c-'),
            summaryMessageId: this.id('sum-'),
            summary: `summary ${s.a}`,
            compactedHeadMessageId: head ?? 'none',
            ...(head === undefined ? {} : { previousActiveMessageId: head }),
            model: 'claude-sonnet-4-5',
            timestamp: 3000 + this.n,
          });
        }
        return;
      }
      case 'title':
        if (this.titleRequests === 0) return;
        this.titleRequests--;
        this.dispatch(
          s.a % 4 === 0
            ? { type: 'SessionTitleGenerationFailed', sessionId: SID, error: 'no title' }
            : { type: 'SessionTitleGenerated', sessionId: SID, title: ` Title   ${s.b} ` },
        );
        return;
      case 'edit': {
        const messages = this.state.messageGraph.messages;
        const target = pick(messages, s.a)?.id ?? 'unknown';
        this.dispatch({
          type: 'UserEditedMessage',
          sessionId: SID,
          messageId: target,
          newContent: [{ type: 'text', text: `edited ${s.b}` }],
          opId: this.id('op-'),
          newMessageId: this.id('u-'),
          model: pick(MODELS, s.c) as ModelId,
          timestamp: 4000 + this.n,
        });
        return;
      }
      case 'reloadTools': {
        const visibility = this.state.sessionConfig?.toolConfig.visibility ?? { type: 'All' as const };
        this.dispatch({
          type: 'ToolSchemasUpdated',
          sessionId: SID,
          schemas: filterToolsByVisibility(visibility, HARNESS_TOOLS),
          source: { type: 'Backend', backendName: 'tool_executor' },
        });
        return;
      }
      case 'mcp':
        this.dispatch({
          type: 'McpServerStateChanged',
          sessionId: SID,
          serverName: 'alpha',
          state:
            s.a % 2 === 0
              ? { type: 'Connected', tools: [schema('mcp__alpha__search')] }
              : { type: 'Disconnected', error: 'gone' },
        });
        return;
      case 'suspend': {
        // deliberate change 10: suspend cancels the running work; the actor is gone afterwards
        const r = cancelForSuspend(this.state, this.deps);
        this.log.push(...r.events);
        this.restart();
        return;
      }
      case 'restart':
        // the process stops (in-flight work is lost) and the session resumes from its log
        this.restart();
        return;
    }
  }

  /** Resume as the runtime does: replay, close the interrupted op, re-resolve config, reload tools. */
  restart(): void {
    const state = createAppState(SID);
    replayEvents(state, this.fullLog());
    const recovery = recoverInterruptedOperation(state, this.deps);
    this.log.push(...recovery.events);
    const config = state.sessionConfig;
    if (config !== undefined) prepareResumedState(state, { config: resolveEffectiveConfig(config) });
    this.state = state;
    this.awaitingModel = [];
    this.executing = [];
    this.compacting = [];
    this.titleRequests = 0;
    const visibility = config?.toolConfig.visibility ?? { type: 'All' as const };
    this.dispatch({
      type: 'ToolSchemasAvailable',
      sessionId: SID,
      tools: filterToolsByVisibility(visibility, HARNESS_TOOLS),
    });
    if (state.queuedWork.length > 0) this.dispatch({ type: 'DrainQueuedWork', sessionId: SID });
  }

  run(steps: readonly Step[]): this {
    for (const s of steps) this.step(s);
    return this;
  }
}

/**
 * What replay must rebuild, as plain JSON: messages (ids, order, content), active id and thread,
 * compaction summaries, approvals, queue (exactly), usage, cancelled ops (in order), config, title, agent,
 * MCP states and the open (interrupted) operation. `eventSequence` is left out (live reduce never advances it).
 */
export function durableView(state: AppState): unknown {
  const { eventSequence: _seq, ...rest } = stateToDurable(state);
  return JSON.parse(
    JSON.stringify({
      ...rest,
      activeThread: state.messageGraph.getActiveThread().map((m) => m.id),
      totals: state.llmUsageTotals,
    }),
  );
}

/** The live-only operation bookkeeping (never restored by replay). */
export function currentOpView(state: AppState): unknown {
  const op = state.currentOperation;
  return {
    op: op === undefined ? null : { opId: op.opId, kind: op.kind, pending: [...op.pendingToolCalls] },
    pendingApproval: state.pendingApproval ?? null,
    approvalQueue: state.approvalQueue,
    operationModels: [...state.operationModels],
  };
}

/** Replays `events` onto a fresh state. */
export function replay(events: readonly SessionEvent[]): AppState {
  const s = createAppState(SID);
  replayEvents(s, events);
  return s;
}
