import { type Message, type ModelId, type ToolResult, titlePrompt } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import { ModelCallError } from './model-call-error.js';
import type { ModelRequest, ProviderDelta } from './model-provider.js';
import { extractTitleUserPrompt, parseScript, requestChars, SimulatedProvider } from './simulated.js';

const model: ModelId = { provider: 'simulated', id: 'sim' };
let seq = 0;
const user = (text: string): Message => ({
  role: 'user',
  id: `u${++seq}`,
  parentMessageId: null,
  timestamp: 1,
  content: [{ type: 'text', text }],
});
const assistant = (text: string): Message => ({
  role: 'assistant',
  id: `a${++seq}`,
  parentMessageId: null,
  timestamp: 1,
  content: [{ type: 'text', text }],
});
const toolMsg = (payload: string): Message => {
  const result: ToolResult = { type: 'External', toolName: 'x', payload };
  return { role: 'tool', id: `t${++seq}`, parentMessageId: null, timestamp: 1, toolUseId: `c${seq}`, result };
};
const req = (messages: Message[], extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model,
  messages,
  tools: [],
  signal: new AbortController().signal,
  purpose: 'turn',
  ...extra,
});

async function run(p: SimulatedProvider, r: ModelRequest) {
  const deltas: ProviderDelta[] = [];
  const res = await p.complete(r, (d) => deltas.push(d));
  return { res, deltas };
}

