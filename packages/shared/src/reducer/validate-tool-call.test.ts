// spec §3.2.7
import { describe, expect, it } from 'vitest';
import { call, schema } from './test-support/fixtures.js';
import { validateToolCall } from './validate-tool-call.js';

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
    const b = JSON.parse(JSON.stringify(a));
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      expect(validateToolCall(i % 2 === 0 ? a : b, call('id', 't', { n: i }))).toBeUndefined();
    }
    // 2000 validations are far cheaper than even a handful of ajv compilations would be
    expect(performance.now() - started).toBeLessThan(1000);
    expect(validateToolCall(b, call('id', 't', { n: 'x' }))?.type).toBe('InvalidParams');
  });
});
