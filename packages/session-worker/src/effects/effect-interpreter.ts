import { mkdir } from 'node:fs/promises';
import {
  type Action,
  type AssistantContent,
  COMPACTION_PROMPT,
  type Effect,
  type EffectOf,
  FALLBACK_TITLE,
  type Message,
  type ReducerDeps,
  type SessionEvent,
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
import { requestSummary } from './compaction-summary.js';
import { type DeltaSink, toStreamDelta } from './delta-sink.js';
import { errorText } from './error-text.js';
import { OperationWork } from './operation-work.js';

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
 * work of one operation shares one `AbortController` (spec §5.0, `OperationWork`); cancelling the op aborts
 * all of it.
 */
export class EffectInterpreter {
  private readonly ops = new OperationWork();
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
        this.ops.forget(effect.opId, true);
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
      if (e.type === 'OperationCancelled') this.ops.forget(e.opId, true);
      else if (e.type === 'OperationCompleted') this.ops.forget(e.opId, false);
    }
  }

  /** Aborts everything still running, for shutdown, suspend and delete (spec §5.0, §7.5). */
  abortAll(): void {
    this.ops.abortAll();
  }

  private get limits(): PayloadLimits {
    return this.env.limits ?? DEFAULT_PAYLOAD_LIMITS;
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
    const w = this.ops.for(opId);
    const messageId = this.env.deps.newId();
    const deltas = this.env.deltas;
    const onDelta = (d: ProviderDelta): void => {
      if (!deltas.wants(sessionId)) return;
      deltas.push(sessionId, toStreamDelta(d, opId, messageId));
    };
    let contextWindowTokens: number | undefined;
    let configuredMaxOutputTokens: number | undefined;
    const call = async (): Promise<ModelResponse> => {
      const provider = this.env.providers.get(model.provider);
      const info = provider.modelInfo(model.id);
      contextWindowTokens = info.contextWindowTokens;
      configuredMaxOutputTokens = info.maxOutputTokens;
      const request = {
        model,
        messages: effect.messages,
        systemContext: effect.systemContext,
        tools: effect.tools,
        // Read on demand: Node makes a controller's signal when it is first read (an EventTarget, a few µs),
        // and a model that answers without waiting never reads it.
        get signal() {
          return w.ctrl.signal;
        },
        purpose: 'turn' as const,
      };
      return provider.complete(request, onDelta);
    };
    this.ops.track(
      w,
      call(),
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
    const w = this.ops.for(opId);
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
      return this.env.tools.execute(toolCall, { workspace, signal: w.ctrl.signal });
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
    this.ops.track(w, run(), post, (err) => {
      this.workspaceReady = undefined;
      post({ ok: false, error: { type: 'InternalError', message: errorText(err) } });
    });
  }

  /** spec §5.3: no deltas, no tools, shares the op's cancellation. */
  private generateTitle(effect: EffectOf<'GenerateSessionTitle'>): void {
    const sessionId = this.sessionId;
    const w = this.ops.for(effect.opId);
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
        signal: w.ctrl.signal,
        purpose: 'title',
      });
    this.ops.track(
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
    const w = this.ops.for(opId);
    const state = this.actor.appState;
    const activeId = state.messageGraph.activeMessageId;
    const compactedHead = activeId ?? deps.newId();
    const prompt: Message = {
      role: 'user',
      id: deps.newId(),
      parentMessageId: null,
      timestamp: deps.now(),
      content: [{ type: 'text', text: COMPACTION_PROMPT }],
    };
    const progress = { dropped: 0 };
    const run = async (): Promise<string> =>
      requestSummary(
        this.env.providers.get(model.provider),
        {
          model,
          messages: state.messageGraph.getActiveThread(),
          prompt,
          systemContext: state.cachedSystemContext,
          signal: w.ctrl.signal,
          maxBytes: this.limits.maxMessageBytes,
        },
        progress,
      );
    this.ops.track(
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
          progress.dropped > 0
            ? ` (compaction retried after dropping ${progress.dropped} earlier tool results)`
            : '';
        this.actor.post({ type: 'CompactionFailed', sessionId, opId, error: errorText(err) + suffix });
      },
    );
  }
}

function firstText(content: AssistantContent[]): string | undefined {
  for (const c of content) if (c.type === 'text') return c.text;
  return undefined;
}
