import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicProvider, anthropicModelInfo } from './anthropic.js';
import { ModelCallError } from './model-call-error.js';
import type { ProviderDelta } from './model-provider.js';
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

// Not a model the SDK warns about (it console.warns for deprecated ones).
const model = { provider: 'anthropic', id: 'claude-sonnet-4-6' };
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerFor(handler: Handler): Promise<AnthropicProvider> {
  server = await startFakeServer(handler);
  return new AnthropicProvider({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
}

function messageStart(res: ServerResponse, inputTokens = 25): void {
  sse(
    res,
    {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-sonnet-4-5',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    },
    'message_start',
  );
}
const blockStart = (res: ServerResponse, index: number, block: unknown) =>
  sse(res, { type: 'content_block_start', index, content_block: block }, 'content_block_start');
const blockDelta = (res: ServerResponse, index: number, delta: unknown) =>
  sse(res, { type: 'content_block_delta', index, delta }, 'content_block_delta');
const blockStop = (res: ServerResponse, index: number) =>
  sse(res, { type: 'content_block_stop', index }, 'content_block_stop');
function finish(res: ServerResponse, stopReason: string, outputTokens: number): void {
  sse(
    res,
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
    'message_delta',
  );
  sse(res, { type: 'message_stop' }, 'message_stop');
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

describe('AnthropicProvider (Messages API over SSE, against a local server)', () => {
  it('streams a text reply and reports usage', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'text', text: '' });
      sse(res, { type: 'ping' }, 'ping');
      blockDelta(res, 0, { type: 'text_delta', text: 'Hello' });
      blockDelta(res, 0, { type: 'text_delta', text: ', world' });
      blockStop(res, 0);
      finish(res, 'end_turn', 15);
    });
    const { res, deltas } = await collect(
      p,
      request(model, [userMsg('u1', 'hi')], { systemContext: { prompt: '  Be brief.  ' } }),
    );
    expect(deltas).toEqual([
      { type: 'text', delta: 'Hello' },
      { type: 'text', delta: ', world' },
    ]);
    expect(res).toEqual({
      content: [{ type: 'text', text: 'Hello, world' }],
      usage: { inputTokens: 25, outputTokens: 15, totalTokens: 40 },
    });
    const sent = server!.requests[0]!;
    expect(sent.url).toBe('/v1/messages');
    // This SDK version sends the key as a bearer token; older ones used x-api-key.
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?test-key$/);
    expect(sent.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      stream: true,
      system: 'Be brief.',
      max_tokens: 64_000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    expect(sent.body).not.toHaveProperty('tools');
  });

  it('maps the conversation: tool_use, tool_result in a user turn, merged consecutive user turns', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      finish(res, 'end_turn', 1);
    });
    await p.complete(request(model, conversation, { tools: [readFileSchema] }));
    const body = server!.requests[0]!.body as { messages: unknown; tools: unknown };
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'read a.txt' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading.' },
          { type: 'tool_use', id: 'call_1', name: 'read_file', input: { file_path: 'a.txt' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'hello' },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      { name: 'read_file', description: 'Read a file', input_schema: readFileSchema.inputSchema },
    ]);
  });

  it('streams thinking and a tool call, parsing the JSON input', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'thinking', thinking: '', signature: '' });
      blockDelta(res, 0, { type: 'thinking_delta', thinking: 'Need the file.' });
      blockDelta(res, 0, { type: 'signature_delta', signature: 'sig-1' });
      blockStop(res, 0);
      blockStart(res, 1, { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: {} });
      blockDelta(res, 1, { type: 'input_json_delta', partial_json: '{"file_' });
      blockDelta(res, 1, { type: 'input_json_delta', partial_json: 'path":"a.txt"}' });
      blockStop(res, 1);
      finish(res, 'tool_use', 30);
    });
    const { res, deltas } = await collect(
      p,
      request(model, [userMsg('u1', 'go')], { tools: [readFileSchema] }),
    );
    expect(deltas).toEqual<ProviderDelta[]>([
      { type: 'thinking', delta: 'Need the file.' },
      { type: 'tool_call_args', toolCallId: 'toolu_1', delta: '{"file_' },
      { type: 'tool_call_args', toolCallId: 'toolu_1', delta: 'path":"a.txt"}' },
    ]);
    expect(res.content).toEqual([
      { type: 'thought', thought: { type: 'signed', text: 'Need the file.', signature: 'sig-1' } },
      {
        type: 'tool_call',
        toolCall: { id: 'toolu_1', name: 'read_file', parameters: { file_path: 'a.txt' } },
      },
    ]);
  });

  it.each([
    [401, 'authentication_error', 'invalid x-api-key', 'authentication_failed'],
    [403, 'permission_error', 'nope', 'auth_error'],
    [429, 'rate_limit_error', 'slow down', 'rate_limited'],
    [500, 'api_error', 'internal', 'server_error'],
    [529, 'overloaded_error', 'Overloaded', 'server_error'],
    [400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum', 'invalid_request'],
  ])('HTTP %i → RequestStartFailed(%s → %s)', async (status, type, message, kind) => {
    const p = await providerFor((_req, res) =>
      jsonError(res, status, { type: 'error', error: { type, message } }),
    );
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('REQUEST_START_FAILED');
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(new RegExp(`^Failed to start model stream \\(${kind}\\): `));
    expect(e.message).toContain(message);
  });

  it('an error event mid-stream → StreamFailed', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'text', text: '' });
      blockDelta(res, 0, { type: 'text_delta', text: 'partial' });
      sse(res, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
      res.end();
    });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('STREAM_FAILED');
    expect(e.kind).toBe('server_error');
    expect(e.message).toMatch(/^Model stream failed: .*Overloaded/);
  });

  it('a stream that ends without message_stop → MissingCompletion', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      res.end();
    });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('MISSING_COMPLETION');
  });

  it('invalid tool JSON → response_parsing_error', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'tool_use', id: 'toolu_1', name: 'ls', input: {} });
      blockDelta(res, 0, { type: 'input_json_delta', partial_json: '{"path":' });
      blockStop(res, 0);
      finish(res, 'max_tokens', 5);
    });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.kind).toBe('response_parsing_error');
  });

  it('tool JSON the SDK cannot even repair → response_parsing_error', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'tool_use', id: 'toolu_1', name: 'ls', input: {} });
      blockDelta(res, 0, { type: 'input_json_delta', partial_json: '{"path": nope}' });
      blockStop(res, 0);
      finish(res, 'tool_use', 5);
    });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('STREAM_FAILED');
    expect(e.kind).toBe('response_parsing_error');
  });

  it('abort mid-stream → cancelled, and the connection is closed', async () => {
    const p = await providerFor((_req, res) => {
      sseHead(res);
      messageStart(res);
      blockStart(res, 0, { type: 'text', text: '' });
      blockDelta(res, 0, { type: 'text_delta', text: 'first' });
      // ...and never finishes.
    });
    const ac = new AbortController();
    const got: ProviderDelta[] = [];
    const pending = p.complete(request(model, [userMsg('u1', 'x')], { signal: ac.signal }), (d) => {
      got.push(d);
      ac.abort();
    });
    const e = await errorOf(pending);
    expect(e.kind).toBe('cancelled');
    expect(got).toEqual([{ type: 'text', delta: 'first' }]);
    await server!.clientClosed;
  });

  it('an unreachable server → network', async () => {
    const p = new AnthropicProvider({ apiKey: 'k', baseURL: await closedPortUrl(), maxRetries: 0 });
    const e = await errorOf(p.complete(request(model, [userMsg('u1', 'x')])));
    expect(e.code).toBe('REQUEST_START_FAILED');
    expect(e.kind).toBe('network');
  });

  it('knows the window of catalog models and nothing about others', () => {
    expect(anthropicModelInfo('claude-sonnet-4-5')).toEqual({
      contextWindowTokens: 200_000,
      maxOutputTokens: 64_000,
    });
    expect(anthropicModelInfo('claude-future-9')).toEqual({ contextWindowTokens: 200_000 });
    expect(anthropicModelInfo('mystery')).toEqual({});
  });
});
