import { decodeAny, encodeV8 } from './codec.js';
import { StoreError } from './errors.js';
import type { EncodedSnapshot } from './event-store.js';

/** Decodes what `loadLatestSnapshotEncoded` returned; an undecodable value fails with CORRUPT_RECORD. */
export function decodeSnapshot(sessionId: string, snap: EncodedSnapshot): unknown {
  const { seq, encoded } = snap;
  try {
    return decodeAny(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength));
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: snapshot at seq ${seq} cannot be decoded`, {
      sessionId,
      seq,
      cause: err,
    });
  }
}

/** Encodes a snapshot (v8 serialization); a value that is not structured-cloneable fails with INVALID_ARGUMENT. */
export function encodeSnapshot(sessionId: string, snapshot: unknown): Buffer {
  try {
    return encodeV8(snapshot);
  } catch (err) {
    throw new StoreError('INVALID_ARGUMENT', `session ${sessionId}: snapshot is not structured-cloneable`, {
      sessionId,
      cause: err,
    });
  }
}
