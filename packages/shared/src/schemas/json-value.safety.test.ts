import { describe, expect, it } from 'vitest';
import { ActionSchema } from './actions.js';
import { SessionConfigSchema } from './config.js';
import { ToolCallSchema, ToolSchemaSchema } from './content.js';
import { SessionEventSchema } from './events.js';
import { copyJsonValue, JSON_VALUE_LIMITS, JsonValueSchema } from './json-value.js';

/** `{"a":{"a":…}}` nested `depth` levels. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const sessionId = 's1';

describe('bounded JSON values at the schema boundary', () => {
  it('accepts plain JSON and returns a plain copy', () => {
    const value = { a: [1, 'two', null, true, { b: -0.5 }], c: {} };
    const r = JsonValueSchema.safeParse(value);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(value);
    expect(r.data).not.toBe(value);
    expect(JsonValueSchema.safeParse(nested(JSON_VALUE_LIMITS.maxDepth - 1)).success).toBe(true);
  });

  it.each([
    ['a function', () => 1],
    ['a Symbol', Symbol('s')],
    ['a bigint', 10n],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['JSON nested 5,000 deep', nested(5_000)],
    ['JSON nested one level too deep', nested(JSON_VALUE_LIMITS.maxDepth + 1)],
    ['an object with a function inside', { ok: 1, nested: [{ f: () => 1 }] }],
    ['an object with a symbol key', { [Symbol('k')]: 1 }],
  ])('rejects %s with a zod issue', (_what, value) => {
    const r = JsonValueSchema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.code).toBe('custom');
  });

  it('names where the problem is', () => {
    const r = JsonValueSchema.safeParse({ ok: 1, nested: [{ f: () => 1 }] });
    expect(r.error?.issues[0]?.path).toEqual(['nested', 0, 'f']);
  });

  it('never runs a getter and survives a throwing Proxy', () => {
    let ran = false;
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        ran = true;
        return 1;
      },
    });
    expect(JsonValueSchema.safeParse(getter).success).toBe(false);
    expect(ran).toBe(false);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const r = JsonValueSchema.safeParse(hostile);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('trap');
  });

  it('keeps a __proto__ data key as data (JSON.parse makes one)', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const r = copyJsonValue(parsed);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value as object)).toEqual(['__proto__', 'a']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('rejects a value over the size limit', () => {
    const r = copyJsonValue({ big: 'x'.repeat(100) }, { maxDepth: 64, maxSize: 50 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toContain('larger than 50');
  });

  // Every free-form field reachable from a public action, an event or a config.
  it('guards tool-call parameters, toolParameters, inputSchema, source and transport', () => {
    const deep = nested(5_000);
    expect(ToolCallSchema.safeParse({ id: 't', name: 'ls', parameters: deep }).success).toBe(false);
    expect(
      ActionSchema.safeParse({
        type: 'ToolExecutionStarted',
        sessionId,
        opId: 'o',
        toolCallId: 't',
        toolName: 'ls',
        toolParameters: () => 1,
      }).success,
    ).toBe(false);
    expect(
      ActionSchema.safeParse({
        type: 'ToolApprovalRequested',
        sessionId,
        requestId: 'r',
        toolCall: { id: 't', name: 'bash', parameters: Symbol('s') },
      }).success,
    ).toBe(false);
    expect(
      ActionSchema.safeParse({ type: 'ToolSchemasUpdated', sessionId, schemas: [], source: deep }).success,
    ).toBe(false);
    expect(
      ToolSchemaSchema.safeParse({ name: 'x', description: 'd', inputSchema: { type: 'object', d: deep } })
        .success,
    ).toBe(false);
    expect(
      SessionEventSchema.safeParse({
        type: 'ToolCallStarted',
        id: 't',
        name: 'ls',
        parameters: deep,
        model: { provider: 'simulated', id: 'sim' },
      }).success,
    ).toBe(false);
    const configWith = (transport: unknown) =>
      SessionConfigSchema.safeParse({
        workspace: { type: 'local', path: '/tmp/w' },
        defaultModel: { provider: 'simulated', id: 'sim' },
        toolConfig: { backends: [{ type: 'Mcp', serverName: 'm', transport, toolFilter: { type: 'All' } }] },
      });
    expect(configWith({ command: 'x' }).success).toBe(true);
    expect(configWith(() => 1).success).toBe(false);
  });
});
