// spec §10.1: reducer unit tests (scenario names kept for traceability).
import { describe, expect, it } from 'vitest';
import { CONTINUATION_PROMPT } from '../compaction/prompts.js';
import { applyEvent } from '../replay/apply-event.js';
import { READ_ONLY_TOOLS } from '../schemas/config.js';
import type { ToolMessage } from '../schemas/message.js';
import { applySessionConfig } from '../state/app-state.js';
import { addPendingToolCall, startOperation } from '../state/operations.js';
import { arrayWith, mapWith, setWith } from '../state/shared-collections.js';
import { recordLlmUsage } from '../state/usage.js';
import { sanitizeTitle } from '../title.js';
import { deriveContextWindowUsage } from '../usage/token-usage.js';
import { decideTool } from './admission.js';
import { maybeAutoCompact } from './auto-compaction.js';
import { createCtx } from './context.js';
import { sequentialDeps } from './deps.js';
import { reduce } from './reduce.js';
import {
  approvalRequested,
  atext,
  autoCompactState,
  call,
  callBlock,
  cancel,
  DISPATCH_AGENT_SCHEMA,
  Driver,
  decided,
  effectsOf,
  effectTypes,
  eventsOf,
  eventTypes,
  external,
  freshState,
  ids,
  makeConfig,
  response,
  SID,
  SONNET,
  schema,
  stateWithConfig,
  texts,
  toolResult,
  userInput,
  withLoopOp,
} from './test-support/fixtures.js';

const deps = () => sequentialDeps('gen-');
const toolMessages = (d: Driver) =>
  d.state.messageGraph.messages.filter((m): m is ToolMessage => m.role === 'tool');

describe('§10.1 user input and titles', () => {
  it('user_input_starts_operation_and_requests_session_title', () => {
    const d = new Driver(freshState());
    const r = d.run(userInput('Hello', 'op-1'));
    expect(d.state.messageGraph.size).toBe(1);
    expect(d.state.currentOperation?.opId).toBe('op-1');
    expect(effectsOf(r, 'CallModel')).toHaveLength(1);
    const title = effectsOf(r, 'GenerateSessionTitle');
    expect(title).toHaveLength(1);
    expect(title[0]?.opId).toBe('op-1');
    expect(title[0]?.userPrompt).toBe('Hello');
  });

  it('user_input_with_image_requests_session_title', () => {
    const d = new Driver(freshState());
    const r = d.run(
      userInput(
        [
          {
            type: 'image',
            image: { mimeType: 'image/png', source: { type: 'url', url: 'https://x/y.png' } },
          },
        ],
        'op-1',
      ),
    );
    const title = effectsOf(r, 'GenerateSessionTitle');
    expect(title).toHaveLength(1);
    expect(title[0]?.opId).toBe('op-1');
    expect(title[0]?.userPrompt).toContain('Image (image/png)');
  });

  it('user_input_retries_session_title_after_non_text_first_message', () => {
    const d = new Driver(freshState());
    const first = d.run(userInput('   \n\t ', 'op-1'));
    expect(effectsOf(first, 'GenerateSessionTitle')).toHaveLength(0);
    d.run(cancel());
    const second = d.run(userInput('real title seed', 'op-2'));
    expect(effectsOf(second, 'GenerateSessionTitle').map((e) => e.userPrompt)).toEqual(['real title seed']);
  });

  it('sanitize_session_title_handles_unicode_without_panicking', () => {
    const out = sanitizeTitle('😀'.repeat(100));
    expect([...out]).toHaveLength(80);
    expect(out).toBe('😀'.repeat(80));
  });

  it('session_title_generation_failure_logs_without_effects', () => {
    const state = freshState();
    const r = reduce(
      state,
      {
        type: 'SessionTitleGenerationFailed',
        sessionId: SID,
        error: 'Failed to start model stream (cancelled): request cancelled',
      },
      deps(),
    );
    expect(r).toEqual({ events: [], effects: [] });
    expect(state).toEqual(freshState());
  });
});

