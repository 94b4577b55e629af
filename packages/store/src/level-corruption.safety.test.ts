import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent } from '@shoal/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreError } from './errors.js';
import { LevelEventStore } from './level-event-store.js';
import { textOf, userMessage } from './test-support/fixtures.js';

/*
 * Real LevelDB files, damaged on disk the way a bad sector or a stray write would: a flipped byte in the
 * write-ahead log (`*.log`) or in a table file (`*.ldb`). A damaged session must fail its read with
 * CORRUPT_RECORD naming the session and a seq; every other session must read exactly what was written.
 */

const SESSIONS = 40;
const ROUNDS = 30;
const ids = Array.from({ length: SESSIONS }, (_, i) => `s${i}`);

/** Incompressible-ish filler so the log spans many 32 KiB blocks and text survives compression literally. */
function filler(seed: number): string {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < 160; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out += String.fromCharCode(97 + (x % 26));
  }
  return out;
}

const marker = (id: string, round: number): string => `M-${id}-r${round}-`;
const textFor = (id: string, round: number): string =>
  `${marker(id, round)}${filler(round * 1000 + id.length)}`;

/** A clock that moves a second per call, so every append rewrites the catalog record (as busy sessions do). */
function ticking(): () => number {
  let t = 1_700_000_000_000;
  return () => {
    t += 1000;
    return t;
  };
}

async function writeSessions(path: string): Promise<void> {
  const store = await LevelEventStore.open(path, { durability: 'buffered', now: ticking() });
  for (const id of ids) await store.createSession(id);
  for (let round = 0; round < ROUNDS; round++) {
    // One group commit per round: a batch holding one event of every session.
    await Promise.all(ids.map((id) => store.append(id, [userMessage(textFor(id, round))])));
  }
  await store.close();
}

type Outcome = 'intact' | { corrupt: number } | { wrong: string };

/** Reads every session: intact, CORRUPT_RECORD (checked to name session and seq), or anything else. */
async function readAll(path: string): Promise<Map<string, Outcome>> {
  const store = await LevelEventStore.open(path);
  const out = new Map<string, Outcome>();
  try {
    for (const id of ids) {
      try {
        const events = await store.loadEvents(id);
        const texts = events.map((e) => textOf(e.event as SessionEvent));
        const expected = Array.from({ length: ROUNDS }, (_, r) => textFor(id, r));
        const seqsOk = events.every((e, i) => e.seq === i);
        out.set(
          id,
          seqsOk && JSON.stringify(texts) === JSON.stringify(expected)
            ? 'intact'
            : { wrong: `read ${events.length} events without an error` },
        );
      } catch (err) {
        if (isStoreError(err, 'CORRUPT_RECORD') && err.sessionId === id && err.seq !== undefined) {
          expect(err.message).toContain(`session ${id}`);
          expect(err.message).toContain(`seq ${err.seq}`);
          out.set(id, { corrupt: err.seq });
        } else {
          out.set(id, { wrong: String((err as { code?: string }).code ?? err) });
        }
      }
    }
  } finally {
    await store.close();
  }
  return out;
}

function filesOf(path: string, suffix: string): string[] {
  return readdirSync(path)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(path, f));
}

function flip(file: string, offset: number): void {
  const buf = readFileSync(file);
  buf[offset] = buf[offset]! ^ 0x20;
  writeFileSync(file, buf);
}

describe('LevelEventStore: damaged files on disk', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'shoal-corrupt-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a flipped byte in the write-ahead log fails exactly the sessions that lost events', async () => {
    const path = join(fresh(), 'db');
    await writeSessions(path);
    // The batches are still in the log: LevelDB replays it on the next open.
    const [log] = filesOf(path, '.log').sort((a, b) => statSync(b).size - statSync(a).size);
    expect(log, 'a write-ahead log').toBeDefined();
    const bytes = readFileSync(log!);
    const at = bytes.indexOf(marker('s7', 10));
    expect(at, 'the marker is in the log').toBeGreaterThan(0);
    flip(log!, at + 3);

    const outcomes = await readAll(path);
    const wrong = [...outcomes].filter(([, o]) => typeof o === 'object' && 'wrong' in o);
    expect(wrong, 'no session may read short or altered without an error').toEqual([]);
    // s7's round-10 batch was in the dropped log block and later rounds survived: its log has a gap.
    expect(outcomes.get('s7')).toEqual({ corrupt: expect.any(Number) });
    const corrupt = [...outcomes.values()].filter((o) => o !== 'intact').length;
    expect(corrupt).toBeGreaterThan(0);

    // The damage is not healed by reopening, and the session list is still one entry per session.
    const store = await LevelEventStore.open(path);
    try {
      await expect(store.loadEventsAfter('s7', -1)).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
      expect(await store.listSessionIds()).toHaveLength(SESSIONS);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a byte LevelDB reports as damaged in a table file is CORRUPT_RECORD, for those sessions only', async () => {
    const pristine = join(fresh(), 'db');
    await writeSessions(pristine);
    // Reopening replays the log into a table file (level 0).
    await (await LevelEventStore.open(pristine)).close();
    const [table] = filesOf(pristine, '.ldb').sort((a, b) => statSync(b).size - statSync(a).size);
    expect(table, 'a table file').toBeDefined();
    const size = statSync(table!).size;
    const name = table!.slice(pristine.length + 1);

    // Not every flip is visible: LevelDB does not verify block checksums on reads (classic-level does not
    // expose it), so a flip inside a compressed literal changes a value silently (README "Corruption"). Try
    // flips through the data blocks until LevelDB reports one, then check how the store surfaces it.
    let found: Map<string, Outcome> | undefined;
    for (let offset = Math.floor(size / 4); offset < (size * 3) / 4 && found === undefined; offset += 211) {
      const work = join(fresh(), 'db');
      cpSync(pristine, work, { recursive: true });
      flip(join(work, name), offset);
      const outcomes = await readAll(work).catch(() => undefined);
      if (outcomes === undefined) continue; // the flip broke the open itself (index block, footer)
      const values = [...outcomes.values()];
      const reported = values.some(
        (o) => typeof o === 'object' && ('corrupt' in o || !o.wrong.includes('without')),
      );
      if (reported) found = outcomes;
    }
    expect(found, 'some flip in the table file is reported by LevelDB').toBeDefined();
    const values = [...found!.values()];
    const wrong = [...found!].filter(([, o]) => typeof o === 'object' && 'wrong' in o);
    expect(wrong, 'every reported damage is CORRUPT_RECORD, nothing is silently short').toEqual([]);
    expect(values.filter((o) => o === 'intact').length).toBeGreaterThan(0);
    expect(values.filter((o) => o !== 'intact').length).toBeGreaterThan(0);
  }, 120_000);
});
