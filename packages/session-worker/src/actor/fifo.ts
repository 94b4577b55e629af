/** A FIFO with O(1) push and shift (Array#shift is O(n)); used for actor mailboxes. */
export class Fifo<T> {
  // No array until something is queued: most mailboxes are empty most of the time.
  private items: (T | undefined)[] | undefined;
  private head = 0;

  get length(): number {
    return this.items ? this.items.length - this.head : 0;
  }

  push(item: T): void {
    if (this.items) this.items.push(item);
    else this.items = [item];
  }

  shift(): T | undefined {
    const items = this.items;
    if (!items) return undefined;
    if (this.head >= items.length) {
      this.items = undefined; // drained: release the array
      this.head = 0;
      return undefined;
    }
    const item = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) {
      this.items = undefined;
      this.head = 0;
      return item;
    }
    // Compact once the consumed prefix dominates, so memory stays proportional to what is queued.
    if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything queued, oldest first. */
  drain(): T[] {
    const out = (this.items?.slice(this.head) ?? []) as T[];
    this.items = undefined;
    this.head = 0;
    return out;
  }
}
