import { SessionConfigSchema, WireErrorSchema } from '@shoal/shared';
import { z } from 'zod';

/**
 * The internal node-to-node protocol, plain JSON over HTTP/1.1 (undici keep-alive pools):
 * - `POST /cluster/v1/request`: one shard command for a session the receiver owns; `200 PeerReply`, or
 *   `421` (misdirected) when the receiver does not hold the session's shard — nothing ran, route again.
 * - `GET /cluster/v1/events?sessionId&afterSeq`: newline-delimited `StoredEvent`s with `seq > afterSeq`,
 *   then live ones, until the receiver loses the shard (it ends the stream) or the caller goes away.
 * - `GET /cluster/v1/deltas?sessionId`: newline-delimited live `StreamDelta`s, likewise.
 * Every request carries `authorization: Bearer <SHOAL_CLUSTER_SECRET>` when a secret is configured.
 */
export const PEER_PATHS = {
  request: '/cluster/v1/request',
  events: '/cluster/v1/events',
  deltas: '/cluster/v1/deltas',
} as const;

/** HTTP 421 Misdirected Request: the receiver is not (or no longer) the owner of the shard. */
export const NOT_OWNER_STATUS = 421;

const SessionId = z.string().min(1).max(200);

/** The shard commands a node forwards; the same as the shard protocol's, without the request id. */
export const PeerCommandSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('create'),
    sessionId: SessionId,
    config: SessionConfigSchema,
    metadata: z.record(z.string(), z.string()),
  }),
  // The sending node validated the action with ActionSchema; what crosses is the runtime's internal form
  // (e.g. a UserInput without a model, so the session's default applies), checked here by its envelope.
  z.object({
    t: z.literal('dispatch'),
    sessionId: SessionId,
    action: z.looseObject({ type: z.string().min(1), sessionId: SessionId.optional() }),
  }),
  z.object({ t: z.literal('getState'), sessionId: SessionId }),
  z.object({ t: z.literal('ensureActive'), sessionId: SessionId }),
  z.object({ t: z.literal('suspend'), sessionId: SessionId }),
  z.object({ t: z.literal('evict'), sessionId: SessionId }),
]);
export type PeerCommand = z.infer<typeof PeerCommandSchema>;

export const PeerReplySchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: WireErrorSchema }),
]);
export type PeerReply = z.infer<typeof PeerReplySchema>;

export const EventsQuerySchema = z.object({
  sessionId: SessionId,
  afterSeq: z.coerce.number().int().min(-1),
});

export const DeltasQuerySchema = z.object({ sessionId: SessionId });

/** Commands that change nothing: safe to send again when the owner failed while running them. */
export function isReadOnly(cmd: PeerCommand): boolean {
  return cmd.t === 'getState' || cmd.t === 'ensureActive';
}
