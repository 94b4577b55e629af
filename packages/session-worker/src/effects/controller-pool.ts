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
 * signal, simply makes that controller ineligible.
 *
 * Sized for a shard's operations in flight (they start and finish in waves), bounded by `max` (~0.5 KB each),
 * and trimmed: `trim` (the host's idle timer) drops the controllers no operation needed since the last trim,
 * so an idle shard gives them all back within two periods.
 */
export class ControllerPool {
  private readonly free: AbortController[] = [];
  /** the fewest spare controllers since the last trim: that many were not needed */
  private lowWater = 0;

  constructor(private readonly max = 1024) {}

  get size(): number {
    return this.free.length;
  }

  /** A controller as good as new. */
  take(): AbortController {
    const ctrl = this.free.pop();
    if (this.free.length < this.lowWater) this.lowWater = this.free.length;
    return ctrl ?? new AbortController();
  }

  /** Drops the spare controllers nobody took since the last trim. */
  trim(): void {
    this.free.length -= this.lowWater;
    this.lowWater = this.free.length;
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
