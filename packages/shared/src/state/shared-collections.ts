/**
 * Shared, frozen collections for the reducer state, and copy-on-write helpers to write through them.
 *
 * A resident session holds a dozen collections that are empty most of their life, and an empty `Map`/`Set`
 * allocates its hash table up front (~120–250 B each). So state fields start as (and, where noted, return to)
 * the shared empties below, and collections whose content comes from an immutable config (pre-approved tools)
 * are shared between sessions. The fields are typed `ReadonlyMap`/`ReadonlySet`/`readonly T[]`, so every
 * write goes through these helpers, which give the caller its own collection first and return the one to
 * store back. Rule: a frozen collection is shared and never written; an unfrozen one belongs to one state.
 * A shared `Map`/`Set` also refuses its mutators at run time (a write would leak into every session).
 */

/** The shared empty array (frozen: `push` throws). */
export const EMPTY_ARRAY: readonly never[] = Object.freeze([]);

function refuseWrites<C extends Set<unknown> | Map<unknown, unknown>>(collection: C): C {
  const refuse = (): never => {
    throw new TypeError('shared collection: take an own copy before writing (see shared-collections.ts)');
  };
  for (const name of ['add', 'set', 'delete', 'clear']) {
    if (name in collection) Object.defineProperty(collection, name, { value: refuse });
  }
  return Object.freeze(collection);
}

/** The shared empty set. */
export const EMPTY_SET: ReadonlySet<never> = refuseWrites(new Set<never>());

/** The shared empty map. */
export const EMPTY_MAP: ReadonlyMap<never, never> = refuseWrites(new Map<never, never>());

/** Whether `collection` is shared (and so must be copied before a write). */
export const isShared = (collection: object): boolean => Object.isFrozen(collection);

/** `set` itself when the caller owns it, else an own copy (same order). Store the result back. */
export function ownSet<T>(set: ReadonlySet<T>): Set<T> {
  return isShared(set) ? new Set(set) : (set as Set<T>);
}

/** `map` itself when the caller owns it, else an own copy (same order). Store the result back. */
export function ownMap<K, V>(map: ReadonlyMap<K, V>): Map<K, V> {
  return isShared(map) ? new Map(map) : (map as Map<K, V>);
}

/** `array` itself when the caller owns it, else an own copy. Store the result back. */
export function ownArray<T>(array: readonly T[]): T[] {
  return isShared(array) ? array.slice() : (array as T[]);
}

/** `set` with `value` added (`Set#add`: an existing value keeps its position); store the result back. */
export function setWith<T>(set: ReadonlySet<T>, value: T): ReadonlySet<T> {
  if (set.has(value)) return set;
  return ownSet(set).add(value);
}

/** `set` without `value`; the shared empty set once nothing is left (its table is released). */
export function setWithout<T>(set: ReadonlySet<T>, value: T): ReadonlySet<T> {
  if (!set.has(value)) return set;
  if (set.size === 1) return EMPTY_SET;
  const own = ownSet(set);
  own.delete(value);
  return own;
}

/** `map` with `key` set to `value` (`Map#set`: an existing key keeps its position); store the result back. */
export function mapWith<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  return ownMap(map).set(key, value);
}

/** `map` without `key`; the shared empty map once nothing is left (its table is released). */
export function mapWithout<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  if (map.size === 1) return EMPTY_MAP;
  const own = ownMap(map);
  own.delete(key);
  return own;
}

/** `array`, or the shared empty array when it is empty (so an empty field holds no array of its own). */
export function orSharedEmpty<T>(array: readonly T[]): readonly T[] {
  return array.length === 0 ? EMPTY_ARRAY : array;
}

/** `array` with `item` appended; store the result back. */
export function arrayWith<T>(array: readonly T[], item: T): readonly T[] {
  const own = ownArray(array);
  own.push(item);
  return own;
}

/** `array` without its first item; the shared empty array once nothing is left. */
export function arrayWithoutFirst<T>(array: readonly T[]): readonly T[] {
  if (array.length <= 1) return EMPTY_ARRAY;
  const own = ownArray(array);
  own.shift();
  return own;
}

/** An own set of `values`, or the shared empty set when there are none (restoring durable images). */
export function setOf<T>(values: Iterable<T>): ReadonlySet<T> {
  const set = new Set(values);
  return set.size === 0 ? EMPTY_SET : set;
}

/** An own map of `entries`, or the shared empty map when there are none (restoring durable images). */
export function mapOf<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map(entries);
  return map.size === 0 ? EMPTY_MAP : map;
}

/** `array` when it is frozen (immutable, so it can be shared as is), else a copy; empty → the shared empty. */
export function sharedArrayOf<T>(array: readonly T[]): readonly T[] {
  if (array.length === 0) return EMPTY_ARRAY;
  return Object.isFrozen(array) ? array : array.slice();
}

/** One shared set per frozen value list (interned configs are deep-frozen and shared between sessions). */
const setsOfFrozenLists = new WeakMap<readonly unknown[], ReadonlySet<unknown>>();

/**
 * A set of `values` that may be shared: for a frozen list, one shared frozen set per list; for the empty list,
 * the shared empty set; otherwise an own set (a mutable list could change after we looked at it).
 */
export function sharedSetOf<T>(values: readonly T[]): ReadonlySet<T> {
  if (values.length === 0) return EMPTY_SET;
  if (!Object.isFrozen(values)) return new Set(values);
  let set = setsOfFrozenLists.get(values) as ReadonlySet<T> | undefined;
  if (set === undefined) {
    set = refuseWrites(new Set(values));
    setsOfFrozenLists.set(values, set);
  }
  return set;
}

/** Whether `a` and `b` hold the same values in the same order. */
export function sameSetInOrder<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  const other = b.values();
  for (const v of a) if (other.next().value !== v) return false;
  return true;
}
