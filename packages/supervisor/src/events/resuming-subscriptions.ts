import type { SessionStore } from '@shoal/store';
import type { ClusterNode } from '../cluster/cluster-node.js';
import { storeCall } from '../store/store-call.js';
import type { DeltaSubscription } from './delta-subscription.js';
import type { EventSubscription } from './event-subscription.js';
import type { SubscriptionHub } from './subscription-hub.js';

/**
 * api.md's subscriptions, which resume the session on demand. On one node they come from this node's
 * `SubscriptionHub`; in cluster mode they follow the session to whichever node owns it.
 */
export class ResumingSubscriptions {
  constructor(
    private readonly hub: SubscriptionHub,
    private readonly store: SessionStore,
    private readonly resume: (sessionId: string) => Promise<void>,
    private readonly cluster: () => ClusterNode | undefined,
  ) {}

  async events(sessionId: string, afterSeq: number | undefined): Promise<EventSubscription> {
    const cluster = this.cluster();
    if (cluster) {
      await this.resume(sessionId);
      const from = afterSeq ?? (await storeCall(() => this.store.latestSequence(sessionId))) ?? -1;
      return cluster.subscribeEvents(sessionId, from);
    }
    return this.resumeFor(sessionId, this.hub.subscribeEvents(sessionId, afterSeq));
  }

  async deltas(sessionId: string): Promise<DeltaSubscription> {
    const cluster = this.cluster();
    if (cluster) {
      await this.resume(sessionId);
      return cluster.subscribeDeltas(sessionId);
    }
    return this.resumeFor(sessionId, this.hub.subscribeDeltas(sessionId));
  }

  /**
   * The subscriber is registered first so nothing the resume appends (e.g. a queue drain) is missed; it is
   * closed again if the session cannot be resumed.
   */
  private async resumeFor<T extends { close(): Promise<void> }>(sessionId: string, sub: T): Promise<T> {
    try {
      await this.resume(sessionId);
    } catch (err) {
      await sub.close();
      throw err;
    }
    return sub;
  }
}
