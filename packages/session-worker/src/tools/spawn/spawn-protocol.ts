import { z } from 'zod';
import type { GroupSignal } from './group-process.js';

/*
 * Messages between a thread and its spawn helper process (Node IPC, JSON). Both ends validate what they
 * receive: the helper runs whatever a `run` names, so nothing malformed may reach `spawn`.
 */

const RunId = z.number().int().positive();

/** Thread → helper. */
export const SpawnRequest = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('run'),
    id: RunId,
    command: z.string().min(1),
    cwd: z.string().min(1),
    env: z.record(z.string(), z.string()),
  }),
  z.object({
    t: z.literal('kill'),
    id: RunId,
    signal: z.enum(['SIGTERM', 'SIGKILL'] satisfies GroupSignal[]),
  }),
]);
export type SpawnRequest = z.infer<typeof SpawnRequest>;

/** Helper → thread. */
export const SpawnReply = z.discriminatedUnion('t', [
  z.object({ t: z.literal('started'), id: RunId, pid: z.number().int().positive() }),
  z.object({
    t: z.literal('done'),
    id: RunId,
    stdout: z.string(),
    stderr: z.string(),
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
    killError: z.string().optional(),
  }),
  /** the shell could not start (`errno` as `spawn` reported it), or the request was malformed */
  z.object({ t: z.literal('failed'), id: RunId, message: z.string(), errno: z.string().optional() }),
]);
export type SpawnReply = z.infer<typeof SpawnReply>;
