import { invalidArgument } from './errors.js';

/*
 * Key layout (all keys are bytes; `\0` is the byte 0x00; ids are UTF-8):
 *
 *   s \0 <sessionId> \0 c             catalog record of the session (JSON)
 *   s \0 <sessionId> \0 g             last SessionConfig seen in the log (JSON), for getSessionConfig
 *   s \0 <sessionId> \0 e <seq:u64be> one event
 *   s \0 <sessionId> \0 n <seq:u64be> one snapshot (only the latest is kept)
 *   u \0 <inv(updatedAt):u64be> <sessionId>    listing index, newest-updated first
 *   m \0 <key> \0 <value> \0 <sessionId>       sessions having a metadata pair (filtered listing)
 *   d \0 <sessionId>                 delete tombstone (range purge still to do; finished on open)
 *   !format                          layout version
 *
 * Everything a session owns lives under one prefix, so deleting a session is one range delete (api.md).
 * Ids, metadata keys and values may not contain \0: that makes \0 an unambiguous terminator, so the range of
 * session "a" never includes session "a\x01..." and byte order of ids is their natural order.
 * Sequence numbers are 8-byte big-endian so that byte order is numeric order (up to 2^53 - 1).
 */

const NUL = 0x00;
const TAG_CATALOG = 0x63; // 'c'
const TAG_CONFIG = 0x67; // 'g'
const TAG_EVENT = 0x65; // 'e'
const TAG_SNAPSHOT = 0x6e; // 'n'
const SPACE_SESSION = 0x73; // 's'
const SPACE_UPDATED = 0x75; // 'u'
const SPACE_META = 0x6d; // 'm'
const SPACE_TOMBSTONE = 0x64; // 'd'

export const SEQ_BYTES = 8;
const TWO_32 = 2 ** 32;

export const FORMAT_KEY: Buffer = Buffer.from('!format', 'latin1');
export const FORMAT_VERSION = '1';

export interface KeyRange {
  gte: Buffer;
  lt: Buffer;
}

