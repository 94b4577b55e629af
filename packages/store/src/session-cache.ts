/*
 * The bounded per-session cache of LevelEventStore: memory stays bounded with many sessions.
 *
 * Replacement is CLOCK ("second chance", an LRU approximation) over the Map's insertion order: a use only sets a
 * flag on the entry, so the append hot path pays one field write instead of a Map delete + re-insert. Eviction, which only runs when an
 * insert pushes the cache past its bound, walks from the oldest entry: a used one loses its flag and moves to
 * the back, an unused idle one is dropped. A busy entry (a write queued but not yet settled, or a
 * create/delete/snapshot/load in progress) is never dropped: its state is ahead of the disk, or someone holds
 * it. A dropped entry is simply reloaded from disk on the next use, as if it had never been cached.
 */
import type { CatalogRecord } from './catalog.js';

/** Per-session cache entry: the hot path of `append` reads nothing from disk. */
export interface SessionState {
  /** Next sequence number, counting appends accepted but not yet written. */
  nextSeq: number;
  /** Catalog record including accepted-but-unwritten appends. */
  catalog: CatalogRecord;
  /** `seq` of the catalog record last queued for writing (events from it on may not be counted on disk). */
  catalogSeq: number;
  /** Group-commit ticket of the last write queued for this session (0: none); see GroupCommit.lastTicket. */
  ticket: number;
  /** CLOCK reference flag: set by each use, cleared when eviction passes over the entry. */
  used: boolean;
}

/** Whether an entry must stay cached (its state is ahead of the disk, or an operation holds it). */
export type BusyCheck = (sessionId: string, state: SessionState) => boolean;

/**
 * How far an insert walks looking for something to evict. Bounded so that a cache whose busy entries exceed the
 * bound does not re-walk all of them on every insert; the full walk happens once per settled batch, when busy
 * entries can have become idle. Each insert still evicts up to this many idle entries, so an overshoot left by
 * busy entries is worked off quickly.
 */
const INSERT_WALK = 64;

export class SessionCache {
  private readonly entries = new Map<string, SessionState>();

  constructor(
    readonly max: number,
    private readonly isBusy: BusyCheck,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry, marked as used (it survives the next eviction pass). */
  get(sessionId: string): SessionState | undefined {
    const st = this.entries.get(sessionId);
    if (st !== undefined) st.used = true;
    return st;
  }

  /** The entry without marking it used (reads that do not need it to stay). */
  peek(sessionId: string): SessionState | undefined {
    return this.entries.get(sessionId);
  }

  has(sessionId: string): boolean {
    return this.entries.has(sessionId);
  }

  /** Inserts as the newest entry, then evicts down to the bound. The caller keeps `st` busy while it uses it. */
  set(sessionId: string, st: SessionState): void {
    this.entries.delete(sessionId);
    this.entries.set(sessionId, st);
    if (this.entries.size > this.max) this.trim(INSERT_WALK);
  }

  /** Forgets an entry unconditionally (delete, failed write): the caller knows the state is void. */
  delete(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  /** Drops the entry if it is idle; true when the session is not cached afterwards. */
  evict(sessionId: string): boolean {
    const st = this.entries.get(sessionId);
    if (st === undefined) return true;
    if (this.isBusy(sessionId, st)) return false;
    this.entries.delete(sessionId);
    return true;
  }

  /** Writes settled, so busy entries may have become idle: evict down to the bound. */
  settled(): void {
    if (this.entries.size > this.max) this.trim(2 * this.entries.size);
  }

  /**
   * A CLOCK sweep from the oldest entry, of at most `steps` visits, until the bound holds. The first visit of a
   * used or busy entry moves it to the back, so 2 × size steps visit every entry twice and find every idle
   * one: whatever is over the bound after such a sweep is busy.
   */
  private trim(steps: number): void {
    const entries = this.entries;
    // Iterating a Map while deleting and re-appending is well-defined: re-appended entries come round again.
    for (const [id, st] of entries) {
      if (entries.size <= this.max || steps-- === 0) break;
      if (this.isBusy(id, st) || st.used) {
        st.used = false;
        entries.delete(id);
        entries.set(id, st);
      } else {
        entries.delete(id);
      }
    }
  }
}
