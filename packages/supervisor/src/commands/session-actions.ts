import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type Action,
  type ApprovalMemory,
  ApprovalMemorySchema,
  type ModelId,
  resolveEffectiveConfig,
  resolveSystemPrompt,
  type SessionConfig,
  type SessionConfigInput,
  sessionConfigFromInput,
  type UserContent,
} from '@shoal/shared';
import { z } from 'zod';
import { RuntimeError } from '../errors/runtime-error.js';
import { parseArg } from '../validation/arguments.js';
import { checkInputSize } from '../validation/input-size.js';
import {
  ClientActionArg,
  checkArg,
  hasContent,
  parseContent,
  parseModel,
  SessionConfigArg,
} from '../validation/runtime-arguments.js';
import type { WorkspaceRoots } from '../validation/workspace-roots.js';

/**
 * The api.md commands turned into what a shard runs: each caller argument is validated (and copied), and
 * the ids and timestamps the runtime assigns are filled in. Every failure is `INVALID_INPUT`.
 */

/** A new session's id and its effective config (spec §8.2 CreateSession). */
export async function newSessionConfig(
  config: SessionConfigInput | undefined,
  maxInputBytes: number,
  workspaceRoots: WorkspaceRoots,
  dataDir: string,
): Promise<{ sessionId: string; config: SessionConfig }> {
  const input = parseArg(SessionConfigArg, config ?? {}, 'config');
  checkInputSize(input, maxInputBytes, 'config');
  // A caller-chosen workspace must lie inside a workspace root; it is recorded as resolved there.
  if (input.workspace !== undefined) {
    input.workspace = { ...input.workspace, path: await workspaceRoots.confine(input.workspace.path) };
  }
  const sessionId = randomUUID();
  // spec §8.2 CreateSession 3-5: default agent, effective config, explicit system prompt.
  const base = sessionConfigFromInput(input, {
    workspacePath: join(dataDir, 'workspaces', sessionId),
  });
  const effective = resolveEffectiveConfig(base);
  effective.systemPrompt = resolveSystemPrompt(effective);
  return { sessionId, config: effective };
}

/** Accepts the client actions of spec §3.1 only (`ClientActionSchema`); any other type is `Validation`. */
export function clientAction(sessionId: string, action: Action, maxInputBytes: number): Action {
  const a = parseArg(ClientActionArg, action, 'action');
  checkInputSize(a, maxInputBytes, 'action');
  if (a.sessionId !== sessionId) {
    throw RuntimeError.validation('action.sessionId does not match the session', [
      { path: ['sessionId'], message: `expected ${sessionId}` },
    ]);
  }
  return a;
}

export function userInputAction(
  sessionId: string,
  content: string | UserContent[],
  model: ModelId | undefined,
  maxInputBytes: number,
): { action: Action; opId: string; messageId: string } {
  const items = parseContent(content, maxInputBytes);
  if (!hasContent(items)) {
    throw new RuntimeError('INVALID_INPUT', 'the input is empty', 'EmptyInput');
  }
  const opId = randomUUID();
  const messageId = randomUUID();
  const action = {
    type: 'UserInput',
    sessionId,
    content: items,
    opId,
    messageId,
    model: parseModel(model),
    timestamp: nowSeconds(),
  } as Action;
  return { action, opId, messageId };
}

export function toolApprovalAction(
  sessionId: string,
  requestId: string,
  approved: boolean,
  remember: ApprovalMemory | undefined,
): Action {
  checkArg(z.string().min(1), requestId, 'requestId');
  checkArg(z.boolean(), approved, 'approved');
  return {
    type: 'ToolApprovalDecided',
    sessionId,
    requestId,
    decision: approved ? 'Approved' : 'Denied',
    remember: remember === undefined ? undefined : parseArg(ApprovalMemorySchema, remember, 'remember'),
  };
}

export function switchAgentAction(sessionId: string, agentId: string): Action {
  checkArg(z.string(), agentId, 'agentId');
  return { type: 'SwitchPrimaryAgent', sessionId, agentId };
}

export function cancelAction(sessionId: string, opId: string | undefined): Action {
  if (opId !== undefined) checkArg(z.string().min(1), opId, 'opId');
  return { type: 'Cancel', sessionId, opId };
}

export function editedMessageAction(
  sessionId: string,
  originalMessageId: string,
  newContent: string | UserContent[],
  model: ModelId | undefined,
  maxInputBytes: number,
): { action: Action; opId: string } {
  checkArg(z.string().min(1), originalMessageId, 'originalMessageId');
  const opId = randomUUID();
  const action = {
    type: 'UserEditedMessage',
    sessionId,
    messageId: originalMessageId,
    newContent: parseContent(newContent, maxInputBytes),
    opId,
    newMessageId: randomUUID(),
    model: parseModel(model),
    timestamp: nowSeconds(),
  } as Action;
  return { action, opId };
}

export function compactionAction(
  sessionId: string,
  model: ModelId | undefined,
): { action: Action; opId: string } {
  const opId = randomUUID();
  const action = { type: 'RequestCompaction', sessionId, opId, model: parseModel(model) } as Action;
  return { action, opId };
}

export function bashCommandAction(
  sessionId: string,
  command: string,
  maxInputBytes: number,
): { action: Action; opId: string } {
  checkArg(z.string(), command, 'command');
  checkInputSize(command, maxInputBytes, 'command');
  if (command.trim().length === 0)
    throw new RuntimeError('INVALID_INPUT', 'the command is empty', 'EmptyInput');
  const opId = randomUUID();
  const action: Action = {
    type: 'DirectBashCommand',
    sessionId,
    opId,
    messageId: randomUUID(),
    command,
    timestamp: nowSeconds(),
  };
  return { action, opId };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
