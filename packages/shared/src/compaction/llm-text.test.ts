import { describe, expect, it } from 'vitest';
import type { Message } from '../schemas/message.js';
import type { ToolResult } from '../schemas/tool-result.js';
import {
  BASH_STDERR_MAX_BYTES,
  BASH_STDOUT_MAX_BYTES,
  charCount,
  estimateTokens,
  messageCharCount,
  messageTokenEstimate,
  toolResultLlmText,
  truncateHeadTail,
  utf8ByteLength,
} from './llm-text.js';

const bash = (fields: Partial<Extract<ToolResult, { type: 'Bash' }>>): ToolResult => ({
  type: 'Bash',
  command: 'cmd',
  stdout: '',
  stderr: '',
  exitCode: 0,
  timedOut: false,
  ...fields,
});

const lines = (n: number, prefix = 'line') =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n');

describe('charCount / estimateTokens / utf8ByteLength', () => {
  it('counts Unicode scalar values', () => {
    expect(charCount('')).toBe(0);
    expect(charCount('abc')).toBe(3);
    expect(charCount('héllo')).toBe(5);
    expect(charCount('日本語')).toBe(3);
    expect(charCount('😀')).toBe(1);
    expect(charCount('a😀b😀')).toBe(4);
    expect(charCount('\ud83d')).toBe(1); // lone surrogate
    expect(charCount('\ude00x')).toBe(2);
    const mixed = `${'x'.repeat(1000)}😀é`;
    expect(charCount(mixed)).toBe(Array.from(mixed).length);
  });

  it('estimates ceil(chars / 4) tokens', () => {
    expect(estimateTokens(0)).toBe(0);
    expect(estimateTokens(1)).toBe(1);
    expect(estimateTokens(4)).toBe(1);
    expect(estimateTokens(5)).toBe(2);
    expect(estimateTokens(80_000)).toBe(20_000);
  });

  it('measures UTF-8 bytes like TextEncoder', () => {
    for (const s of ['', 'abc', 'héllo', '日本語', '😀x', '\ud83dx']) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe('toolResultLlmText (spec §1.6)', () => {
  it('External → the payload verbatim; FileContent → the content', () => {
    expect(toolResultLlmText({ type: 'External', toolName: 't', payload: 'raw payload' })).toBe(
      'raw payload',
    );
    expect(
      toolResultLlmText({
        type: 'FileContent',
        filePath: 'a',
        content: 'file body',
        lineCount: 1,
        truncated: false,
      }),
    ).toBe('file body');
  });

  it('Error → "Error: " + the error display text', () => {
    expect(toolResultLlmText({ type: 'Error', error: { type: 'DeniedByPolicy', toolName: 'bash' } })).toBe(
      'Error: bash denied by approval policy',
    );
    expect(toolResultLlmText({ type: 'Error', error: { type: 'Cancelled', toolName: 'test_tool' } })).toBe(
      'Error: test_tool was cancelled',
    );
  });

  it('Bash: stdout only on success', () => {
    expect(toolResultLlmText(bash({ stdout: 'hello\n' }))).toBe('hello\n');
    expect(toolResultLlmText(bash({}))).toBe('');
  });

  it('Bash: non-zero exit → exit code line plus labelled stderr', () => {
    expect(toolResultLlmText(bash({ stdout: 'out', stderr: 'boom', exitCode: 2 }))).toBe(
      'out\nExit code: 2\nError output:\nboom',
    );
    expect(toolResultLlmText(bash({ stdout: 'out\n', exitCode: 1 }))).toBe('out\nExit code: 1');
    expect(toolResultLlmText(bash({ exitCode: -1 }))).toBe('Exit code: -1');
  });

  it('Bash: zero exit with stderr → just the labelled stderr block', () => {
    expect(toolResultLlmText(bash({ stdout: 'out', stderr: 'warn' }))).toBe('out\nError output:\nwarn');
    expect(toolResultLlmText(bash({ stderr: 'warn' }))).toBe('Error output:\nwarn');
  });

  it('Bash: a timed-out note comes before the exit code', () => {
    expect(
      toolResultLlmText(bash({ stdout: 'partial', timedOut: true, exitCode: 124, stderr: 'killed' })),
    ).toBe('partial\n[Command timed out]\nExit code: 124\nError output:\nkilled');
  });

  it('Bash: stdout above 2000 lines keeps the first and last 1000 lines', () => {
    const text = toolResultLlmText(bash({ stdout: lines(2500) }));
    const out = text.split('\n');
    expect(out[0]).toBe('line 1');
    expect(out[999]).toBe('line 1000');
    expect(out[1000]).toBe('... [500 lines omitted] ...');
    expect(out[1001]).toBe('line 1501');
    expect(out[out.length - 1]).toBe('line 2500');
    expect(out).toHaveLength(2001);
  });

  it('Bash: exactly 2000 stdout lines (with a final newline) are kept whole', () => {
    const stdout = `${lines(2000)}\n`;
    expect(toolResultLlmText(bash({ stdout }))).toBe(stdout);
  });

  it('Bash: stdout above 128 KiB keeps head and tail halves', () => {
    const stdout = 'h'.repeat(100_000) + 't'.repeat(100_000);
    const text = toolResultLlmText(bash({ stdout }));
    expect(utf8ByteLength(text)).toBeLessThan(BASH_STDOUT_MAX_BYTES + 100);
    expect(text.startsWith('h'.repeat(65_536))).toBe(true);
    expect(text.endsWith('t'.repeat(65_536))).toBe(true);
    expect(text).toContain(`... [${200_000 - 131_072} bytes omitted] ...`);
  });

  it('Bash: byte truncation never splits a code point', () => {
    const stdout = '😀'.repeat(50_000); // 200 000 bytes
    const text = toolResultLlmText(bash({ stdout }));
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(text).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(utf8ByteLength(text)).toBeLessThanOrEqual(BASH_STDOUT_MAX_BYTES + 100);
  });

  it('Bash: stderr above 500 lines or 64 KiB is truncated too', () => {
    const text = toolResultLlmText(bash({ stderr: lines(600, 'err'), exitCode: 1 }));
    expect(text).toContain('... [100 lines omitted] ...');
    expect(text).toContain('err 250\n... [100 lines omitted] ...\nerr 351');
    const bigErr = toolResultLlmText(bash({ stderr: 'e'.repeat(100_000), exitCode: 1 }));
    expect(utf8ByteLength(bigErr)).toBeLessThan(BASH_STDERR_MAX_BYTES + 100);
    const small = toolResultLlmText(bash({ stderr: lines(500, 'err'), exitCode: 1 }));
    expect(small).not.toContain('omitted');
  });

  it('other kinds render as plain listings', () => {
    expect(
      toolResultLlmText({
        type: 'Search',
        matches: [{ filePath: 'a.ts', lineNumber: 3, lineContent: 'const x' }],
        totalFilesSearched: 2,
        searchCompleted: true,
      }),
    ).toBe('a.ts:3: const x');
    expect(
      toolResultLlmText({ type: 'Search', matches: [], totalFilesSearched: 2, searchCompleted: true }),
    ).toBe('No matches found.');
    expect(
      toolResultLlmText({
        type: 'FileList',
        basePath: '.',
        entries: [
          { path: 'src', isDirectory: true },
          { path: 'a.ts', isDirectory: false },
        ],
      }),
    ).toBe('src/\na.ts');
    expect(toolResultLlmText({ type: 'Glob', matches: ['a.ts', 'b.ts'], pattern: '*.ts' })).toBe(
      'a.ts\nb.ts',
    );
    expect(toolResultLlmText({ type: 'Glob', matches: [], pattern: '*.ts' })).toBe('No files matched *.ts');
    expect(toolResultLlmText({ type: 'Edit', filePath: 'a', changesMade: true, fileCreated: false })).toBe(
      'Edited a',
    );
    expect(toolResultLlmText({ type: 'Edit', filePath: 'a', changesMade: true, fileCreated: true })).toBe(
      'Created a',
    );
    expect(toolResultLlmText({ type: 'Edit', filePath: 'a', changesMade: false, fileCreated: false })).toBe(
      'No changes made to a',
    );
  });
});

describe('truncateHeadTail', () => {
  it('leaves short text alone', () => {
    expect(truncateHeadTail('a\nb\n', 2, 100)).toBe('a\nb\n');
    expect(truncateHeadTail('', 2, 100)).toBe('');
  });
  it('cuts lines then bytes', () => {
    expect(truncateHeadTail('1\n2\n3\n4\n5', 2, 1000)).toBe('1\n... [3 lines omitted] ...\n5');
  });
});

describe('messageTokenEstimate (spec §3.2.13)', () => {
  const meta = { id: 'm', parentMessageId: null, timestamp: 0 };
  const png = { mimeType: 'image/png', source: { type: 'url' as const, url: 'http://x/very-long-url' } };

  it('user = text + image MIME type + command + stdout + stderr characters', () => {
    const m: Message = {
      role: 'user',
      ...meta,
      content: [
        { type: 'text', text: 'hello' }, // 5
        { type: 'image', image: png }, // 9
        { type: 'command_execution', command: 'ls', stdout: 'a\nb', stderr: 'e', exitCode: 1 }, // 2 + 3 + 1
      ],
    };
    expect(messageCharCount(m)).toBe(20);
    expect(messageTokenEstimate(m)).toBe(5);
  });

  it('assistant = text + image MIME + tool name + JSON parameters + thought display text', () => {
    const m: Message = {
      role: 'assistant',
      ...meta,
      content: [
        { type: 'text', text: 'ok' }, // 2
        { type: 'tool_call', toolCall: { id: 'tc', name: 'bash', parameters: { command: 'ls' } } }, // 4 + 16
        { type: 'thought', thought: { type: 'simple', text: 'hmm' } }, // 3
        { type: 'thought', thought: { type: 'redacted', data: 'xxxxxxxxxxxxxxxxxxxx' } }, // 19
        { type: 'image', image: png }, // 9
      ],
    };
    expect(messageCharCount(m)).toBe(2 + 4 + 16 + 3 + 19 + 9);
    expect(messageTokenEstimate(m)).toBe(Math.ceil(53 / 4));
  });

  it('tool = the LLM text of the result (80 000 characters → 20 000 tokens)', () => {
    const m: Message = {
      role: 'tool',
      ...meta,
      toolUseId: 'tc',
      result: { type: 'External', toolName: 't', payload: 'x'.repeat(80_000) },
    };
    expect(messageTokenEstimate(m)).toBe(20_000);
  });

  it('counts scalar values, not UTF-16 units', () => {
    const m: Message = { role: 'user', ...meta, content: [{ type: 'text', text: '😀😀😀😀😀' }] };
    expect(messageCharCount(m)).toBe(5);
    expect(messageTokenEstimate(m)).toBe(2);
  });

  it('undefined parameters count as "null"', () => {
    const m: Message = {
      role: 'assistant',
      ...meta,
      content: [{ type: 'tool_call', toolCall: { id: 'tc', name: 'x', parameters: undefined } }],
    };
    expect(messageCharCount(m)).toBe(1 + 4);
  });
});
