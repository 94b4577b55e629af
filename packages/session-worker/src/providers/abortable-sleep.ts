import { ModelCallError } from './model-call-error.js';

/** Waits `ms`, rejecting with ModelCallError(cancelled) as soon as `signal` aborts (spec §5.0). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(ModelCallError.cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(ModelCallError.cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
