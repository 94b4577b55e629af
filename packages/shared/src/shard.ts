/**
 * Session → shard assignment (spec "deliberate change" 7: sessions are sharded over worker threads).
 *
 * Choice: FNV-1a (32-bit) over the UTF-8 bytes of the session id, then murmur3's `fmix32` finalizer, then
 * `hash % shardCount`. FNV-1a is tiny, allocation-free and fully specified, so the mapping is stable across
 * processes, platforms and versions (golden values are pinned in the tests — changing this function moves
 * sessions between shards). FNV-1a alone mixes its last bytes poorly into the low bits, which `%` uses;
 * `fmix32` avalanches every input bit into every output bit. All arithmetic is 32-bit (`Math.imul`, `>>>`).
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit over the UTF-8 encoding of `s` (lone surrogates encode as U+FFFD, like `TextEncoder`). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET_BASIS;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i += 1;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The stable 32-bit hash `shardOf` is based on. */
export function sessionHash(sessionId: string): number {
  return fmix32(fnv1a32(sessionId));
}

/**
 * The shard (0 ≤ shard < shardCount) that owns a session. Deterministic across processes and versions.
 * Throws `RangeError` unless `shardCount` is a positive safe integer.
 */
export function shardOf(sessionId: string, shardCount: number): number {
  if (!Number.isSafeInteger(shardCount) || shardCount < 1) {
    throw new RangeError(`shardCount must be a positive integer, got ${String(shardCount)}`);
  }
  return shardCount === 1 ? 0 : sessionHash(sessionId) % shardCount;
}
