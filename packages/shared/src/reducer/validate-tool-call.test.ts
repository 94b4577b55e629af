// spec §3.2.7
import { describe, expect, it } from 'vitest';
import { call, schema } from './test-support/fixtures.js';
import { compiledToolSchema, validateToolCall } from './validate-tool-call.js';

const tools = [
  schema('bash', {
    type: 'object',
    properties: { command: { type: 'string' }, timeout: { type: 'number' } },
    required: ['command'],
    additionalProperties: false,
  }),
  schema('weird', { type: 'object', 'x-provider-extension': true }),
  schema('broken', { type: 'not-a-type' }),
];

describe('validateToolCall (§3.2.7)', () => {
  it('checks in order: blank name, blank id, no schemas, unknown tool, broken schema, params', () => {
    expect(validateToolCall(tools, call('id', '  ', {}))).toEqual({
      type: 'InvalidParams',
      toolName: 'unknown',
      message: 'malformed tool call: tool name missing',
    });
    expect(validateToolCall(tools, call(' ', 'bash', {}))).toMatchObject({
      type: 'InvalidParams',
      toolName: 'bash',
    });
    expect(validateToolCall([], call('id', 'anything', 42))).toBeUndefined();
    expect(validateToolCall(tools, call('id', 'nope', {}))).toEqual({
      type: 'UnknownTool',
      toolName: 'nope',
    });
    const broken = validateToolCall(tools, call('id', 'broken', {}));
    expect(broken?.type).toBe('InternalError');
    expect(validateToolCall(tools, call('id', 'bash', { command: 'ls' }))).toBeUndefined();
    expect(validateToolCall(tools, call('id', 'weird', { anything: 1 }))).toBeUndefined();
    const missing = validateToolCall(tools, call('id', 'bash', {}));
    expect(missing).toMatchObject({ type: 'InvalidParams', toolName: 'bash' });
    expect(missing?.type === 'InvalidParams' ? missing.message : '').toContain('command');
    const wrongType = validateToolCall(tools, call('id', 'bash', { command: 1 }));
    expect(wrongType?.type === 'InvalidParams' ? wrongType.message : '').toContain('/command');
  });

  it('reuses compiled validators (same object, and equal schemas held by other sessions)', () => {
    const a = [schema('t', { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] })];
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    const first = compiledToolSchema(a[0]!.inputSchema);
    expect(first.ok).toBe(true);
    expect(compiledToolSchema(a[0]!.inputSchema)).toBe(first);
    expect(compiledToolSchema(b[0]!.inputSchema)).toBe(first);
    const other = { type: 'object', properties: { n: { type: 'string' } } };
    expect(compiledToolSchema(other)).not.toBe(first);
    expect(validateToolCall(a, call('id', 't', { n: 1 }))).toBeUndefined();
    expect(validateToolCall(b, call('id', 't', { n: 'x' }))?.type).toBe('InvalidParams');
  });

  it('caches a schema that does not compile as the failure', () => {
    const broken = { type: 'object', properties: { n: { type: 'no-such-type' } } };
    const first = compiledToolSchema(broken);
    expect(first.ok).toBe(false);
    expect(compiledToolSchema(broken)).toBe(first);
  });
});
