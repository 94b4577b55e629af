import v8 from 'node:v8';

/*
 * Every stored value starts with one format byte, so a record can be recognised (and the format changed later)
 * without guessing. Events and catalog records are UTF-8 JSON: faster than v8.serialize to encode and decode
 * for typical events (bench/store/encoding-bench.mjs; numbers in BENCHMARKS.md / the README), portable, and readable with
 * any LevelDB tool. Snapshots use v8.serialize because they are opaque structured-cloneable values (Map, Date,
 * undefined, ... survive) and are written rarely.
 */
export const FORMAT_JSON = 0x01;
export const FORMAT_V8 = 0x02;

/** Encodes a JSON value as `[FORMAT_JSON][utf8]`. Throws (TypeError) on cycles or BigInt, as JSON.stringify does. */
export function encodeJson(value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('value is not representable as JSON');
  // One native pass instead of byteLength + allocUnsafe + write.
  return Buffer.from(`\x01${text}`, 'utf8');
}

/** Decodes `[FORMAT_JSON][utf8]`; throws on any other format byte or malformed JSON. */
export function decodeJson(buf: Buffer): unknown {
  if (buf.length < 2 || buf[0] !== FORMAT_JSON) {
    throw new TypeError(`unknown value format byte ${buf.length === 0 ? 'none' : String(buf[0])}`);
  }
  return JSON.parse(buf.toString('utf8', 1));
}

export function encodeV8(value: unknown): Buffer {
  const body = v8.serialize(value);
  const buf = Buffer.allocUnsafe(body.length + 1);
  buf[0] = FORMAT_V8;
  body.copy(buf, 1);
  return buf;
}

/** Decodes either format (snapshots are v8, but a JSON record is accepted too). */
export function decodeAny(buf: Buffer): unknown {
  if (buf[0] === FORMAT_V8) return v8.deserialize(buf.subarray(1));
  return decodeJson(buf);
}
