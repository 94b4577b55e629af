import { mkdir } from 'node:fs/promises';
import {
  type Action,
  type AssistantContent,
  COMPACTION_PROMPT,
  dropEarlierToolResults,
  type Effect,
  type EffectOf,
  FALLBACK_TITLE,
  isContextWindowExceededError,
  type Message,
  type ReducerDeps,
  type SessionEvent,
  type StreamDelta,
  type ToolOutcome,
  type ToolSchema,
  type ToolVisibility,
  titlePrompt,
} from '@shoal/shared';
import type { SessionActor } from '../actor/session-actor.js';
import {
  boundedToolOutcome,
  DEFAULT_PAYLOAD_LIMITS,
  modelReplyProblem,
  type PayloadLimits,
  textProblem,
} from '../limits/payload-limits.js';
import { ModelCallError } from '../providers/model-call-error.js';
import type { ModelResponse, ProviderDelta } from '../providers/model-provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ToolExecutor } from '../tools/tool-executor.js';
import type { DeltaSink } from './delta-sink.js';

export interface InterpreterEnv {
  readonly providers: ProviderRegistry;
  readonly tools: ToolExecutor;
  readonly deps: ReducerDeps;
  /** tool schemas visible under a visibility, shared by every session with that visibility */
  visibleTools(visibility: ToolVisibility | undefined): ToolSchema[];
  readonly deltas: DeltaSink;
  /** caps on model replies and tool results; default DEFAULT_PAYLOAD_LIMITS */
  readonly limits?: PayloadLimits;
}

/**
 * Runs the effects of one session (spec §5). Effects start work and return at once; results come back to
 * the actor as internal actions carrying the op id that issued them (deliberate change 4). Every piece of
 * work of one operation shares one `AbortController` (spec §5.0); cancelling the op aborts all of it.
 */
/**
 * The work of one operation: its `AbortController` (spec §5.0: every piece of work of one op shares it) and how
 * many pieces of work started under it have not settled yet. `opId` is cleared when the op is forgotten
 * (completed, cancelled); the entry stays while work started under it still runs (a late title), so
 * `abortAll` reaches it.
 */
interface OpWork {
  opId: string | undefined;
  readonly ctrl: AbortController;
  running: number;
}

/**
 * Runs the effects of one session (spec §5). Effects start work and return at once; results come back to
 * the actor as internal actions carrying the op id that issued them (deliberate change 4). Every piece of
 * work of one operation shares one `AbortController` (spec §5.0); cancelling the op aborts all of it.
 */
export class EffectInterpreter {
  /**
   * Operations with a controller or with work in flight; usually none or one, so a small array searched
   * linearly (not Maps: an idle session should cost as little memory as possible, and a turn should not
   * allocate and drop hash tables). Dropped again once empty.
   */
  private work: OpWork[] | undefined;
  private workspaceReady: Promise<void> | undefined;

  constructor(
    private readonly actor: SessionActor,
    private readonly env: InterpreterEnv,
  ) {}

  private get sessionId(): string {
    return this.actor.sessionId;
  }

  /** spec §7.3 startup step 1 */
  initialToolSchemasAction(): Action {
    return { type: 'ToolSchemasAvailable', sessionId: this.sessionId, tools: this.visibleTools() };
  }

  run(effect: Effect): void {
    switch (effect.type) {
      case 'CallModel':
        this.callModel(effect);
        return;
      case 'ExecuteTool':
        this.executeTool(effect);
        return;
      case 'RequestUserApproval':
        // Deliberate change 1: the reducer already emitted `ApprovalRequested` once; a client decides.
        return;
      case 'GenerateSessionTitle':
        this.generateTitle(effect);
        return;
      case 'CancelOperation':
        this.forget(effect.opId, true);
        return;
      case 'RequestCompaction':
        this.compact(effect);
        return;
      case 'ReloadToolSchemas':
        this.actor.post({
          type: 'ToolSchemasUpdated',
          sessionId: this.sessionId,
          schemas: this.visibleTools(),
          source: { type: 'Backend', backendName: 'tool_executor' },
        });
        return;
      case 'ConnectMcpServer':
      case 'DisconnectMcpServer':
        // MCP is out of scope (domain-spec, "What Shoal takes"); the effect is recorded in the log only.
        this.actor.logger.warn({ effect: effect.type }, 'MCP servers are not supported; effect ignored');
        return;
    }
  }

