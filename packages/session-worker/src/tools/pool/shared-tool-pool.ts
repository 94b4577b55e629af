import { ToolPool } from './tool-pool.js';

let shared: ToolPool | undefined;

/**
 * The process's tool pool, created on first use. It belongs on the main thread: every shard reaches it
 * there (in-process shards directly, worker shards through the port the supervisor hands them, see
 * tool-pool-port.ts), so one set of pool threads and one queue bound serve the whole process. Called on a
 * worker thread that was given no port (an embedder running a ShardRunner itself), it makes a pool for that
 * thread alone.
 */
export function sharedToolPool(): ToolPool {
  shared ??= new ToolPool();
  return shared;
}

/** Stops the shared pool's threads (tests, orderly exit); the next use creates a new pool. */
export async function closeSharedToolPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