describe('§10.1 primary agents', () => {
  it('switch_primary_agent_updates_visibility', () => {
    const state = stateWithConfig();
    const r = reduce(state, { type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'plan' }, deps());
    const visibility = state.sessionConfig?.toolConfig.visibility;
    expect(visibility?.type).toBe('Whitelist');
    const names = visibility?.type === 'Whitelist' ? [...visibility.tools].sort() : [];
    expect(names).toEqual([...READ_ONLY_TOOLS, 'dispatch_agent'].sort());
    expect(names).toHaveLength(8);
    expect(state.primaryAgentId).toBe('plan');
    expect(eventTypes(r)).toContain('SessionConfigUpdated');
    expect(effectTypes(r)).toContain('ReloadToolSchemas');
  });

  it('switch_primary_agent_yolo_auto_approves', () => {
    const state = stateWithConfig();
    reduce(state, { type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'yolo' }, deps());
    expect(state.sessionConfig?.toolConfig.approvalPolicy.defaultBehavior).toBe('allow');
    expect(decideTool(state, call('c1', 'bash', { command: 'rm -rf /tmp/x' }))).toBe('Allow');
  });

  it('dispatch_agent_resume_is_auto_approved', () => {
    const state = stateWithConfig();
    const resume = call('d1', 'dispatch_agent', {
      prompt: 'go',
      target: { session: 'resume', session_id: 'abc' },
    });
    expect(decideTool(state, resume)).toBe('Allow');
    const newExplore = call('d2', 'dispatch_agent', {
      prompt: 'go',
      target: { session: 'new', workspace: {} },
    });
    expect(decideTool(state, newExplore)).toBe('Allow');
    const newBuild = call('d3', 'dispatch_agent', {
      prompt: 'go',
      target: { session: 'new', workspace: {}, agent: 'build' },
    });
    expect(decideTool(state, newBuild)).toBe('Ask');
  });

  it('switch_primary_agent_restores_base_prompt', () => {
    const state = stateWithConfig(makeConfig({ systemPrompt: 'base prompt' }));
    expect(state.sessionConfig?.systemPrompt).toBe('base prompt');
    reduce(state, { type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'plan' }, deps());
    expect(state.sessionConfig?.systemPrompt).not.toBe('base prompt');
    expect(state.cachedSystemContext?.prompt).toBe(state.sessionConfig?.systemPrompt);
    reduce(state, { type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'normal' }, deps());
    expect(state.sessionConfig?.systemPrompt).toBe('base prompt');
    expect(state.cachedSystemContext?.prompt).toBe('base prompt');
  });

  it('switch_primary_agent_allowed_during_agent_operation', () => {
    const state = withLoopOp(stateWithConfig());
    const r = reduce(state, { type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'plan' }, deps());
    expect(state.primaryAgentId).toBe('plan');
    expect(state.currentOperation?.opId).toBe('op-1');
    expect(state.operationModels.get('op-1')).toEqual(state.sessionConfig?.defaultModel);
    expect(eventTypes(r)).toEqual(['SessionConfigUpdated']);
    expect(effectTypes(r)).toEqual(['ReloadToolSchemas']);
  });

  it('switch_primary_agent_re_evaluates_pending_approvals', () => {
    const d = new Driver(withLoopOp(stateWithConfig()));
    const first = call('tc_1', 'bash', { command: 'ls' });
    const second = call('tc_2', 'bash', { command: 'pwd' });
    d.run(approvalRequested('stale-1', first));
    d.run(approvalRequested('ignored', second));
    expect(d.state.pendingApproval?.requestId).toBe('stale-1');
    expect(d.state.approvalQueue).toHaveLength(1);
    const r = d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'yolo' });
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.approvalQueue).toHaveLength(0);
    expect([...(d.state.currentOperation?.pendingToolCalls ?? [])]).toEqual(['tc_1', 'tc_2']);
    expect(eventsOf(r, 'ApprovalDecided')).toEqual([
      { type: 'ApprovalDecided', requestId: 'stale-1', decision: 'Approved' },
    ]);
    expect(effectsOf(r, 'ExecuteTool').map((e) => e.toolCall.id)).toEqual(['tc_1', 'tc_2']);
    expect(effectsOf(r, 'CallModel')).toHaveLength(0);
  });

  it('switch_primary_agent_re_evaluates_pending_approvals_to_deny', () => {
    const d = new Driver(withLoopOp(stateWithConfig()));
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: [schema('bash'), schema('grep')] });
    d.run(approvalRequested('stale-1', call('tc_1', 'bash', { command: 'ls' })));
    const r = d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'plan' });
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.currentOperation?.pendingToolCalls.size).toBe(0);
    expect(eventsOf(r, 'ApprovalDecided')).toEqual([
      { type: 'ApprovalDecided', requestId: 'stale-1', decision: 'Denied' },
    ]);
    expect(eventsOf(r, 'ToolCallFailed')).toHaveLength(1);
    expect(eventsOf(r, 'ToolCallFailed')[0]?.error).toBe('Unknown tool: bash');
    expect(effectTypes(r)).toEqual(['ReloadToolSchemas', 'CallModel']);
  });

  it('switch_primary_agent_re_evaluates_pending_approvals_to_ask', () => {
    const state = withLoopOp(stateWithConfig());
    const config = state.sessionConfig!;
    applySessionConfig(
      state,
      {
        ...config,
        toolConfig: {
          ...config.toolConfig,
          approvalPolicy: { defaultBehavior: 'prompt', preapproved: { tools: [], perTool: {} } },
        },
      },
      'normal',
      false,
    );
    const d = new Driver(state);
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: [schema('bash'), schema('grep')] });
    const bash = call('tc_1', 'bash', { command: 'ls' });
    d.run(approvalRequested('stale-1', bash));
    const r = d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'normal' });
    expect(eventsOf(r, 'ApprovalDecided')).toEqual([
      { type: 'ApprovalDecided', requestId: 'stale-1', decision: 'Denied' },
    ]);
    const pending = d.state.pendingApproval;
    expect(pending?.toolCall).toEqual(bash);
    expect(pending?.requestId).not.toBe('stale-1');
    expect(eventsOf(r, 'ApprovalRequested')).toEqual([
      { type: 'ApprovalRequested', requestId: pending?.requestId, toolCall: bash },
    ]);
    expect(effectsOf(r, 'RequestUserApproval').map((e) => e.requestId)).toEqual([pending?.requestId]);
    expect(effectsOf(r, 'ExecuteTool')).toHaveLength(0);
  });
});

