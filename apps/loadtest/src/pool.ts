/**
 * Calls `fn(0) … fn(count - 1)` with at most `limit` calls in flight, in index order of starting.
 * Resolves when all have settled; `fn` is expected to handle its own errors (a rejection is rethrown at the end).
 */
export async function forEachConcurrently(
  count: number,
  limit: number,
  fn: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      try {
        await fn(index);
      } catch (error) {
        firstError ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane));
  if (firstError) throw firstError.error;
}
