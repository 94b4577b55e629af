import { vi } from 'vitest';

/**
 * Retries `check` until it passes. The deadline is generous on purpose: it only bounds a test that would
 * otherwise hang, and a loaded machine may take long to start a process or deliver a signal.
 */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 20 });
}