describe('SimulatedProvider (api.md "The simulated model")', () => {
  it('echoes plain lines, streaming 4-character text chunks that add up to the reply', async () => {
    const { res, deltas } = await run(new SimulatedProvider(), req([user('hello\nworld')]));
    expect(res.content).toEqual([{ type: 'text', text: 'echo: hello\nworld' }]);
    expect(deltas.every((d) => d.type === 'text' && d.delta.length <= 4)).toBe(true);
    expect(deltas.map((d) => (d.type === 'text' ? d.delta : '')).join('')).toBe('echo: hello\nworld');
  });

  it('reports usage as ceil(chars/4) of the request and of the reply', async () => {
    const messages = [user('hello')];
    const systemContext = { prompt: 'be brief' };
    const { res } = await run(new SimulatedProvider(), req(messages, { systemContext }));
    const input = Math.ceil(('be brief'.length + 'hello'.length) / 4);
    const output = Math.ceil('echo: hello'.length / 4);
    expect(requestChars({ messages, systemContext })).toBe(13);
    expect(res.usage).toEqual({ inputTokens: input, outputTokens: output, totalTokens: input + output });
  });

  it('turns /tool lines into tool calls with unique ids and streams their arguments', async () => {
    const p = new SimulatedProvider();
    const text = 'do it\n/tool read_file {"file_path":"a.txt"}\n/tool ls';
    const { res, deltas } = await run(p, req([user(text)]));
    const calls = res.content.filter((c) => c.type === 'tool_call');
    expect(res.content[0]).toEqual({ type: 'text', text: 'echo: do it' });
    expect(
      calls.map((c) => (c.type === 'tool_call' ? [c.toolCall.name, c.toolCall.parameters] : [])),
    ).toEqual([
      ['read_file', { file_path: 'a.txt' }],
      ['ls', {}],
    ]);
    const ids = calls.map((c) => (c.type === 'tool_call' ? c.toolCall.id : ''));
    expect(new Set(ids).size).toBe(2);
    const again = await run(p, req([user(text)]));
    const ids2 = again.res.content.map((c) => (c.type === 'tool_call' ? c.toolCall.id : ''));
    expect(ids2.filter((id) => ids.includes(id))).toEqual([]);
    expect(deltas.filter((d) => d.type === 'tool_call_args')).toEqual([
      { type: 'tool_call_args', toolCallId: ids[0], delta: '{"file_path":"a.txt"}' },
      { type: 'tool_call_args', toolCallId: ids[1], delta: '{}' },
    ]);
  });

  it('a script of only tool calls has no text block', async () => {
    const { res } = await run(new SimulatedProvider(), req([user('/tool ls {}')]));
    expect(res.content.map((c) => c.type)).toEqual(['tool_call']);
  });

  it('answers trailing tool results with "done: <n> tool results"', async () => {
    const msgs = [user('/tool ls {}'), assistant('x'), toolMsg('one'), toolMsg('two')];
    const { res } = await run(new SimulatedProvider(), req(msgs));
    expect(res.content).toEqual([{ type: 'text', text: 'done: 2 tool results' }]);
  });

  it('fails /error with that kind as RequestStartFailed', async () => {
    const err = await new SimulatedProvider()
      .complete(req([user('hi\n/error rate_limited slow down')]))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.code).toBe('REQUEST_START_FAILED');
    expect(err.kind).toBe('rate_limited');
    expect(err.message).toBe('Failed to start model stream (rate_limited): slow down');
  });

  it('keeps a non-§1.10 error kind visible in the display text', async () => {
    const err = await new SimulatedProvider()
      .complete(req([user('/error context_length_exceeded too big')]))
      .catch((e) => e);
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toContain('context_length_exceeded');
  });

  it('rejects invalid /tool JSON as invalid_request', async () => {
    const err = await new SimulatedProvider().complete(req([user('/tool ls {nope')])).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.kind).toBe('invalid_request');
  });

  it('/tokens n adds exactly n output tokens of filler', async () => {
    const p = new SimulatedProvider();
    const base = await run(p, req([user('hi')]));
    const more = await run(p, req([user('hi\n/tokens 10')]));
    expect(more.res.usage!.outputTokens - base.res.usage!.outputTokens).toBe(10);
    expect(more.deltas.length).toBeGreaterThanOrEqual(base.deltas.length + 10);
    expect(more.res.content[0]).toEqual({ type: 'text', text: `echo: hi${' tok'.repeat(10)}` });
  });

  it('/sleep waits and abort during the wait rejects with cancelled', async () => {
    const ac = new AbortController();
    const pending = new SimulatedProvider().complete(req([user('/sleep 60000')], { signal: ac.signal }));
    setTimeout(() => ac.abort(), 5);
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.kind).toBe('cancelled');
  });

  it('a short /sleep still answers', async () => {
    const { res } = await run(new SimulatedProvider(), req([user('/sleep 5\nafter')]));
    expect(res.content).toEqual([{ type: 'text', text: 'echo: after' }]);
  });

  it('an already-aborted call that waits rejects with cancelled at once', async () => {
    const ac = new AbortController();
    ac.abort();
    const sleeping = await new SimulatedProvider()
      .complete(req([user('/sleep 60000')], { signal: ac.signal }))
      .catch((e) => e);
    expect(sleeping).toBeInstanceOf(ModelCallError);
    expect(sleeping.kind).toBe('cancelled');
    const paced = await new SimulatedProvider({ firstTokenMs: 60_000 })
      .complete(req([user('x')], { signal: ac.signal }))
      .catch((e) => e);
    expect(paced).toBeInstanceOf(ModelCallError);
    expect(paced.kind).toBe('cancelled');
  });

  it('an instant reply never reads the signal (so the caller need not make one)', async () => {
    let reads = 0;
    const request = req([user('x')]);
    const counted: ModelRequest = {
      ...request,
      get signal() {
        reads++;
        return request.signal;
      },
    };
    const res = await new SimulatedProvider().complete(counted);
    expect(res.content).toEqual([{ type: 'text', text: 'echo: x' }]);
    expect(reads).toBe(0);
  });

  it('answers a title request with the first 6 words of the user prompt', async () => {
    const prompt = titlePrompt('please   fix the flaky login test in CI today');
    const { res } = await run(new SimulatedProvider(), req([user(prompt)], { purpose: 'title' }));
    expect(res.content).toEqual([{ type: 'text', text: 'please fix the flaky login test' }]);
    expect(extractTitleUserPrompt('no separator here')).toBe('no separator here');
    expect(extractTitleUserPrompt(titlePrompt('line one\n\nline two'))).toBe('line one\n\nline two');
  });

  it('answers a compaction request with the count of messages before the prompt', async () => {
    const msgs = [user('a'), assistant('b'), user('c'), user('compact now')];
    const { res } = await run(new SimulatedProvider(), req(msgs, { purpose: 'compaction' }));
    expect(res.content).toEqual([{ type: 'text', text: 'summary of 3 messages' }]);
  });

  it('paced streaming delivers every chunk in order and can be cancelled mid-stream', async () => {
    const p = new SimulatedProvider({ firstTokenMs: 1, tokensPerSecond: 2000 });
    const { res, deltas } = await run(p, req([user('abc\n/tokens 20')]));
    const text = deltas.map((d) => (d.type === 'text' ? d.delta : '')).join('');
    expect(res.content[0]).toEqual({ type: 'text', text });

    const slow = new SimulatedProvider({ tokensPerSecond: 10 });
    const ac = new AbortController();
    const got: ProviderDelta[] = [];
    const pending = slow.complete(req([user('x\n/tokens 1000')], { signal: ac.signal }), (d) => {
      got.push(d);
      if (got.length === 2) ac.abort();
    });
    const err = await pending.catch((e) => e);
    expect(err.kind).toBe('cancelled');
    expect(got.length).toBeLessThan(1000);
  });

  it('reports its window and max-output tokens', () => {
    expect(new SimulatedProvider().modelInfo('sim')).toEqual({ contextWindowTokens: 200000 });
    expect(new SimulatedProvider({ contextWindowTokens: 1000, maxOutputTokens: 100 }).modelInfo('x')).toEqual(
      {
        contextWindowTokens: 1000,
        maxOutputTokens: 100,
      },
    );
  });

  it('the instant path uses no timers', async () => {
    const p = new SimulatedProvider();
    const origSetTimeout = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return origSetTimeout(...args);
    }) as typeof setTimeout;
    try {
      for (let i = 0; i < 50; i++) await run(p, req([user(`turn ${i}\n/tool ls {}\n/tokens 5`)]));
    } finally {
      globalThis.setTimeout = origSetTimeout;
    }
    expect(timers).toBe(0);
  });

  it('parseScript echoes unknown slash commands and malformed directives', () => {
    const steps = parseScript('/unknown x\n/sleep abc\n/tokens', () => 'id');
    expect(steps).toEqual([
      { type: 'echo', line: '/unknown x' },
      { type: 'echo', line: '/sleep abc' },
      { type: 'echo', line: '/tokens' },
    ]);
  });
});
