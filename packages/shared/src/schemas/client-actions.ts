import { z } from 'zod';
import { type Action, ActionSchema } from './actions.js';

/**
 * spec §3.1 "Who sends it": the actions a client may dispatch. Everything else (tool results, model replies,
 * `Hydrate`, `DrainQueuedWork`, ...) is produced inside the runtime; accepting it from a caller would let the
 * caller forge a model reply, a tool result or a replayed history (e.g. a `Hydrate` that swaps the workspace
 * and pre-approves `bash` without writing an event). `ToolApprovalRequested` is "also directly dispatchable".
 */
export const CLIENT_ACTION_TYPES = [
  'UserInput',
  'UserEditedMessage',
  'ToolApprovalRequested',
  'ToolApprovalDecided',
  'SwitchPrimaryAgent',
  'Cancel',
  'DirectBashCommand',
  'DequeueQueuedItem',
  'RequestCompaction',
] as const satisfies readonly Action['type'][];

export type ClientActionType = (typeof CLIENT_ACTION_TYPES)[number];
export type ClientAction = Extract<Action, { type: ClientActionType }>;

const clientTypes: ReadonlySet<string> = new Set(CLIENT_ACTION_TYPES);

export function isClientActionType(type: unknown): type is ClientActionType {
  return typeof type === 'string' && clientTypes.has(type);
}

type ActionOption = (typeof ActionSchema.options)[number];
const clientOptions = ActionSchema.options.filter((o) => clientTypes.has(o.shape.type.value));

/**
 * The `ActionSchema` variants of `CLIENT_ACTION_TYPES`, unchanged: parsing yields exactly a `ClientAction`
 * (the filter keeps only those variants; `client-actions.test.ts` checks the list against the schema).
 */
export const ClientActionSchema = z.discriminatedUnion(
  'type',
  clientOptions as [ActionOption, ...ActionOption[]],
) as unknown as z.ZodType<ClientAction>;