  /**
   * Forget controllers of finished operations so the map does not grow for ever (fixes spec §11.17). A
   * cancelled operation's work is aborted here, because its events are appended before the
   * `CancelOperation` effect runs; a completed one keeps running work (a late title) untouched.
   */
  observeEvents(events: SessionEvent[]): void {
    for (const e of events) {
      if (e.type === 'OperationCancelled') this.forget(e.opId, true);
      else if (e.type === 'OperationCompleted') this.forget(e.opId, false);
    }
  }

  /**
   * Abort everything still running, including work that outlived its operation (a slow title request
   * after the turn completed), for shutdown, suspend and delete (spec §5.0, §7.5).
   */
  abortAll(): void {
    const work = this.work;
    if (work === undefined) return;
    for (const w of work) {
      w.ctrl.abort();
      w.opId = undefined; // forgotten: a later effect of the same op gets a fresh controller
    }
    this.work = work.some((w) => w.running > 0) ? work.filter((w) => w.running > 0) : undefined;
  }

  /** true while a model call, tool or compaction started by this session has not settled */
  get hasWorkInFlight(): boolean {
    return this.work?.some((w) => w.running > 0) ?? false;
  }

  /**
   * Counts `work` as in flight under `w` until it settles, so `abortAll` can reach work of finished operations
   * too; `then` runs after that bookkeeping, with the outcome.
   */
  private track<T>(
    w: OpWork,
    work: Promise<T>,
    onFulfilled: (value: T) => void,
    onRejected: (err: unknown) => void,
  ): void {
    w.running++;
    work.then(
      (value) => {
        this.settled(w);
        onFulfilled(value);
      },
      (err: unknown) => {
        this.settled(w);
        onRejected(err);
      },
    );
  }

  private settled(w: OpWork): void {
    w.running--;
    if (w.running === 0 && w.opId === undefined) this.retire(w);
  }

  /** The entry is forgotten and nothing runs under it: drop it. */
  private retire(w: OpWork): void {
    const work = this.work;
    if (work === undefined) return;
    const i = work.indexOf(w);
    if (i < 0) return;
    if (work.length === 1) this.work = undefined;
    else work.splice(i, 1);
  }

  private get limits(): PayloadLimits {
    return this.env.limits ?? DEFAULT_PAYLOAD_LIMITS;
  }

  /** The entry's signal, for work started under it. */
  private signalOf(w: OpWork): AbortSignal {
    return w.ctrl.signal;
  }

  private find(opId: string): OpWork | undefined {
    const work = this.work;
    if (work === undefined) return undefined;
    for (const w of work) if (w.opId === opId) return w;
    return undefined;
  }

  /** Forgets the op (if known), aborting its work if asked; its entry goes once no work runs under it. */
  private forget(opId: string, abort: boolean): void {
    const w = this.find(opId);
    if (w === undefined) return;
    w.opId = undefined;
    if (abort) w.ctrl.abort();
    if (w.running === 0) this.retire(w);
  }

  /** The op's entry, made on first use. */
  private workFor(opId: string): OpWork {
    let w = this.find(opId);
    if (w === undefined) {
      w = { opId, ctrl: new AbortController(), running: 0 };
      if (this.work === undefined) this.work = [w];
      else this.work.push(w);
    }
    return w;
  }

  private visibleTools(): ToolSchema[] {
    return this.env.visibleTools(this.actor.appState.sessionConfig?.toolConfig.visibility);
  }

  private workspacePath(): string {
    const ws = this.actor.appState.sessionConfig?.workspace;
    if (ws?.type !== 'local') throw new Error('session has no local workspace');
    return ws.path;
  }

