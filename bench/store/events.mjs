// The events both store benchmarks append (store-bench.mjs, pg-store-bench.mjs) and their small helpers.

// A realistic mix: user prompt, assistant reply with a tool call, tool start, bash result, usage update.
const model = { provider: 'anthropic', id: 'claude-sonnet-4' };
const text = (n) => 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
let msg = 0;
export function eventPool() {
  const id = () => `m-${++msg}`;
  return [
    {
      type: 'UserMessageAdded',
      message: {
        role: 'user',
        id: id(),
        parentMessageId: null,
        timestamp: 1735689600,
        content: [{ type: 'text', text: text(300) }],
      },
    },
    {
      type: 'AssistantMessageAdded',
      model,
      message: {
        role: 'assistant',
        id: id(),
        parentMessageId: null,
        timestamp: 1735689601,
        content: [
          { type: 'text', text: text(600) },
          {
            type: 'tool_call',
            toolCall: { id: 'call_1', name: 'bash', parameters: { command: 'ls -la src' } },
          },
        ],
      },
    },
    { type: 'ToolCallStarted', id: 'call_1', name: 'bash', parameters: { command: 'ls -la src' }, model },
    {
      type: 'ToolCallCompleted',
      id: 'call_1',
      name: 'bash',
      model,
      result: {
        type: 'Bash',
        command: 'ls -la src',
        stdout: text(2048),
        stderr: '',
        exitCode: 0,
        timedOut: false,
      },
    },
    {
      type: 'LlmUsageUpdated',
      opId: '6f1c0f5e-8f8e-4b7a-9d57-1f0c2c0d6a11',
      model,
      usage: { inputTokens: 1234, outputTokens: 321, totalTokens: 1555 },
    },
  ];
}

// The arrays a session appends, built once per run: the harness should not allocate per append (raw does not).
export const batchesOf = (pool, n) =>
  Array.from({ length: pool.length }, (_, k) =>
    Array.from({ length: n }, (_, j) => pool[(k + j) % pool.length]),
  );

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