describe('§10.1 approvals and tool admission', () => {
  it('late_result_ignored_after_cancel', () => {
    const d = new Driver(withLoopOp(freshState()));
    addPendingToolCall(d.state, 'tc_1');
    d.run(cancel());
    expect(d.state.currentOperation).toBeUndefined();
    // the op is artificially restored as current
    withLoopOp(d.state);
    addPendingToolCall(d.state, 'tc_1');
    const before = d.state.messageGraph.size;
    const r = d.run(toolResult('op-1', 'tc_1', 'test_tool'));
    expect(r).toEqual({ events: [], effects: [] });
    expect(d.state.messageGraph.size).toBe(before);
  });

  it('pre_approved_tool_executes_immediately', () => {
    const state = withLoopOp(freshState());
    state.approvedTools = setWith(state.approvedTools, 'test_tool');
    const r = reduce(state, approvalRequested('r1', call('tc_1', 'test_tool')), deps());
    expect(effectTypes(r)).toEqual(['ExecuteTool']);
    expect(r.events).toEqual([]);
    expect(state.pendingApproval).toBeUndefined();
    expect([...(state.currentOperation?.pendingToolCalls ?? [])]).toEqual(['tc_1']);
  });

  it('denied_tool_request_emits_failure_message', () => {
    const state = stateWithConfig();
    const config = state.sessionConfig!;
    applySessionConfig(
      state,
      {
        ...config,
        toolConfig: {
          ...config.toolConfig,
          approvalPolicy: { defaultBehavior: 'deny', preapproved: { tools: [], perTool: {} } },
        },
      },
      'normal',
      false,
    );
    withLoopOp(state);
    const d = new Driver(state);
    const r = d.run(approvalRequested('r1', call('tc_1', 'test_tool')));
    expect(eventTypes(r)).toEqual(['ToolCallFailed', 'ToolMessageAdded']);
    expect(eventsOf(r, 'ToolCallFailed')[0]?.error).toBe("Tool 'test_tool' denied by policy");
    expect(effectsOf(r, 'ExecuteTool')).toHaveLength(0);
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
    expect(state.pendingApproval).toBeUndefined();
    expect(state.approvalQueue).toHaveLength(0);
    expect(state.messageGraph.size).toBe(1);
    const msg = state.messageGraph.messages[0];
    expect(msg?.role).toBe('tool');
    expect(msg?.id).toBe('denied_tc_1');
    expect(msg?.role === 'tool' ? msg.result : undefined).toEqual({
      type: 'Error',
      error: { type: 'DeniedByPolicy', toolName: 'test_tool' },
    });
  });

  it('user_denied_tool_request_emits_failure_message', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(approvalRequested('r1', call('tc_1', 'test_tool')));
    expect(d.state.pendingApproval?.requestId).toBe('r1');
    const r = d.run(decided('r1', 'Denied'));
    expect(eventTypes(r)).toEqual(['ApprovalDecided', 'ToolCallFailed', 'ToolMessageAdded']);
    expect(eventsOf(r, 'ToolCallFailed')[0]?.error).toBe("Tool 'test_tool' denied by user");
    expect(effectsOf(r, 'ExecuteTool')).toHaveLength(0);
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.approvalQueue).toHaveLength(0);
    const tools = toolMessages(d);
    expect(tools).toHaveLength(1);
    expect(tools[0]?.result).toEqual({
      type: 'Error',
      error: { type: 'DeniedByUser', toolName: 'test_tool' },
    });
  });

  it('malformed_tool_call_auto_denies', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run({
      type: 'ToolSchemasAvailable',
      sessionId: SID,
      tools: [
        schema('test_tool', {
          type: 'object',
          properties: { command: { type: 'string' } },
          required: ['command'],
        }),
      ],
    });
    const r = d.run(approvalRequested('r1', call('tc_1', 'test_tool', {})));
    expect(eventTypes(r)).toContain('ToolMessageAdded');
    expect(eventsOf(r, 'ToolCallFailed')).toHaveLength(1);
    expect(effectsOf(r, 'ExecuteTool')).toHaveLength(0);
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
    const tools = toolMessages(d);
    expect(tools).toHaveLength(1);
    expect(tools[0]?.id).toBe('invalid_tc_1');
    const result = tools[0]?.result;
    expect(result?.type === 'Error' ? result.error.type : undefined).toBe('InvalidParams');
  });

  it('approval_queuing', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(approvalRequested('r1', call('tc_1', 'tool_1')));
    const r2 = d.run(approvalRequested('r2', call('tc_2', 'tool_2')));
    expect(r2).toEqual({ events: [], effects: [] });
    expect(d.state.pendingApproval?.toolCall.id).toBe('tc_1');
    expect(d.state.approvalQueue.map((q) => q.toolCall.id)).toEqual(['tc_2']);
  });

  it('unknown_tool_is_treated_as_nonexistent_and_never_prompts', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: [schema('view')] });
    const r = d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    expect(eventsOf(r, 'ToolCallFailed')[0]?.error).toBe('Unknown tool: bash');
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
    expect(d.state.pendingApproval).toBeUndefined();
    expect(toolMessages(d).map((m) => m.result)).toEqual([
      { type: 'Error', error: { type: 'UnknownTool', toolName: 'bash' } },
    ]);
  });

  it('dispatch_agent_missing_target_auto_denies', () => {
    const d = new Driver(withLoopOp(stateWithConfig()));
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: [DISPATCH_AGENT_SCHEMA] });
    const r = d.run(approvalRequested('r1', call('tc_1', 'dispatch_agent', { prompt: 'explore the repo' })));
    expect(eventsOf(r, 'ToolCallFailed')).toHaveLength(1);
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
    expect(effectsOf(r, 'ExecuteTool')).toHaveLength(0);
    const result = toolMessages(d)[0]?.result;
    expect(result?.type === 'Error' ? result.error.type : undefined).toBe('InvalidParams');
  });

  it('tool_approval_does_not_call_model_before_result', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    const r = d.run(decided('r1', 'Approved'));
    expect(effectTypes(r)).toEqual(['ExecuteTool']);
    expect(effectsOf(r, 'CallModel')).toHaveLength(0);
    expect(d.state.currentOperation?.pendingToolCalls.has('tc_1')).toBe(true);
  });

  it('cancel_injects_tool_results_for_pending_calls', () => {
    const state = withLoopOp(freshState());
    state.messageGraph.add({
      role: 'assistant',
      id: 'a1',
      parentMessageId: null,
      timestamp: 1,
      content: [callBlock(call('tc_1', 'test_tool'))],
    });
    addPendingToolCall(state, 'tc_1');
    const d = new Driver(state);
    const r = d.run(cancel());
    expect(eventsOf(r, 'ToolMessageAdded')).toHaveLength(1);
    expect(eventsOf(r, 'ToolCallFailed').map((e) => e.error)).toEqual(["Tool 'test_tool' cancelled"]);
    const tools = toolMessages(d);
    expect(tools.map((m) => [m.id, m.toolUseId, m.result])).toEqual([
      ['cancelled_tc_1', 'tc_1', { type: 'Error', error: { type: 'Cancelled', toolName: 'test_tool' } }],
    ]);
    expect(eventsOf(r, 'OperationCancelled')[0]?.info.pendingToolCalls).toBe(1);
  });

  it('cancel_pops_queued_item_without_auto_start', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('Queued message', 'op-q', 'm-q'));
    expect(d.state.queuedWork).toHaveLength(1);
    const r = d.run(cancel());
    expect(d.state.currentOperation).toBeUndefined();
    expect(d.state.queuedWork).toHaveLength(0);
    const popped = eventsOf(r, 'OperationCancelled')[0]?.info.poppedQueuedItem;
    expect(popped?.content).toBe('Queued message');
    expect(popped?.opId).toBe('op-q');
    expect(popped?.messageId).toBe('m-q');
    expect(eventTypes(r)).not.toContain('OperationStarted');
    expect(eventTypes(r)).toEqual(['OperationCancelled', 'QueuedWorkRemoved']);
  });
});

