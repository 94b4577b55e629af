import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCallError } from './model-call-error.js';
import type { ProviderDelta } from './model-provider.js';
import { OpenAIProvider, openaiModelInfo } from './openai.js';
import {
  closedPortUrl,
  type FakeServer,
  type Handler,
  jsonError,
  sse,
  sseHead,
  startFakeServer,
} from './test-support/fake-http-server.js';
import { collect, conversation, readFileSchema, request, userMsg } from './test-support/requests.js';

const model = { provider: 'openai', id: 'gpt-4o' };
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerFor(handler: Handler): Promise<OpenAIProvider> {
  server = await startFakeServer(handler);
  return new OpenAIProvider({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
}

const chunk = (res: ServerResponse, delta: unknown, finishReason: string | null = null) =>
  sse(res, {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
function done(
  res: ServerResponse,
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number },
) {
  if (usage)
    sse(res, { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage });
  sse(res, '[DONE]');
  res.end();
}

async function errorOf(p: Promise<unknown>): Promise<ModelCallError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ModelCallError)) throw new Error(`expected a ModelCallError, got ${String(e)}`);
  return e;
}

describe('OpenAIProvider (Chat Completions over SSE, against a local server)', () => {
  it('streams a text reply and reports usage', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { role: 'assistant', content: '' });
      chunk(res, { content: 'Hel' });
      chunk(res, { content: 'lo' });
      chunk(res, {}, 'stop');
      done(res, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
    });
    const { res, deltas } = await collect(
      p,
      request(model, [userMsg('u1', 'hi')], { systemContext: { prompt: 'Sys' } }),
    );
    expect(deltas).toEqual([
      { type: 'text', delta: 'Hel' },
      { type: 'text', delta: 'lo' },
    ]);
    expect(res).toEqual({
      content: [{ type: 'text', text: 'Hello' }],
      usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    });
    const sent = server!.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer test-key');
    expect(sent.body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Sys' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
    });
    expect(sent.body).not.toHaveProperty('tools');
  });

  it('maps the conversation: assistant tool_calls and tool messages', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { role: 'assistant' }, 'stop');
      done(res);
    });
    const r = await p.complete(request(model, conversation, { tools: [readFileSchema] }));
    expect(r.usage).toBeUndefined();
    const body = server!.requests[0]!.body as { messages: unknown; tools: unknown };
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'read a.txt' }] },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'read_file', arguments: '{"file_path":"a.txt"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'hello' },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read a file', parameters: readFileSchema.inputSchema },
      },
    ]);
  });

  it('streams tool calls, keyed by the id from their first fragment, and parses the arguments', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, {
        role: 'assistant',
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '' } },
        ],
      });
      chunk(res, { tool_calls: [{ index: 0, function: { arguments: '{"file_path":' } }] });
      chunk(res, { tool_calls: [{ index: 0, function: { arguments: '"a.txt"}' } }] });
      chunk(res, {
        tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'ls', arguments: '{}' } }],
      });
      chunk(res, {}, 'tool_calls');
      done(res, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
    });
    const { res, deltas } = await collect(
      p,
      request(model, [userMsg('u1', 'go')], { tools: [readFileSchema] }),
    );
    expect(deltas).toEqual<ProviderDelta[]>([
      { type: 'tool_call_args', toolCallId: 'call_a', delta: '{"file_path":' },
      { type: 'tool_call_args', toolCallId: 'call_a', delta: '"a.txt"}' },
      { type: 'tool_call_args', toolCallId: 'call_b', delta: '{}' },
    ]);
    expect(res.content).toEqual([
      {
        type: 'tool_call',
        toolCall: { id: 'call_a', name: 'read_file', parameters: { file_path: 'a.txt' } },
      },
      { type: 'tool_call', toolCall: { id: 'call_b', name: 'ls', parameters: {} } },
    ]);
  });

  it('forwards reasoning deltas of compatible servers as thinking', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { role: 'assistant', reasoning_content: 'hmm' });
      chunk(res, { content: 'ok' }, 'stop');
      done(res);
    });
    const { res, deltas } = await collect(p, request(model, [userMsg('u1', 'x')]));
    expect(deltas).toEqual([
      { type: 'thinking', delta: 'hmm' },
      { type: 'text', delta: 'ok' },
    ]);
    expect(res.content).toEqual([
      { type: 'thought', thought: { type: 'simple', text: 'hmm' } },
      { type: 'text', text: 'ok' },
    ]);
  });

  it.each([
    [401, 'invalid_api_key', 'Incorrect API key', 'authentication_failed'],
    [429, 'rate_limit_exceeded', 'Rate limit reached', 'rate_limited'],
    [503, 'server_error', 'unavailable', 'server_error'],
    [
      400,
      'context_length_exceeded',
      "This model's maximum context length is 128000 tokens",
      'invalid_request',
    ],
  ])('HTTP %i (%s) → RequestStartFailed(%s)', async (status, code, message, kind) => {
    const p = await providerFor((_req, res) =>
      jsonError(res, status, { error: { message, type: 'invalid_request_error', code } }),
    );
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('REQUEST_START_FAILED');
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(new RegExp(`^Failed to start model stream \\(${kind}\\): `));
    expect(e.message).toContain(message);
  });

  it('an error object mid-stream → StreamFailed', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { content: 'partial' });
      sse(res, { error: { message: 'The server had an error', type: 'server_error' } });
      res.end();
    });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('STREAM_FAILED');
    expect(e.kind).toBe('server_error');
    expect(e.message).toMatch(/^Model stream failed: .*server had an error/);
  });

  it('a stream without a finish_reason → MissingCompletion', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { content: 'cut' });
      done(res);
    });
    expect((await errorOf(p.complete(request(model, [userMsg('u1', 'x')])))).code).toBe('MISSING_COMPLETION');
  });

  it('abort mid-stream → cancelled, and the connection is closed', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      chunk(res, { content: 'first' });
    });
    const ac = new AbortController();
    const got: ProviderDelta[] = [];
    const pending = p.complete(request(model, [userMsg('u1', 'x')], { signal: ac.signal }), (d) => {
      got.push(d);
      ac.abort();
    });
    expect((await errorOf(pending)).kind).toBe('cancelled');
    expect(got).toEqual([{ type: 'text', delta: 'first' }]);
    await server!.clientClosed;
  });

  it('an unreachable server → network', async () => {
    const p = new OpenAIProvider({ apiKey: 'k', baseURL: await closedPortUrl(), maxRetries: 0 });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.kind).toBe('network');
  });

  it('knows the window of catalog models and nothing about others', () => {
    expect(openaiModelInfo('gpt-4o-mini')).toEqual({ contextWindowTokens: 128_000, maxOutputTokens: 16_384 });
    expect(openaiModelInfo('mystery')).toEqual({});
  });
});
