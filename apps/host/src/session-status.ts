import { type Runtime, RuntimeError } from '@shoal/supervisor';

/** What a session is doing, as the listing reports it: `GET /v1/sessions` rows carry it as `status`. */
export type SessionStatus = 'idle' | 'running' | 'waiting_for_approval';

/**
 * A session that is not loaded is idle (resume starts every session idle, spec §8), so only loaded sessions
 * are asked for their state; a listing therefore never resumes a suspended session. A session deleted between
 * the catalog read and this call is reported idle rather than failing the whole page.
 */
export async function sessionStatus(runtime: Runtime, sessionId: string): Promise<SessionStatus> {
  if (!(await runtime.isSessionActive(sessionId))) return 'idle';
  try {
    const state = await runtime.getSessionState(sessionId);
    if (state.pendingApproval !== null) return 'waiting_for_approval';
    return state.currentOperation === null ? 'idle' : 'running';
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'SESSION_NOT_FOUND') return 'idle';
    throw err;
  }
}