describe('§10.1 model responses, usage and completion', () => {
  it('model_response_with_tool_calls_requests_approval', () => {
    const d = new Driver(withLoopOp(freshState()));
    const r = d.run(
      response('op-1', 'a1', [atext('let me look'), callBlock(call('tc_1', 'bash', { command: 'ls' }))]),
    );
    expect(d.state.pendingApproval?.toolCall.id).toBe('tc_1');
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(1);
    expect(d.state.currentOperation?.opId).toBe('op-1');
    expect(eventTypes(r)).toEqual(['AssistantMessageAdded', 'ApprovalRequested']);
  });

  it('model_response_with_tool_calls_auto_compacts_without_requesting_approval', () => {
    const d = new Driver(withLoopOp(autoCompactState(4)));
    const r = d.run(
      response('op-1', 'a1', [atext('thinking aloud'), callBlock(call('tc_1', 'bash', { command: 'ls' }))], {
        usage: { inputTokens: 90_000, outputTokens: 5_000, totalTokens: 95_000 },
        contextWindowTokens: 100_000,
        configuredMaxOutputTokens: 10_000,
      }),
    );
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.approvalQueue).toHaveLength(0);
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(1);
    expect(eventsOf(r, 'OperationCompleted').map((e) => e.opId)).toEqual(['op-1']);
    const stored = d.state.messageGraph.get('a1');
    expect(stored?.role === 'assistant' ? stored.content : undefined).toEqual([atext('thinking aloud')]);
    expect(eventTypes(r)).toEqual([
      'AssistantMessageAdded',
      'LlmUsageUpdated',
      'OperationCompleted',
      'OperationStarted',
    ]);
    expect(d.state.currentOperation?.kind).toEqual({ type: 'Compact', trigger: 'Auto' });
  });

  it('model_response_tool_only_blocks_auto_compact_drops_assistant_message', () => {
    const d = new Driver(withLoopOp(autoCompactState(4)));
    const r = d.run(
      response(
        'op-1',
        'a1',
        [{ type: 'thought', thought: { type: 'simple', text: 'hmm' } }, callBlock(call('tc_1', 'bash'))],
        {
          usage: { inputTokens: 90_000, outputTokens: 5_000, totalTokens: 95_000 },
          contextWindowTokens: 100_000,
          configuredMaxOutputTokens: 10_000,
        },
      ),
    );
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(1);
    expect(eventsOf(r, 'AssistantMessageAdded')).toHaveLength(0);
    expect(d.state.messageGraph.get('a1')).toBeUndefined();
  });

  it('model_response_with_tool_calls_below_threshold_keeps_approval_flow', () => {
    const d = new Driver(withLoopOp(autoCompactState(4)));
    const r = d.run(
      response('op-1', 'a1', [atext('x'), callBlock(call('tc_1', 'bash', { command: 'ls' }))], {
        usage: { inputTokens: 45_000, outputTokens: 5_000, totalTokens: 50_000 },
        contextWindowTokens: 100_000,
        configuredMaxOutputTokens: 10_000,
      }),
    );
    expect(d.state.pendingApproval?.toolCall.id).toBe('tc_1');
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(1);
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(0);
    expect(d.state.currentOperation?.opId).toBe('op-1');
  });

  it('model_response_no_tools_completes_operation', () => {
    const d = new Driver(withLoopOp(freshState()));
    const r = d.run(response('op-1', 'a1', [atext('done')]));
    expect(d.state.currentOperation).toBeUndefined();
    expect(eventTypes(r)).toEqual(['AssistantMessageAdded', 'OperationCompleted']);
    expect(eventsOf(r, 'LlmUsageUpdated')).toHaveLength(0);
  });

  it('model_response_with_usage_emits_usage_event_and_updates_state', () => {
    const d = new Driver(withLoopOp(freshState()));
    const usage = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };
    const r = d.run(response('op-1', 'a1', [atext('done')], { usage }));
    expect(eventTypes(r)).toEqual(['AssistantMessageAdded', 'LlmUsageUpdated', 'OperationCompleted']);
    expect(eventsOf(r, 'LlmUsageUpdated')).toEqual([
      { type: 'LlmUsageUpdated', opId: 'op-1', model: SONNET, usage },
    ]);
    expect(d.state.llmUsageByOp.get('op-1')).toEqual({ model: SONNET, usage, contextWindow: undefined });
    expect(d.state.llmUsageTotals).toEqual(usage);
  });

  it('model_response_with_usage_and_context_window_emits_utilization', () => {
    const d = new Driver(withLoopOp(freshState()));
    const usage = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };
    const r = d.run(response('op-1', 'a1', [atext('done')], { usage, contextWindowTokens: 100 }));
    const expected = { maxContextTokens: 100, remainingTokens: 70, utilizationRatio: 0.3, estimated: false };
    expect(eventsOf(r, 'LlmUsageUpdated')[0]?.contextWindow).toEqual(expected);
    expect(d.state.llmUsageByOp.get('op-1')?.contextWindow).toEqual(expected);
  });

  it('model_response_utilization_uses_reserved_context_window', () => {
    const d = new Driver(withLoopOp(freshState()));
    const usage = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };
    const r = d.run(
      response('op-1', 'a1', [atext('done')], {
        usage,
        contextWindowTokens: 100,
        configuredMaxOutputTokens: 40,
      }),
    );
    const expected = { maxContextTokens: 100, remainingTokens: 30, utilizationRatio: 0.5, estimated: false };
    expect(eventsOf(r, 'LlmUsageUpdated')[0]?.contextWindow).toEqual(expected);
    expect(d.state.llmUsageByOp.get('op-1')?.contextWindow).toEqual(expected);
  });

  it('model_response_with_zero_context_window_marks_estimated', () => {
    const d = new Driver(withLoopOp(freshState()));
    const usage = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };
    const r = d.run(response('op-1', 'a1', [atext('done')], { usage, contextWindowTokens: 0 }));
    const cw = eventsOf(r, 'LlmUsageUpdated')[0]?.contextWindow;
    expect(cw).toEqual({ maxContextTokens: 0, remainingTokens: 0, estimated: true });
    expect(cw?.utilizationRatio).toBeUndefined();
    expect(d.state.llmUsageByOp.get('op-1')?.contextWindow).toEqual(cw);
  });

  it('apply_usage_event_updates_replay_state_and_totals', () => {
    const state = freshState();
    const usage = (i: number, o: number, t: number) => ({ inputTokens: i, outputTokens: o, totalTokens: t });
    applyEvent(state, { type: 'LlmUsageUpdated', opId: 'A', model: SONNET, usage: usage(3, 5, 8) });
    expect(state.llmUsageTotals).toEqual(usage(3, 5, 8));
    applyEvent(state, { type: 'LlmUsageUpdated', opId: 'A', model: SONNET, usage: usage(7, 11, 18) });
    expect(state.llmUsageTotals).toEqual(usage(7, 11, 18));
    applyEvent(state, { type: 'LlmUsageUpdated', opId: 'B', model: SONNET, usage: usage(2, 4, 6) });
    expect(state.llmUsageTotals).toEqual(usage(9, 15, 24));
    expect(state.llmUsageByOp.get('A')?.usage).toEqual(usage(7, 11, 18));
    expect(state.eventSequence).toBe(3);
  });

  it('out_of_order_completion_preserves_newer_operation', () => {
    const d = new Driver(freshState());
    d.run(userInput('A', 'op-A'));
    d.run(userInput('B', 'op-B'));
    expect(d.state.queuedWork).toHaveLength(1);
    const r1 = d.run(response('op-A', 'a-A', [atext('reply A')]));
    expect(d.state.currentOperation?.opId).toBe('op-B');
    expect(d.state.operationModels.has('op-B')).toBe(true);
    expect(d.state.operationModels.has('op-A')).toBe(false);
    expect(eventsOf(r1, 'OperationStarted').map((e) => e.opId)).toEqual(['op-B']);
    const r2 = d.run(response('op-B', 'a-B', [atext('reply B')]));
    expect(eventsOf(r2, 'OperationCompleted').map((e) => e.opId)).toEqual(['op-B']);
    expect(d.log.filter((e) => e.type === 'Error' && /missing model/i.test(e.message))).toEqual([]);
  });
});

