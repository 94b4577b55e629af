import { rm } from 'node:fs/promises';
import { startTestPostgres, type TestPostgres } from '@shoal/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from './runtime.js';
import { assistantText, EventLog, SHARD_MODES, tempDir } from './test-support/harness.js';

// The runtime on `store: 'postgres'`: one PostgreSQL for the file, a fresh database per runtime.
let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

interface PgRuntime {
  runtime: Runtime;
  dataDir: string;
  connectionString: string;
}

async function startPg(shards: number, connectionString?: string, dataDir?: string): Promise<PgRuntime> {
  const url = connectionString ?? (await server.createDatabase());
  const dir = dataDir ?? (await tempDir());
  const runtime = await Runtime.start({
    store: 'postgres',
    postgres: { connectionString: url },
    dataDir: dir,
    shards,
    logLevel: 'silent',
  });
  return { runtime, dataDir: dir, connectionString: url };
}

async function turn(rt: Runtime, id: string, text: string): Promise<void> {
  const log = await EventLog.open(rt, id);
  const { opId } = await rt.submitUserInput(id, text);
  await log.waitFor('OperationCompleted', (e) => e.opId === opId);
  await log.close();
}

describe.each(SHARD_MODES)("Runtime on store: 'postgres' (shards: %i)", (shards) => {
  const started: PgRuntime[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) {
      await s.runtime.shutdown();
      await rm(s.dataDir, { recursive: true, force: true });
    }
  });

  it('runs a turn end to end; events are contiguous and the workspace is under dataDir', async () => {
    const h = await startPg(shards);
    started.push(h);
    const rt = h.runtime;
    const id = await rt.createSession({ title: 'pg', metadata: { tenant: 'acme' } });
    const log = await EventLog.open(rt, id);
    const { opId } = await rt.submitUserInput(id, 'hello there');
    expect(assistantText(await log.waitFor('AssistantMessageAdded'))).toBe('echo: hello there');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    await log.close();
    const stored = await rt.loadEventsAfter(id, -1);
    expect(stored[0]?.event.type).toBe('SessionCreated');
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i));
    const created = stored[0]!.event;
    if (created.type !== 'SessionCreated') throw new Error('first event is not SessionCreated');
    expect(created.config.workspace).toMatchObject({ type: 'local' });
    expect(JSON.stringify(created.config.workspace)).toContain(h.dataDir);
    expect(await rt.listAllSessions()).toEqual([id]);
    const summary = await rt.eventStore.getSessionSummary(id);
    expect(summary).toMatchObject({ messageCount: 2, metadata: { tenant: 'acme' } });
  });

  it('suspends and resumes a session from the database, and deletes it', async () => {
    const h = await startPg(shards);
    started.push(h);
    const rt = h.runtime;
    const id = await rt.createSession();
    await turn(rt, id, 'before');
    const before = await rt.getSessionState(id);
    await rt.suspendSession(id);
    expect(await rt.isSessionActive(id)).toBe(false);
    const after = await rt.getSessionState(id);
    expect(after.messages).toEqual(before.messages);
    await turn(rt, id, 'after');
    const all = await rt.loadEventsAfter(id, -1);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    await rt.deleteSession(id);
    expect(await rt.sessionExists(id)).toBe(false);
    expect(await rt.loadEventsAfter(id, -1)).toEqual([]);
  });

  it('a restart with another shard count keeps every session, its history and its numbering', async () => {
    const first = await startPg(shards);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await first.runtime.createSession();
      await turn(first.runtime, id, `turn ${i}`);
      ids.push(id);
    }
    const states = new Map<string, unknown>();
    for (const id of ids) states.set(id, (await first.runtime.getSessionState(id)).messages);
    await first.runtime.shutdown();
    const other = shards === 0 ? 2 : 0;
    const second = await startPg(other, first.connectionString, first.dataDir);
    started.push(second);
    const rt = second.runtime;
    expect(rt.shardCount).toBe(Math.max(1, other));
    expect([...(await rt.listAllSessions())].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect((await rt.getSessionState(id)).messages).toEqual(states.get(id));
      await turn(rt, id, 'again');
      const all = await rt.loadEventsAfter(id, -1);
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    }
  });
});

describe("Runtime options for store: 'postgres'", () => {
  it('refuses the postgres store without a connection string, and an unreachable server', async () => {
    await expect(Runtime.start({ store: 'postgres', logLevel: 'silent' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const dataDir = await tempDir();
    try {
      await expect(
        Runtime.start({
          store: 'postgres',
          postgres: { connectionString: 'postgres://nobody@127.0.0.1:1/none' },
          dataDir,
          shards: 0,
          logLevel: 'silent',
        }),
      ).rejects.toMatchObject({ code: 'EVENT_STORE' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