  /** spec §5.1 */
  private callModel(effect: EffectOf<'CallModel'>): void {
    const { opId, model } = effect;
    const sessionId = this.sessionId;
    const w = this.workFor(opId);
    const messageId = this.env.deps.newId();
    const deltas = this.env.deltas;
    const onDelta = (d: ProviderDelta): void => {
      if (!deltas.wants(sessionId)) return;
      deltas.push(sessionId, toStreamDelta(d, opId, messageId));
    };
    let contextWindowTokens: number | undefined;
    let configuredMaxOutputTokens: number | undefined;
    // Synchronous up to the provider's promise (no async wrapper: one promise and frame less per turn); a
    // provider that is not configured, or that throws, fails the call the same way a rejection does.
    let response: Promise<ModelResponse>;
    try {
      const provider = this.env.providers.get(model.provider);
      const info = provider.modelInfo(model.id);
      contextWindowTokens = info.contextWindowTokens;
      configuredMaxOutputTokens = info.maxOutputTokens;
      response = provider.complete(
        {
          model,
          messages: effect.messages,
          systemContext: effect.systemContext,
          tools: effect.tools,
          signal: this.signalOf(w),
          purpose: 'turn',
        },
        onDelta,
      );
    } catch (err) {
      response = Promise.reject(err);
    }
    this.track(
      w,
      response,
      (r) => {
        deltas.flush(sessionId);
        // A reply that is over the caps, or not plain bounded data, ends the turn as a model error.
        const problem = modelReplyProblem(r.content, this.limits.maxMessageBytes);
        if (problem !== undefined) {
          const error = ModelCallError.streamFailed(problem, 'response_parsing_error').message;
          this.actor.post({ type: 'ModelResponseError', sessionId, opId, error });
          return;
        }
        this.actor.post({
          type: 'ModelResponseComplete',
          sessionId,
          opId,
          messageId,
          content: r.content,
          usage: r.usage,
          contextWindowTokens,
          configuredMaxOutputTokens,
          timestamp: this.env.deps.now(),
        });
      },
      (err) => {
        deltas.flush(sessionId);
        this.actor.post({ type: 'ModelResponseError', sessionId, opId, error: errorText(err) });
      },
    );
  }

  /** spec §5.2 */
  private executeTool(effect: EffectOf<'ExecuteTool'>): void {
    const { opId, toolCall } = effect;
    const sessionId = this.sessionId;
    const w = this.workFor(opId);
    this.actor.post({
      type: 'ToolExecutionStarted',
      sessionId,
      opId,
      toolCallId: toolCall.id,
      toolName: toolCall.name,
      toolParameters: toolCall.parameters,
    });
    const run = async () => {
      const workspace = this.workspacePath();
      this.workspaceReady ??= mkdir(workspace, { recursive: true }).then(() => undefined);
      await this.workspaceReady;
      return this.env.tools.execute(toolCall, { workspace, signal: this.signalOf(w) });
    };
    const post = (result: ToolOutcome) =>
      this.actor.post({
        type: 'ToolResult',
        sessionId,
        opId,
        toolCallId: toolCall.id,
        toolName: toolCall.name,
        result: boundedToolOutcome(result, toolCall.name, this.limits.maxToolOutputBytes),
      });
    this.track(w, run(), post, (err) => {
      this.workspaceReady = undefined;
      post({ ok: false, error: { type: 'InternalError', message: errorText(err) } });
    });
  }

