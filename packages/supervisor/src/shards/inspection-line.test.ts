import { MessageChannel } from 'node:worker_threads';
import type { ShardInspection, ShardStats } from '@shoal/session-worker';
import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../errors/runtime-error.js';
import { InspectionLine } from './inspection-line.js';

const closed = () => new RuntimeError('SESSION', 'the thread ended');

/** A far end whose `stats` never answers, and whose `residentSessions` answers at once. */
function farEnd(): ShardInspection {
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
  return {
    stats: never<ShardStats>,
    residentSessions: async () => [],
    heap: never,
    setLogLevel: async () => undefined,
    chaos: async () => undefined,
  };
}

describe('InspectionLine (comlink over one MessageChannel)', () => {
  it('answers calls, and fails the ones still waiting when the other end goes away', async () => {
    const { port1, port2 } = new MessageChannel();
    expose(farEnd(), port2);
    const line = new InspectionLine(port1, closed);
    expect(await line.residentSessions()).toEqual([]);
    const waiting = line.stats();
    port2.close(); // what a dying thread does to its end
    await expect(waiting).rejects.toMatchObject({ code: 'SESSION', message: 'the thread ended' });
    await expect(line.residentSessions()).rejects.toBeInstanceOf(RuntimeError);
  });

  it('close() fails what waits with the error it is given, once', async () => {
    const { port1, port2 } = new MessageChannel();
    expose(farEnd(), port2);
    const line = new InspectionLine(port1, closed);
    const waiting = line.heap();
    line.close(new RuntimeError('SHUTTING_DOWN', 'stopping'));
    line.close(new RuntimeError('SESSION', 'ignored'));
    await expect(waiting).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(line.setLogLevel('info')).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    port2.close();
  });
});
