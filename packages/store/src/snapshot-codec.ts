import { decodeAny } from './codec.js';
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
