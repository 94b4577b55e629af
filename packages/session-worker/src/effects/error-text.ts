/** The message of a failure, as internal actions carry it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
