import type { ToolResult } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errOf, runTool } from './test-support/run-tool.js';
import { ctxFor, useTempWorkspace } from './test-support/temp-workspace.js';
import type { Tool } from './tool.js';
import { ToolExecutor } from './tool-executor.js';
import { ToolFailure } from './tool-failure.js';

const temp = useTempWorkspace();

describe('ToolExecutor', () => {
  it('offers the seven built-in tools with JSON Schemas matching their params', () => {
    const schemas = new ToolExecutor().schemas();
    expect(schemas.map((s) => s.name)).toEqual([
      'bash',
      'read_file',
      'write_file',
      'edit_file',
      'ls',
      'glob',
      'grep',
    ]);
    const byName = Object.fromEntries(schemas.map((s) => [s.name, s.inputSchema]));
    expect(byName.bash).toMatchObject({ type: 'object', required: ['command'] });
    expect(Object.keys(byName.bash?.properties as object)).toEqual(['command', 'timeout']);
    expect(byName.read_file).toMatchObject({ required: ['file_path'] });
    expect(Object.keys(byName.read_file?.properties as object)).toEqual(['file_path', 'offset', 'limit']);
    expect(byName.write_file).toMatchObject({ required: ['file_path', 'content'] });
    expect(byName.edit_file).toMatchObject({ required: ['file_path', 'old_string', 'new_string'] });
    expect(byName.ls).toMatchObject({ type: 'object', properties: { path: { type: 'string' } } });
    expect(byName.glob).toMatchObject({ required: ['pattern'] });
    expect(byName.grep).toMatchObject({ required: ['pattern'] });
    for (const s of schemas) {
      expect(s.description.length).toBeGreaterThan(0);
      expect(s.inputSchema.$schema).toBeUndefined();
    }
  });

  it('unknown tool → UnknownTool', async () => {
    const { ws } = await temp();
    expect(await errOf(runTool(ws, 'web_fetch', {}))).toEqual({ type: 'UnknownTool', toolName: 'web_fetch' });
  });

  it.each([
    ['bash', {}],
    ['bash', { command: 1 }],
    ['read_file', { file_path: 'a', limit: -1 }],
    ['write_file', { file_path: 'a' }],
    ['edit_file', 'not an object'],
    ['glob', { pattern: '' }],
  ])('invalid params for %s → InvalidParams', async (name, params) => {
    const { ws } = await temp();
    const e = await errOf(runTool(ws, name, params));
    expect(e).toMatchObject({ type: 'InvalidParams', toolName: name, message: expect.any(String) });
  });

  it('maps failures: ToolFailure → Execution, CANCELLED/abort → Cancelled, other errors → InternalError', async () => {
    const { ws } = await temp();
    const mk = (run: Tool['run']): Tool => ({
      name: 't',
      displayName: 'T',
      description: 'd',
      params: z.object({}),
      run,
    });
    const call = { id: '1', name: 't', parameters: {} };
    const fail = new ToolExecutor([mk(async () => Promise.reject(new ToolFailure('IO', 'disk on fire')))]);
    expect(await fail.execute(call, ctxFor(ws))).toEqual({
      ok: false,
      error: { type: 'Execution', toolName: 't', message: 'disk on fire' },
    });
    const boom = new ToolExecutor([mk(async () => Promise.reject(new Error('bug')))]);
    expect(await boom.execute(call, ctxFor(ws))).toEqual({
      ok: false,
      error: { type: 'InternalError', message: 'bug' },
    });
    const ac = new AbortController();
    const aborting = new ToolExecutor([
      mk(async () => {
        ac.abort();
        throw new Error('interrupted');
      }),
    ]);
    expect(await aborting.execute(call, ctxFor(ws, ac.signal))).toEqual({
      ok: false,
      error: { type: 'Cancelled', toolName: 't' },
    });
    const value: ToolResult = { type: 'External', toolName: 't', payload: 'p' };
    const ok = new ToolExecutor([mk(async () => value)]);
    expect(await ok.execute(call, ctxFor(ws))).toEqual({ ok: true, value });
  });

  it('missing parameters are treated as an empty object', async () => {
    const { ws } = await temp();
    const o = await new ToolExecutor().execute({ id: '1', name: 'ls', parameters: undefined }, ctxFor(ws));
    expect(o.ok).toBe(true);
  });
});