describe('§10.1 tool results and the loop', () => {
  it('mcp_tool_visibility_and_disconnect_removal', () => {
    const state = stateWithConfig(
      makeConfig({
        policyOverrides: { toolVisibility: { type: 'Whitelist', tools: ['mcp__alpha__allowed'] } },
      }),
    );
    state.tools = [schema('bash')];
    const d = new Driver(state);
    const r = d.run({
      type: 'McpServerStateChanged',
      sessionId: SID,
      serverName: 'alpha',
      state: { type: 'Connected', tools: [schema('mcp__alpha__allowed'), schema('mcp__alpha__blocked')] },
    });
    expect(state.tools.map((t) => t.name)).toEqual(['bash', 'mcp__alpha__allowed']);
    expect(eventTypes(r)).toEqual(['McpServerStateChanged']);
    d.run({
      type: 'McpServerStateChanged',
      sessionId: SID,
      serverName: 'alpha',
      state: { type: 'Disconnected' },
    });
    expect(state.tools.map((t) => t.name)).toEqual(['bash']);
    expect(state.mcpServers.get('alpha')).toEqual({ type: 'Disconnected' });
  });

  it('tool_result_continues_agent_loop', () => {
    const state = withLoopOp(freshState());
    addPendingToolCall(state, 'tc_1');
    const r = reduce(state, toolResult('op-1', 'tc_1', 'test_tool'), deps());
    expect(eventTypes(r)).toEqual(['ToolCallCompleted', 'ToolMessageAdded']);
    expect(effectTypes(r)).toEqual(['CallModel']);
    expect(effectsOf(r, 'CallModel')[0]?.messages.map((m) => m.id)).toEqual(['tool_result_tc_1']);
  });

  it('tool_result_waits_for_pending_tools', () => {
    const state = withLoopOp(freshState());
    addPendingToolCall(state, 'tc_1');
    addPendingToolCall(state, 'tc_2');
    const r1 = reduce(state, toolResult('op-1', 'tc_1', 'test_tool'), deps());
    expect(effectsOf(r1, 'CallModel')).toHaveLength(0);
    const r2 = reduce(state, toolResult('op-1', 'tc_2', 'test_tool'), deps());
    expect(effectsOf(r2, 'CallModel')).toHaveLength(1);
  });
});