  /** spec §5.3: no deltas, no tools, shares the op's cancellation. */
  private generateTitle(effect: EffectOf<'GenerateSessionTitle'>): void {
    const sessionId = this.sessionId;
    const w = this.workFor(effect.opId);
    const systemContext = this.actor.appState.cachedSystemContext;
    const prompt: Message = {
      role: 'user',
      id: this.env.deps.newId(),
      parentMessageId: null,
      timestamp: this.env.deps.now(),
      content: [{ type: 'text', text: titlePrompt(effect.userPrompt) }],
    };
    const call = async () =>
      this.env.providers.get(effect.model.provider).complete({
        model: effect.model,
        messages: [prompt],
        systemContext,
        tools: [],
        signal: this.signalOf(w),
        purpose: 'title',
      });
    this.track(
      w,
      call(),
      (response) => {
        const text = firstText(response.content)?.trim();
        const problem = text === undefined ? undefined : textProblem(text, this.limits.maxMessageBytes);
        if (problem !== undefined) {
          this.actor.post({ type: 'SessionTitleGenerationFailed', sessionId, error: problem });
          return;
        }
        this.actor.post({ type: 'SessionTitleGenerated', sessionId, title: text ? text : FALLBACK_TITLE });
      },
      (err) => this.actor.post({ type: 'SessionTitleGenerationFailed', sessionId, error: errorText(err) }),
    );
  }

  /** spec §5.5: compaction, retrying after dropping earlier tool results while the context overflows. */
  private compact(effect: EffectOf<'RequestCompaction'>): void {
    const { opId, model } = effect;
    const sessionId = this.sessionId;
    const deps = this.env.deps;
    const w = this.workFor(opId);
    const signal = this.signalOf(w);
    const state = this.actor.appState;
    let messages = state.messageGraph.getActiveThread();
    const activeId = state.messageGraph.activeMessageId;
    const compactedHead = activeId ?? deps.newId();
    const systemContext = state.cachedSystemContext;
    const prompt: Message = {
      role: 'user',
      id: deps.newId(),
      parentMessageId: null,
      timestamp: deps.now(),
      content: [{ type: 'text', text: COMPACTION_PROMPT }],
    };
    let droppedTotal = 0;
    const run = async (): Promise<string> => {
      const provider = this.env.providers.get(model.provider);
      for (;;) {
        try {
          const response = await provider.complete({
            model,
            messages: [...messages, prompt],
            systemContext,
            tools: [],
            signal,
            purpose: 'compaction',
          });
          const summary = response.content
            .filter((c): c is Extract<AssistantContent, { type: 'text' }> => c.type === 'text')
            .map((c) => c.text)
            .join('\n');
          const problem = textProblem(summary, this.limits.maxMessageBytes);
          if (problem !== undefined) throw ModelCallError.streamFailed(problem, 'response_parsing_error');
          return summary;
        } catch (err) {
          if (signal.aborted || !isContextWindowExceededError(errorText(err))) throw err;
          const pruned = dropEarlierToolResults(messages);
          if (pruned.dropped === 0) throw err;
          droppedTotal += pruned.dropped;
          messages = pruned.messages;
        }
      }
    };
    this.track(
      w,
      run(),
      (summary) =>
        this.actor.post({
          type: 'CompactionComplete',
          sessionId,
          opId,
          compactionId: deps.newId(),
          summaryMessageId: deps.newId(),
          summary,
          compactedHeadMessageId: compactedHead,
          previousActiveMessageId: activeId ?? undefined,
          model: model.id,
          timestamp: deps.now(),
        }),
      (err) => {
        const suffix =
          droppedTotal > 0 ? ` (compaction retried after dropping ${droppedTotal} earlier tool results)` : '';
        this.actor.post({ type: 'CompactionFailed', sessionId, opId, error: errorText(err) + suffix });
      },
    );
  }
}

function toStreamDelta(d: ProviderDelta, opId: string, messageId: string): StreamDelta {
  switch (d.type) {
    case 'text':
      return { type: 'TextChunk', opId, messageId, delta: d.delta };
    case 'thinking':
      return { type: 'ThinkingChunk', opId, messageId, delta: d.delta };
    case 'tool_call_args':
      return {
        type: 'ToolCallChunk',
        opId,
        messageId,
        toolCallId: d.toolCallId,
        delta: { type: 'ArgumentChunk', chunk: d.delta },
      };
    case 'reset':
      return { type: 'Reset', opId, messageId };
  }
}

function firstText(content: AssistantContent[]): string | undefined {
  for (const c of content) if (c.type === 'text') return c.text;
  return undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
