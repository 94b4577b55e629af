import { ToolFailure } from '../tool-failure.js';
import { globSearch } from './glob-search.js';
import { grepSearch } from './grep-search.js';
import { ToolTask, type ToolTaskOutcome } from './tool-task.js';

/**
 * The entry of a tool-pool thread (piscina calls the default export once per task). A ToolFailure comes
 * back as data (code and message): an Error crossing threads keeps only its message. Anything else
 * rejects, and the pool reports it as an IO failure.
 */
export default async function runToolTask(raw: unknown): Promise<ToolTaskOutcome> {
  const task = ToolTask.parse(raw);
  try {
    const output = task.kind === 'grep' ? await grepSearch(task) : await globSearch(task);
    return { ok: true, output };
  } catch (e) {
    if (e instanceof ToolFailure) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}