describe('§10.1 auto-compaction', () => {
  const bigUsage = { inputTokens: 90_000, outputTokens: 5_000, totalTokens: 95_000 };
  const check = (state: ReturnType<typeof autoCompactState>, usage = bigUsage) => {
    const ctx = createCtx(state, deps(), SID);
    const started = maybeAutoCompact(ctx, usage, 100_000, 10_000, SONNET);
    return { started, events: ctx.events, effects: ctx.effects };
  };

  it('maybe_auto_compact_triggers_when_all_guards_pass', () => {
    const state = autoCompactState(4);
    const r = check(state);
    expect(r.started).toBe(true);
    expect(eventTypes(r)).toEqual(['OperationStarted']);
    expect(eventsOf(r, 'OperationStarted')[0]?.kind).toEqual({ type: 'Compact', trigger: 'Auto' });
    expect(effectsOf(r, 'RequestCompaction')).toEqual([
      { type: 'RequestCompaction', sessionId: SID, opId: 'gen-1', model: SONNET },
    ]);
  });

  it('maybe_auto_compact_disabled_config', () => {
    const r = check(autoCompactState(4, { enabled: false, thresholdPercent: 90 }));
    expect(r).toEqual({ started: false, events: [], effects: [] });
  });

  it('maybe_auto_compact_below_threshold', () => {
    const r = check(autoCompactState(4), { inputTokens: 45_000, outputTokens: 5_000, totalTokens: 50_000 });
    expect(r).toEqual({ started: false, events: [], effects: [] });
  });

  it('maybe_auto_compact_insufficient_messages', () => {
    const r = check(autoCompactState(2));
    expect(r).toEqual({ started: false, events: [], effects: [] });
  });

  it('maybe_auto_compact_queued_work_blocks', () => {
    const state = autoCompactState(4);
    state.queuedWork = arrayWith(state.queuedWork, {
      kind: 'UserMessage',
      content: [{ type: 'text', text: 'later' }],
      opId: 'q',
      messageId: 'mq',
      model: SONNET,
      queuedAt: 1,
    });
    expect(check(state)).toEqual({ started: false, events: [], effects: [] });
  });

  const withSnapshot = (pending: string[]) => {
    const state = withLoopOp(autoCompactState(4));
    for (const id of pending) addPendingToolCall(state, id);
    const usage = { inputTokens: 75_000, outputTokens: 5_000, totalTokens: 80_000 };
    recordLlmUsage(state, 'op-1', SONNET, usage, deriveContextWindowUsage(80_000, 100_000));
    return state;
  };

  it('tool_result_projects_context_and_auto_compacts_before_next_model_call', () => {
    const state = withSnapshot(['tc_1']);
    const r = reduce(state, toolResult('op-1', 'tc_1', 'read_file', external('x'.repeat(80_000))), deps());
    expect(eventsOf(r, 'OperationCompleted').map((e) => e.opId)).toEqual(['op-1']);
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(1);
    expect(effectsOf(r, 'CallModel')).toHaveLength(0);
  });

  it('tool_result_projection_sums_trailing_tool_messages_before_final_model_call', () => {
    const state = withSnapshot(['tc_1', 'tc_2']);
    const r1 = reduce(state, toolResult('op-1', 'tc_1', 'read_file', external('x'.repeat(40_000))), deps());
    expect(r1.effects).toEqual([]);
    expect(eventTypes(r1)).toEqual(['ToolCallCompleted', 'ToolMessageAdded']);
    const r2 = reduce(state, toolResult('op-1', 'tc_2', 'read_file', external('tiny')), deps());
    expect(effectsOf(r2, 'RequestCompaction')).toHaveLength(1);
    expect(effectsOf(r2, 'CallModel')).toHaveLength(0);
    expect(eventsOf(r2, 'OperationCompleted').map((e) => e.opId)).toEqual(['op-1']);
  });

  it('tool_result_projection_does_not_compact_below_threshold', () => {
    const state = withSnapshot(['tc_1']);
    const r = reduce(state, toolResult('op-1', 'tc_1', 'read_file', external('x'.repeat(8_000))), deps());
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(0);
    expect(effectsOf(r, 'CallModel')).toHaveLength(1);
  });

  it('model_response_error_context_window_triggers_auto_compaction_recovery_with_stale_usage_snapshot', () => {
    const state = withLoopOp(autoCompactState(4));
    recordLlmUsage(
      state,
      'op-1',
      SONNET,
      { inputTokens: 9_000, outputTokens: 1_000, totalTokens: 10_000 },
      deriveContextWindowUsage(10_000, 100_000),
    );
    const r = reduce(
      state,
      { type: 'ModelResponseError', sessionId: SID, opId: 'op-1', error: 'context_length_exceeded' },
      deps(),
    );
    expect(eventTypes(r)).toEqual(['OperationCompleted', 'OperationStarted']);
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(1);
    expect(eventsOf(r, 'Error')).toHaveLength(0);
  });

  it('model_response_error_context_window_with_auto_trigger_preserves_error', () => {
    const state = autoCompactState(4);
    startOperation(state, 'op-c', { type: 'Compact', trigger: 'Auto' });
    state.operationModels = mapWith(state.operationModels, 'op-c', SONNET);
    const r = reduce(
      state,
      { type: 'ModelResponseError', sessionId: SID, opId: 'op-c', error: 'context_length_exceeded' },
      deps(),
    );
    expect(eventsOf(r, 'Error').map((e) => e.message)).toEqual(['context_length_exceeded']);
    expect(effectsOf(r, 'RequestCompaction')).toHaveLength(0);
    expect(eventTypes(r)).toEqual(['Error', 'OperationCompleted']);
  });

  it('handle_compaction_failed_emits_compact_result', () => {
    const state = autoCompactState(4);
    startOperation(state, 'op-c', { type: 'Compact', trigger: 'Auto' });
    state.operationModels = mapWith(state.operationModels, 'op-c', SONNET);
    const r = reduce(
      state,
      { type: 'CompactionFailed', sessionId: SID, opId: 'op-c', error: 'test error' },
      deps(),
    );
    expect(eventsOf(r, 'CompactResult')).toEqual([
      { type: 'CompactResult', result: { type: 'Failed', error: 'test error' }, trigger: 'Auto' },
    ]);
    expect(eventsOf(r, 'Error')).toHaveLength(0);
    expect(eventTypes(r)).toEqual(['CompactResult', 'OperationCompleted']);
    expect(state.currentOperation).toBeUndefined();
  });
});