function checkName(kind: string, value: unknown, sessionId?: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${kind} must be a non-empty string`, sessionId);
  }
  if (value.includes('\0')) throw invalidArgument(`${kind} must not contain NUL characters`, sessionId);
}

export function checkSessionId(sessionId: unknown): asserts sessionId is string {
  checkName('sessionId', sessionId);
}

export function checkMetadata(meta: unknown, sessionId: string): Record<string, string> {
  if (meta === undefined) return {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw invalidArgument('metadata must be a Record<string, string>', sessionId);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    checkName('metadata key', k, sessionId);
    if (typeof v !== 'string') throw invalidArgument(`metadata value of ${k} must be a string`, sessionId);
    if (v.includes('\0')) throw invalidArgument(`metadata value of ${k} must not contain NUL`, sessionId);
    out[k] = v;
  }
  return out;
}

export function checkSeq(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** The arguments of `loadEventsAfter`, checked the same way by both stores; returns the limit. */
export function checkLoadArgs(sessionId: unknown, afterSeq: unknown, limit: unknown): number | undefined {
  checkSessionId(sessionId);
  checkSeq('afterSeq', afterSeq, -1);
  if (limit !== undefined) checkSeq('limit', limit, 0);
  return limit as number | undefined;
}

export function writeSeq(buf: Buffer, offset: number, seq: number): void {
  buf.writeUInt32BE(Math.floor(seq / TWO_32), offset);
  buf.writeUInt32BE(seq % TWO_32, offset + 4);
}

export function readSeq(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

export function encodeSeq(seq: number): Buffer {
  const b = Buffer.allocUnsafe(SEQ_BYTES);
  writeSeq(b, 0, seq);
  return b;
}

/** `s\0<id>\0`: the prefix of everything the session owns. Computed once per session and cached. */
export function sessionPrefix(sessionId: string): Buffer {
  const idLen = Buffer.byteLength(sessionId, 'utf8');
  const b = Buffer.allocUnsafe(idLen + 3);
  b[0] = SPACE_SESSION;
  b[1] = NUL;
  b.write(sessionId, 2, 'utf8');
  b[idLen + 2] = NUL;
  return b;
}

/** The whole session: `[s\0<id>\0, s\0<id>\x01)`. */
export function sessionRange(prefix: Buffer): KeyRange {
  const lt = Buffer.from(prefix);
  lt[lt.length - 1] = 0x01;
  return { gte: prefix, lt };
}

function tagged(prefix: Buffer, tag: number): Buffer {
  const b = Buffer.allocUnsafe(prefix.length + 1);
  prefix.copy(b, 0);
  b[prefix.length] = tag;
  return b;
}

function taggedSeq(prefix: Buffer, tag: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(prefix.length + 1 + SEQ_BYTES);
  prefix.copy(b, 0);
  b[prefix.length] = tag;
  writeSeq(b, prefix.length + 1, seq);
  return b;
}

/**
 * `eventKey(sessionPrefix(id), seq)` without the intermediate prefix: the append hot path builds its keys from
 * the id, so the session cache need not keep a prefix Buffer per session (memory per resident session).
 */
export function eventKeyOf(sessionId: string, seq: number): Buffer {
  const idLen = Buffer.byteLength(sessionId, 'utf8');
  const b = Buffer.allocUnsafe(idLen + 4 + SEQ_BYTES);
  b[0] = SPACE_SESSION;
  b[1] = NUL;
  b.write(sessionId, 2, 'utf8');
  b[idLen + 2] = NUL;
  b[idLen + 3] = TAG_EVENT;
  writeSeq(b, idLen + 4, seq);
  return b;
}

export const catalogKey = (prefix: Buffer): Buffer => tagged(prefix, TAG_CATALOG);
export const configKey = (prefix: Buffer): Buffer => tagged(prefix, TAG_CONFIG);
export const eventKey = (prefix: Buffer, seq: number): Buffer => taggedSeq(prefix, TAG_EVENT, seq);
export const snapshotKey = (prefix: Buffer, seq: number): Buffer => taggedSeq(prefix, TAG_SNAPSHOT, seq);

/** Events with `seq >= fromSeq`. */
export function eventRange(prefix: Buffer, fromSeq = 0): KeyRange {
  return { gte: eventKey(prefix, fromSeq), lt: tagged(prefix, TAG_EVENT + 1) };
}

export function snapshotRange(prefix: Buffer): KeyRange {
  return { gte: tagged(prefix, TAG_SNAPSHOT), lt: tagged(prefix, TAG_SNAPSHOT + 1) };
}

/** Reads the sequence number of an event or snapshot key; null when the key has the wrong shape. */
export function seqOfKey(prefix: Buffer, key: Buffer): number | null {
  if (key.length !== prefix.length + 1 + SEQ_BYTES) return null;
  return readSeq(key, prefix.length + 1);
}

// Newest first: invert the timestamp so that ascending byte order is descending time.
function inverted(updatedAt: number): number {
  return Number.MAX_SAFE_INTEGER - updatedAt;
}

/** `<inv(updatedAt)><id>`: a session's position in newest-first order; also the listing cursor. */
export function listingSuffix(updatedAt: number, sessionId: string): Buffer {
  const idLen = Buffer.byteLength(sessionId, 'utf8');
  const b = Buffer.allocUnsafe(SEQ_BYTES + idLen);
  writeSeq(b, 0, inverted(updatedAt));
  b.write(sessionId, SEQ_BYTES, 'utf8');
  return b;
}

export const UPDATED_INDEX_PREFIX: Buffer = Buffer.from([SPACE_UPDATED, NUL]);

/** `u\0<inv(updatedAt)><id>`: the newest-first index, re-keyed in the append batch whenever updatedAt moves. */
export function updatedIndexKey(updatedAt: number, sessionId: string): Buffer {
  const idLen = Buffer.byteLength(sessionId, 'utf8');
  const b = Buffer.allocUnsafe(2 + SEQ_BYTES + idLen);
  b[0] = SPACE_UPDATED;
  b[1] = NUL;
  writeSeq(b, 2, inverted(updatedAt));
  b.write(sessionId, 2 + SEQ_BYTES, 'utf8');
  return b;
}

/** Listing position (`listingSuffix`) of an updated-index key. */
export function suffixOfUpdatedKey(key: Buffer): Buffer {
  return key.subarray(2);
}

export function sessionIdOfSuffix(suffix: Buffer): string {
  return suffix.toString('utf8', SEQ_BYTES);
}

/** `m\0`: the space of the metadata index. */
export const METADATA_INDEX_SPACE: Buffer = Buffer.from([SPACE_META, NUL]);

/** `m\0<key>\0<value>\0`: prefix of the sessions whose metadata has `key = value`. */
export function metadataIndexPrefix(key: string, value: string): Buffer {
  return Buffer.from(`m\0${key}\0${value}\0`, 'utf8');
}

/**
 * `m\0<key>\0<value>\0<id>`, one per metadata pair. Written when a pair is set and never re-keyed on append
 * (that would cost two more writes per append per pair); filtered listing sorts the matching sessions itself.
 */
export function metadataIndexKey(key: string, value: string, sessionId: string): Buffer {
  return Buffer.from(`m\0${key}\0${value}\0${sessionId}`, 'utf8');
}

/** The session id of a `u` or `m` index key (metadata keys and values hold no NUL: the third NUL ends them). */
export function sessionIdOfIndexKey(key: Buffer): string {
  if (key[0] === SPACE_META) return key.toString('utf8', key.indexOf(NUL, key.indexOf(NUL, 2) + 1) + 1);
  return key.toString('utf8', 2 + SEQ_BYTES);
}

/** Everything strictly after `prefix`: `[prefix, prefix with its last byte + 1)`. */
export function prefixRange(prefix: Buffer): KeyRange {
  const lt = Buffer.from(prefix);
  lt[lt.length - 1] = (lt[lt.length - 1] ?? 0) + 1;
  return { gte: prefix, lt };
}

export function tombstoneKey(sessionId: string): Buffer {
  return Buffer.concat([Buffer.from([SPACE_TOMBSTONE, NUL]), Buffer.from(sessionId, 'utf8')]);
}

export function tombstoneRange(): KeyRange {
  return prefixRange(Buffer.from([SPACE_TOMBSTONE, NUL]));
}

export function sessionIdOfTombstone(key: Buffer): string {
  return key.toString('utf8', 2);
}
