import { SessionLogChecker } from './log-checker.js';

/**
 * The harness's state of one session, kept for the whole run and small on purpose (a run may hold 10,000 and
 * more): its id once created, its self-checks (a digest, not the events), the one message id the `edit` kind
 * needs, and the chain that runs its turns one at a time.
 */
export class SessionSlot {
  id: string | undefined;
  checker: SessionLogChecker | undefined;
  /** the first user message of the session: what an `edit` turn branches from */
  firstUserMessageId: string | undefined;
  /** next input token number */
  nextToken = 0;
  /** a turn timed out or a call was refused: the session's remaining turns are skipped */
  failed = false;
  /** creating the session failed */
  createFailed = false;
  /** the session's turns run one after another on this chain */
  chain: Promise<void> = Promise.resolve();

  constructor(readonly index: number) {}

  attach(id: string): void {
    this.id = id;
    this.checker = new SessionLogChecker(id);
  }
}
