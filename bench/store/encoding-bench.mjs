// Encoding micro-benchmark for @shoal/store: JSON (utf8) vs v8.serialize for representative session events.
// Run: node bench/store/encoding-bench.mjs
import v8 from 'node:v8';

const model = { provider: 'anthropic', id: 'claude-sonnet-4' };
const text = (n) => 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
const events = {
  'LlmUsageUpdated (small)': {
    type: 'LlmUsageUpdated',
    opId: '6f1c0f5e-8f8e-4b7a-9d57-1f0c2c0d6a11',
    model,
    usage: { inputTokens: 1234, outputTokens: 321, totalTokens: 1555 },
  },
  'UserMessageAdded (300 B text)': {
    type: 'UserMessageAdded',
    message: {
      role: 'user',
      id: '0e6a9b0c-3f53-4c8b-a1f3-5b7a3c9c2d10',
      parentMessageId: '9a1f0f5e-8f8e-4b7a-9d57-1f0c2c0d6a12',
      timestamp: 1735689600,
      content: [{ type: 'text', text: text(300) }],
    },
  },
  'AssistantMessageAdded (text + tool call)': {
    type: 'AssistantMessageAdded',
    model,
    message: {
      role: 'assistant',
      id: '1e6a9b0c-3f53-4c8b-a1f3-5b7a3c9c2d10',
      parentMessageId: '0e6a9b0c-3f53-4c8b-a1f3-5b7a3c9c2d10',
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
  'UserMessageAdded (300 chars, non-ASCII)': {
    type: 'UserMessageAdded',
    message: {
      role: 'user',
      id: '2e6a9b0c-3f53-4c8b-a1f3-5b7a3c9c2d10',
      parentMessageId: null,
      timestamp: 1735689602,
      content: [{ type: 'text', text: 'Grüße, 世界! ✓ '.repeat(22) }],
    },
  },
  'ToolCallCompleted (4 KB stdout)': {
    type: 'ToolCallCompleted',
    id: 'call_1',
    name: 'bash',
    model,
    result: {
      type: 'Bash',
      command: 'ls -la src',
      stdout: text(4096),
      stderr: '',
      exitCode: 0,
      timedOut: false,
    },
  },
};

function bench(fn, ms = 400) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(ms * 1e6);
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    t = process.hrtime.bigint();
  }
  return Number(t - t0) / n / 1000; // µs/op
}

const rows = [];
for (const [name, ev] of Object.entries(events)) {
  const jsonBuf = Buffer.from(JSON.stringify(ev), 'utf8');
  const v8Buf = v8.serialize(ev);
  const jEnc = bench(() => Buffer.from(JSON.stringify(ev), 'utf8'));
  const vEnc = bench(() => v8.serialize(ev));
  const jDec = bench(() => JSON.parse(jsonBuf.toString('utf8')));
  const vDec = bench(() => v8.deserialize(v8Buf));
  rows.push({ name, jsonBytes: jsonBuf.length, v8Bytes: v8Buf.length, jEnc, vEnc, jDec, vDec });
}
console.log(`node ${process.version}`);
console.log(
  '| event | JSON bytes | v8 bytes | JSON encode µs | v8 encode µs | JSON decode µs | v8 decode µs |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.jsonBytes} | ${r.v8Bytes} | ${r.jEnc.toFixed(2)} | ${r.vEnc.toFixed(2)} | ${r.jDec.toFixed(2)} | ${r.vDec.toFixed(2)} |`,
  );
}
