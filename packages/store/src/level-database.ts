import { Level } from 'level';
import { StoreError, toStoreError } from './errors.js';
import type { BatchOp, BatchWriter } from './group-commit.js';
import { FORMAT_KEY, FORMAT_VERSION } from './keys.js';

/** The store's one LevelDB database: keys and values are raw bytes (layout: keys.ts). */
export type LevelDb = Level<Buffer, Buffer>;
export type LevelSnapshot = ReturnType<LevelDb['snapshot']>;

/** Opens the LevelDB at `path`; its lock held by another process or store fails with LOCKED. */
export async function openDatabase(path: string): Promise<LevelDb> {
  const db: LevelDb = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    await db.open();
  } catch (err) {
    throw openError(path, err);
  }
  return db;
}

/**
 * Writes a group-commit batch as a chained batch, not `db.batch(array)`: abstract-level normalises every op of
 * an array batch on the main thread, which costs several times more JS time per op (README "Group commit").
 */
export function chainedBatchWriter(db: LevelDb, sync: boolean): BatchWriter {
  return (ops: BatchOp[]): Promise<void> => {
    const batch = db.batch();
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
    return batch.write({ sync });
  };
}

/** Stamps a new database with the format version, or refuses one written in another format. */
export async function checkFormat(db: LevelDb, path: string): Promise<void> {
  const format = await db.get(FORMAT_KEY);
  if (format === undefined) {
    await db.put(FORMAT_KEY, Buffer.from(FORMAT_VERSION), { sync: true });
  } else if (format.toString() !== FORMAT_VERSION) {
    throw new StoreError(
      'IO',
      `${path} has store format ${format.toString()}, this version reads ${FORMAT_VERSION}`,
    );
  }
}

/** One value, read errors mapped to StoreError naming the session. */
export async function readValue(
  db: LevelDb,
  key: Buffer,
  sessionId: string,
  snapshot?: LevelSnapshot,
): Promise<Buffer | undefined> {
  try {
    return await (snapshot === undefined ? db.get(key) : db.get(key, { snapshot }));
  } catch (err) {
    throw toStoreError(err, `read session ${sessionId}`, sessionId);
  }
}

/** Runs `fn` on an explicit snapshot, so everything it reads is as of one moment, and closes the snapshot. */
export async function withSnapshot<T>(db: LevelDb, fn: (snapshot: LevelSnapshot) => Promise<T>): Promise<T> {
  const snapshot = db.snapshot();
  try {
    return await fn(snapshot);
  } finally {
    await snapshot.close();
  }
}

/**
 * Closes a database whose open failed after LevelDB opened it. `closed` false: LevelDB may still hold its lock,
 * and the error says that closing failed too.
 */
export async function closeAfterFailedOpen(
  db: LevelDb,
  path: string,
  err: unknown,
): Promise<{ error: StoreError; closed: boolean }> {
  const failure = toStoreError(err, `open ${path}`);
  const closeErr = await db.close().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (closeErr === undefined) return { error: failure, closed: true };
  const message = `${failure.message} (closing it again also failed: ${String(closeErr)})`;
  return {
    error: new StoreError(failure.code, message, { cause: new AggregateError([err, closeErr]) }),
    closed: false,
  };
}

function openError(path: string, err: unknown): StoreError {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new StoreError('LOCKED', `cannot open ${path}: it is held by another open store (LevelDB lock)`, {
      cause: err,
    });
  }
  return toStoreError(err, `open ${path}`);
}
