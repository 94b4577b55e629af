/**
 * Coalesces the messages one side of a port produces during an event-loop turn into a single
 * `postMessage` of an array. Every message crossing a thread costs a structured clone and a wake-up of
 * the other thread; at thousands of turns per second batching is what keeps the port from dominating.
 * Order is preserved: batches are sent in order and each batch keeps its messages' order.
 */
export class MessageBatcher<T> {
  private batch: T[] = [];
  private scheduled = false;

  constructor(private readonly flushTo: (batch: T[]) => void) {}

  send(msg: T): void {
    this.batch.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate (not a microtask) so that everything the current turn's promise chains produce
      // lands in the same batch.
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    this.flushTo(out);
  };
}
