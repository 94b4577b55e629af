import { getEventListeners } from 'node:events';

/** Own symbol-keyed slots of a signal nobody has touched (Node keeps its state in symbol-keyed fields). */
const FRESH_SYMBOLS = Object.getOwnPropertySymbols(new AbortController().signal).length;

/**
 * Spare `AbortController`s of one shard, for reuse by later operations of any of its sessions.
 *
 * Why: Node builds an `AbortSignal` as a generic `EventTarget` whose prototype is then swapped, which costs
 * ~2 µs and ~0.5 KB per signal — one signal per turn, about a tenth of a worker's CPU per turn with an instant
 * model (issue 5). Why it is safe: a controller is taken back only once every piece of work started under it
 * has settled, and only if its signal is exactly as good as new — never aborted, no `abort` listener left
 * behind (`getEventListeners`, which includes an `onabort` handler), no extra own property (such as the set
 * of dependants `AbortSignal.any` registers on its sources). A provider that kept a listener, or derived a
 * signal, simply makes that controller ineligible. Bounded, so an idle shard keeps at most `max` of them.
 */
export class ControllerPool {
  private readonly free: AbortController[] = [];

  constructor(private readonly max = 64) {}

  get size(): number {
    return this.free.length;
  }

  /** A controller as good as new. */
  take(): AbortController {
    return this.free.pop() ?? new AbortController();
  }

  /** Offers back a controller whose work has all settled; kept only if its signal is pristine. */
  release(ctrl: AbortController): void {
    if (this.free.length >= this.max) return;
    const s = ctrl.signal;
    if (
      s.aborted ||
      s.onabort !== null ||
      getEventListeners(s, 'abort').length > 0 ||
      Object.keys(s).length > 0 ||
      Object.getOwnPropertySymbols(s).length !== FRESH_SYMBOLS
    ) {
      return;
    }
    this.free.push(ctrl);
  }
}