describe('§10.1 compaction end-to-end', () => {
  const compactionComplete = (opId: string, summary: string, summaryMessageId = 'summary-1') => ({
    type: 'CompactionComplete' as const,
    sessionId: SID,
    opId,
    compactionId: `c-${opId}`,
    summaryMessageId,
    summary,
    compactedHeadMessageId: 'head',
    model: 'claude-sonnet-4-5',
    timestamp: 1_700_000_000,
  });

  /** Runs `n` complete turns (user input → text reply). */
  const turns = (d: Driver, from: number, n: number) => {
    for (let i = from; i < from + n; i++) {
      d.run(userInput(`question ${i}`, `op-${i}`, `u-${i}`));
      d.run(response(`op-${i}`, `a-${i}`, [atext(`answer ${i}`)]));
    }
  };

  it('auto_compaction_completion_triggers_continuation', () => {
    const state = autoCompactState(4);
    const d = new Driver(state);
    const ctx = createCtx(state, d.deps, SID);
    expect(maybeAutoCompact(ctx, { totalTokens: 95_000 }, 100_000, 10_000, SONNET)).toBe(true);
    const opId = state.currentOperation!.opId;
    const r = d.run(compactionComplete(opId, 'Auto summary'));
    expect(eventsOf(r, 'CompactResult')).toEqual([
      { type: 'CompactResult', result: { type: 'Success', summary: 'Auto summary' }, trigger: 'Auto' },
    ]);
    const calls = effectsOf(r, 'CallModel');
    expect(calls).toHaveLength(1);
    expect(texts(calls[0]!.messages)).toEqual(['Auto summary', CONTINUATION_PROMPT]);
    expect(calls[0]!.messages[1]?.id).toBe(`compact_continue_${calls[0]!.opId}`);
    expect(eventTypes(r)).toEqual([
      'AssistantMessageAdded',
      'CompactResult',
      'ConversationCompacted',
      'OperationCompleted',
      'OperationStarted',
    ]);
    // the continuation prompt is neither stored nor emitted (§11.24)
    expect(state.messageGraph.get(calls[0]!.messages[1]!.id)).toBeUndefined();
  });

  it('compaction_full_cycle_callmodel_filters_messages', () => {
    const d = new Driver(stateWithConfig());
    turns(d, 1, 2);
    const r1 = d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    expect(effectsOf(r1, 'RequestCompaction')).toHaveLength(1);
    const r2 = d.run(compactionComplete('op-c', 'Manual summary'));
    expect(d.state.messageGraph.compactionSummaryIds.has('summary-1')).toBe(true);
    expect(effectsOf(r2, 'CallModel')).toHaveLength(0);
    expect(eventsOf(r2, 'CompactResult')[0]?.trigger).toBe('Manual');
    const r3 = d.run(userInput('new question', 'op-n', 'u-n'));
    const messages = effectsOf(r3, 'CallModel')[0]?.messages ?? [];
    expect(ids(messages)).toEqual(['summary-1', 'u-n']);
    expect(texts(messages)).toEqual(['Manual summary', 'new question']);
  });

  it('compaction_queued_message_callmodel_filters_messages', () => {
    const d = new Driver(stateWithConfig());
    turns(d, 1, 2);
    d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    const q = d.run(userInput('msg B', 'op-B', 'u-B'));
    expect(eventTypes(q)).toEqual(['QueuedWorkAdded']);
    const r = d.run(compactionComplete('op-c', 'summary'));
    expect(d.state.currentOperation?.opId).toBe('op-B');
    const messages = effectsOf(r, 'CallModel')[0]?.messages ?? [];
    expect(ids(messages)).toEqual(['summary-1', 'u-B']);
  });

  it('compaction_multi_round_conversation_then_compact', () => {
    const d = new Driver(stateWithConfig());
    turns(d, 1, 3);
    d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    d.run(compactionComplete('op-c', 'summary'));
    turns(d, 4, 2);
    const r = d.run(userInput('final', 'op-f', 'u-f'));
    const messages = effectsOf(r, 'CallModel')[0]?.messages ?? [];
    expect(ids(messages)).toEqual(['summary-1', 'u-4', 'a-4', 'u-5', 'a-5', 'u-f']);
    expect(messages).toHaveLength(6);
  });
});
