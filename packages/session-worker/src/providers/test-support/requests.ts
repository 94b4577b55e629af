import type { Message, ModelId, ToolSchema } from '@shoal/shared';
import type { ModelProvider, ModelRequest, ProviderDelta } from '../model-provider.js';

export const userMsg = (id: string, text: string): Message => ({
  role: 'user',
  id,
  parentMessageId: null,
  timestamp: 1,
  content: [{ type: 'text', text }],
});

export const readFileSchema: ToolSchema = {
  name: 'read_file',
  displayName: 'Read File',
  description: 'Read a file',
  inputSchema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] },
};

/** A conversation with a tool round trip: user → assistant tool call → tool result → user. */
export const conversation: Message[] = [
  userMsg('u1', 'read a.txt'),
  {
    role: 'assistant',
    id: 'a1',
    parentMessageId: 'u1',
    timestamp: 2,
    content: [
      { type: 'text', text: 'Reading.' },
      {
        type: 'tool_call',
        toolCall: { id: 'call_1', name: 'read_file', parameters: { file_path: 'a.txt' } },
      },
    ],
  },
  {
    role: 'tool',
    id: 't1',
    parentMessageId: 'a1',
    timestamp: 3,
    toolUseId: 'call_1',
    result: { type: 'FileContent', filePath: 'a.txt', content: 'hello', lineCount: 1, truncated: false },
  },
  userMsg('u2', 'thanks'),
];

export function request(
  model: ModelId,
  messages: Message[],
  extra: Partial<ModelRequest> = {},
): ModelRequest {
  return { model, messages, tools: [], signal: new AbortController().signal, purpose: 'turn', ...extra };
}

export async function collect(p: ModelProvider, req: ModelRequest) {
  const deltas: ProviderDelta[] = [];
  const res = await p.complete(req, (d) => deltas.push(d));
  return { res, deltas };
}
