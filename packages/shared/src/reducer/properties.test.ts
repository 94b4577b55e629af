// spec §10.5: property tests (100 random cases each).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UserContent } from '../schemas/content.js';
import type { OperationKind } from '../schemas/operation.js';
import { addPendingToolCall, startOperation } from '../state/operations.js';
import { setWith } from '../state/shared-collections.js';
import { sequentialDeps } from './deps.js';
import { reduce } from './reduce.js';
import {
  approvalRequested,
  atext,
  call,
  cancel,
  effectsOf,
  eventsOf,
  freshState,
  response,
  SONNET,
  toolResult,
  userInput,
  withLoopOp,
} from './test-support/fixtures.js';

const RUNS = { numRuns: 100 };
const idArb = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const nonBlank = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
const contentArb: fc.Arbitrary<UserContent[]> = fc.array(
  fc.oneof(
    fc.string({ maxLength: 30 }).map((t): UserContent => ({ type: 'text', text: t })),
    fc.constantFrom('image/png', 'image/jpeg').map(
      (mimeType): UserContent => ({
        type: 'image',
        image: { mimeType, source: { type: 'url', url: 'https://x' } },
      }),
    ),
  ),
  { minLength: 1, maxLength: 4 },
);
const kindArb: fc.Arbitrary<OperationKind> = fc.oneof(
  fc.constant<OperationKind>({ type: 'AgentLoop' }),
  fc.constantFrom<OperationKind>(
    { type: 'Compact', trigger: 'Manual' },
    { type: 'Compact', trigger: 'Auto' },
  ),
  fc.string({ maxLength: 10 }).map((command): OperationKind => ({ type: 'DirectBash', command })),
);

describe('§10.5 properties', () => {
  it('prop_reducer_is_deterministic', () => {
    fc.assert(
      fc.property(contentArb, idArb, idArb, (content, opId, messageId) => {
        const a = freshState();
        const b = freshState();
        const ra = reduce(a, userInput(content, opId, messageId), sequentialDeps());
        const rb = reduce(b, userInput(content, opId, messageId), sequentialDeps());
        expect(a.messageGraph.size).toBe(b.messageGraph.size);
        expect(a.currentOperation !== undefined).toBe(b.currentOperation !== undefined);
        expect(ra.effects.length).toBe(rb.effects.length);
        expect(ra).toEqual(rb);
      }),
      RUNS,
    );
  });

  it('prop_user_input_always_starts_operation', () => {
    fc.assert(
      fc.property(contentArb, idArb, idArb, (content, opId, messageId) => {
        const s = freshState();
        const r = reduce(s, userInput(content, opId, messageId), sequentialDeps());
        expect(s.currentOperation?.opId).toBe(opId);
        expect(effectsOf(r, 'CallModel')).toHaveLength(1);
        expect(s.messageGraph.size).toBe(1);
      }),
      RUNS,
    );
  });

  it('prop_cancel_clears_operation_and_records_cancelled', () => {
    fc.assert(
      fc.property(idArb, kindArb, fc.boolean(), (opId, kind, explicit) => {
        const s = freshState();
        startOperation(s, opId, kind);
        const r = reduce(s, explicit ? cancel(opId) : cancel(), sequentialDeps());
        expect(s.currentOperation).toBeUndefined();
        expect(s.cancelledOps.has(opId)).toBe(true);
        expect(eventsOf(r, 'OperationCancelled').map((e) => e.opId)).toEqual([opId]);
      }),
      RUNS,
    );
  });

  it('prop_cancelled_ops_limit_is_enforced', () => {
    fc.assert(
      fc.property(fc.integer({ min: 110, max: 119 }), (n) => {
        const s = freshState();
        for (let i = 0; i < n; i++) {
          startOperation(s, `op-${i}`, { type: 'AgentLoop' });
          reduce(s, cancel(), sequentialDeps());
        }
        expect(s.cancelledOps.size).toBeLessThanOrEqual(100);
        expect(s.cancelledOps.size).toBe(100);
        // oldest evicted first (§11.14 decided)
        expect(s.cancelledOps.has(`op-${n - 100 - 1}`)).toBe(false);
        expect(s.cancelledOps.has(`op-${n - 100}`)).toBe(true);
        expect(s.cancelledOps.has(`op-${n - 1}`)).toBe(true);
      }),
      RUNS,
    );
  });

  it('prop_late_tool_result_is_ignored_for_cancelled_op', () => {
    fc.assert(
      fc.property(idArb, idArb, nonBlank, (opId, toolCallId, toolName) => {
        const s = withLoopOp(freshState(), opId);
        addPendingToolCall(s, toolCallId);
        reduce(s, cancel(), sequentialDeps());
        withLoopOp(s, opId); // restored as current
        addPendingToolCall(s, toolCallId);
        const size = s.messageGraph.size;
        const r = reduce(s, toolResult(opId, toolCallId, toolName), sequentialDeps());
        expect(r).toEqual({ events: [], effects: [] });
        expect(s.messageGraph.size).toBe(size);
      }),
      RUNS,
    );
  });

  it('prop_pre_approved_tool_skips_approval', () => {
    fc.assert(
      fc.property(nonBlank, idArb, (name, id) => {
        const s = withLoopOp(freshState());
        s.approvedTools = setWith(s.approvedTools, name);
        const r = reduce(s, approvalRequested('r1', call(id, name)), sequentialDeps());
        expect(effectsOf(r, 'ExecuteTool').map((e) => e.toolCall.name)).toEqual([name]);
        expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(0);
        expect(s.pendingApproval).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('prop_model_response_without_tools_completes_operation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        idArb,
        (parts, mid) => {
          const s = withLoopOp(freshState());
          const r = reduce(s, response('op-1', mid, parts.map(atext)), sequentialDeps());
          expect(s.currentOperation).toBeUndefined();
          expect(eventsOf(r, 'OperationCompleted').map((e) => e.opId)).toEqual(['op-1']);
        },
      ),
      RUNS,
    );
  });

  it('prop_approval_queuing_works_correctly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), (k) => {
        const s = withLoopOp(freshState(), 'op-1', SONNET);
        for (let i = 0; i < k; i++)
          reduce(s, approvalRequested(`r${i}`, call(`tc_${i}`, `tool_${i}`)), sequentialDeps());
        expect(s.pendingApproval?.toolCall.id).toBe('tc_0');
        expect(s.approvalQueue).toHaveLength(k - 1);
      }),
      RUNS,
    );
  });
});
