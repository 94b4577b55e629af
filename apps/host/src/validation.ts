import {
  ApprovalMemorySchema,
  MessageIdSchema,
  ModelIdSchema,
  OpIdSchema,
  RequestIdSchema,
  SessionConfigInputSchema,
  SessionIdSchema,
} from '@shoal/shared';
import { z } from 'zod';
import { HostError } from './errors.js';
import { TENANT_METADATA_KEY } from './tenancy.js';

/*
 * Request schemas: the zod schemas of @shoal/shared, narrowed to what a client may send. Every object is
 * strict (an unknown key is a 400), so a misspelt field never silently does nothing.
 */

/** api.md `POST /v1/sessions`: `SessionConfigInput` without `workspace` (a client never chooses a path). */
export const CreateSessionBody = SessionConfigInputSchema.omit({ workspace: true })
  .strict()
  .superRefine((body, ctx) => {
    if (body.metadata !== undefined && TENANT_METADATA_KEY in body.metadata) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', TENANT_METADATA_KEY],
        message: `metadata.${TENANT_METADATA_KEY} is set by the host from the API key`,
      });
    }
  });

export const InputBody = z.object({ text: z.string(), model: ModelIdSchema.optional() }).strict();
export const ApprovalBody = z
  .object({ approved: z.boolean(), remember: ApprovalMemorySchema.optional() })
  .strict();
export const CancelBody = z.object({ opId: OpIdSchema.optional() }).strict();
export const BashBody = z.object({ command: z.string() }).strict();
export const CompactBody = z.object({ model: ModelIdSchema.optional() }).strict();
export const AgentBody = z.object({ agentId: z.string().min(1) }).strict();
export const EditBody = z
  .object({ messageId: MessageIdSchema, text: z.string(), model: ModelIdSchema.optional() })
  .strict();
export const EmptyBody = z.object({}).strict();

// Path params come from the router (never extra keys), so these are not strict: routes with more params share them.
export const SessionParams = z.object({ id: SessionIdSchema });
export const ApprovalParams = z.object({ id: SessionIdSchema, requestId: RequestIdSchema });

/** The page size bounds of `GET /v1/sessions` (README "Listing"). */
export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;

const IntString = z.string().regex(/^-?\d{1,15}$/, 'an integer');

export const ListQuery = z
  .object({
    limit: IntString.transform(Number)
      .pipe(z.number().int().min(1).max(LIST_MAX_LIMIT))
      .default(LIST_DEFAULT_LIMIT),
    cursor: z.string().min(1).max(1000).optional(),
  })
  .strict();

/** A sequence number to resume after: `-1` (from the first event) or a seq. */
const ResumeSeq = IntString.transform(Number).pipe(z.number().int().min(-1));

export const EventsQuery = z.object({ after: ResumeSeq.optional() }).strict();
export const DeltasQuery = z.object({}).strict();

/** `Last-Event-ID` (a seq we sent as `id:`); malformed is a 400 like a malformed `after` (api.md). */
export const LastEventIdHeader = ResumeSeq;

/** Parses `value` or throws a 400 BAD_REQUEST whose details are the zod issues (nothing is changed). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw HostError.badRequest(`invalid ${what}`, r.error.issues);
}

/** A command body that may be left out entirely (`{ opId? }` or empty): no body is `{}`. */
export function parseOptionalBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parse(schema, body ?? {}, 'body');
}

/** A client-supplied `workspace` gets its own message (the generic one would only say "unrecognized key"). */
export function refuseWorkspace(body: unknown): void {
  if (body !== null && typeof body === 'object' && 'workspace' in body) {
    throw HostError.badRequest('a client cannot choose a workspace: the host creates one per session', [
      { code: 'custom', path: ['workspace'], message: 'not allowed' },
    ]);
  }
}
