import type { SessionEvent, StoredEvent } from '@shoal/shared';
import type { SessionSlot } from './session-slot.js';
import type { ApprovalMemoryInput, LoadTarget } from './target.js';

/** How the harness answers the approvals a turn's tool calls ask for. */
export interface ApprovalDecision {
  approved: boolean;
  remember?: ApprovalMemoryInput;
}

/** A turn ended abnormally: it timed out, a call was refused, or its event stream broke. */
export class TurnAborted extends Error {
  override readonly name = 'TurnAborted';
  constructor(
    readonly reason: 'timeout' | 'rejected',
    message: string,
  ) {
    super(message);
  }
}

type EndType = 'OperationCompleted' | 'OperationCancelled';

interface Waiter {
  matches(e: SessionEvent): boolean;
  resolve(e: StoredEvent): void;
}

/**
 * What a turn kind works with while it runs: the target's calls for its session (inputs carry a unique token
 * the self-checks look for in the log), and waits on the events of the turn's subscription. Events that
 * arrive before a wait starts are kept for the turn's length, so a wait for an op that ended before its call
 * resolved still finds it.
 */
export class TurnContext {
  /** every event of this turn's subscription, in order (bounded by the turn) */
  readonly events: StoredEvent[] = [];
  /** set by the kind before its first tool call */
  decision: ApprovalDecision = { approved: true };
  private waiters: Waiter[] = [];
  private aborted: TurnAborted | undefined;
  private abortListeners: ((e: TurnAborted) => void)[] = [];

  constructor(
    readonly target: LoadTarget,
    readonly slot: SessionSlot,
    readonly sessionId: string,
    readonly settings: { busyMs: number; streamTokens: number },
  ) {}

  /** A fresh token for the next input of this session: `[lt-<session>-<n>]`. */
  private newToken(): string {
    return `[lt-${this.slot.index}-${this.slot.nextToken++}]`;
  }

  /** Sends a user input (the token is added as a last line) and registers it with the self-checks. */
  async input(text: string): Promise<{ opId: string; messageId: string; token: string }> {
    const token = this.newToken();
    const ack = await this.acknowledged(token, () =>
      this.target.submitInput(this.sessionId, `${text}\n${token}`),
    );
    return { ...ack, token };
  }

  /** Runs a direct bash command (the token rides along as a shell comment). */
  executeBash(command: string): Promise<string> {
    const token = this.newToken();
    return this.acknowledged(token, () => this.target.executeBash(this.sessionId, `${command} # ${token}`));
  }

  editMessage(messageId: string, text: string): Promise<string> {
    const token = this.newToken();
    return this.acknowledged(token, () =>
      this.target.editMessage(this.sessionId, messageId, `${text}\n${token}`),
    );
  }

  private async acknowledged<T>(token: string, send: () => Promise<T>): Promise<T> {
    const checker = this.slot.checker!;
    checker.expectInput(token);
    try {
      const result = await this.guard(send());
      checker.acknowledgeInput(token);
      return result;
    } catch (err) {
      checker.forgetInput(token);
      throw err;
    }
  }

  /** Races a call against the turn's abort (a timeout ends the wait at once). */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.aborted);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (e: TurnAborted) => reject(e);
      this.abortListeners.push(onAbort);
      promise.then(
        (v) => {
          this.abortListeners = this.abortListeners.filter((l) => l !== onAbort);
          resolve(v);
        },
        (err: unknown) => {
          this.abortListeners = this.abortListeners.filter((l) => l !== onAbort);
          reject(err);
        },
      );
    });
  }

  /** The first event of this turn (already received or still to come) that matches. */
  waitFor(matches: (e: SessionEvent) => boolean): Promise<StoredEvent> {
    const found = this.events.find((e) => matches(e.event));
    if (found) return Promise.resolve(found);
    return this.guard(new Promise<StoredEvent>((resolve) => this.waiters.push({ matches, resolve })));
  }

  /** Resolves with how the operation ended. */
  async opEnd(opId: string): Promise<EndType> {
    const e = await this.waitFor(
      (ev) => (ev.type === 'OperationCompleted' || ev.type === 'OperationCancelled') && ev.opId === opId,
    );
    return e.event.type as EndType;
  }

  /** Whether this turn's subscription has delivered an event that matches. */
  saw(matches: (e: SessionEvent) => boolean): boolean {
    return this.events.some((e) => matches(e.event));
  }

  onEvent(stored: StoredEvent): void {
    this.events.push(stored);
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.matches(stored.event)) w.resolve(stored);
      else still.push(w);
    }
    this.waiters = still;
  }

  abort(reason: TurnAborted['reason'], message: string): void {
    if (this.aborted) return;
    this.aborted = new TurnAborted(reason, message);
    for (const l of this.abortListeners) l(this.aborted);
    this.abortListeners = [];
  }

  get abortedWith(): TurnAborted | undefined {
    return this.aborted;
  }
}
