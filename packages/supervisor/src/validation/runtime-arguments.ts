import {
  ClientActionSchema,
  isClientActionType,
  type ModelId,
  ModelIdSchema,
  SessionConfigInputSchema,
  type UserContent,
  UserContentSchema,
} from '@shoal/shared';
import { z } from 'zod';
import { MetadataArg, parseArg, SessionIdArg } from './arguments.js';
import { checkInputSize } from './input-size.js';

const ContentArg = z.union([z.string(), z.array(UserContentSchema)]);
/** What `createSession` accepts: api.md `SessionConfigInput`, with metadata fit for the catalog's index. */
export const SessionConfigArg = SessionConfigInputSchema.extend({ metadata: MetadataArg.optional() });
/** spec §3.1: only client actions may be dispatched; the others are made inside the runtime. */
export const ClientActionArg = z
  .custom<unknown>((a) => isClientActionType((a as { type?: unknown } | null)?.type), {
    message: 'only client actions (spec §3.1) can be dispatched; this type is internal to the runtime',
  })
  .pipe(ClientActionSchema);
export const SubscribeEventsOpts = z.object({ afterSeq: z.number().int().min(-1).optional() });

/** Checks a session id argument; `INVALID_INPUT`/`Validation` when it is not one. */
export function checkSessionId(sessionId: string): void {
  // What SessionIdArg accepts, checked without zod (every call validates its id); zod for the error.
  if (
    typeof sessionId === 'string' &&
    sessionId.length >= 1 &&
    sessionId.length <= 200 &&
    !sessionId.includes('\0')
  ) {
    return;
  }
  parseArg(SessionIdArg, sessionId, 'sessionId');
}

/** For primitives (nothing to copy): checks `value` against `schema`. */
export function checkArg(schema: z.ZodType, value: unknown, name: string): void {
  parseArg(schema, value, name);
}

/** A user input as content items: a string is one text item; arrays are validated (and copied) by zod. */
export function parseContent(content: string | UserContent[], maxInputBytes: number): UserContent[] {
  // A string is what ContentArg's first branch accepts as is.
  if (typeof content === 'string') {
    checkInputSize(content, maxInputBytes, 'content');
    return [{ type: 'text', text: content }];
  }
  const data = parseArg(ContentArg, content, 'content');
  checkInputSize(data, maxInputBytes, 'content');
  return typeof data === 'string' ? [{ type: 'text', text: data }] : data;
}

/** An explicit model is validated (and copied); without one the shard uses the session's default model. */
export function parseModel(model: ModelId | undefined): ModelId | undefined {
  if (model === undefined) return undefined;
  return parseArg(ModelIdSchema, model, 'model');
}

/** spec §8.3: at least one non-blank text item or one non-text item. */
export function hasContent(items: readonly UserContent[]): boolean {
  for (const c of items) if (c.type !== 'text' || c.text.trim().length > 0) return true;
  return false;
}
