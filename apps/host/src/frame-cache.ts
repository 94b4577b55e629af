/**
 * The SSE frames of the last few items formatted, by identity. The runtime hands every subscriber of a
 * session the same event (and delta) object in the same tick, so 10,000 streams on one session format each
 * event once, not 10,000 times (BENCHMARKS.md "Host", fan-out). A small ring, not a WeakMap: a WeakMap entry
 * per event costs an ephemeron the garbage collector must trace, which with one stream per session (the
 * common case, where no frame is ever reused) cost more than the lookups save. An item that fell out of the
 * ring is simply formatted again.
 */
export class FrameCache<T extends object> {
  private readonly items: (T | undefined)[];
  private readonly frames: string[];
  private next = 0;

  constructor(
    private readonly format: (item: T) => string,
    size = 32,
  ) {
    this.items = new Array<T | undefined>(size).fill(undefined);
    this.frames = new Array<string>(size).fill('');
  }

  /** The frame of `item`, formatted now unless it is one of the last `size` items formatted. */
  frame(item: T): string {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      if (items[i] === item) return this.frames[i]!;
    }
    const text = this.format(item);
    items[this.next] = item;
    this.frames[this.next] = text;
    this.next = (this.next + 1) % items.length;
    return text;
  }
}
