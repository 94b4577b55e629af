import { describe, expect, it } from 'vitest';
import type { UserContent } from './schemas/content.js';
import type { Message } from './schemas/message.js';
import {
  FALLBACK_TITLE,
  MAX_TITLE_CHARS,
  sanitizeTitle,
  TITLE_INSTRUCTION,
  titlePrompt,
  titleSeed,
} from './title.js';

const user = (content: UserContent[]): Message => ({
  role: 'user',
  id: 'm1',
  parentMessageId: null,
  timestamp: 0,
  content,
});
const png = { mimeType: 'image/png', source: { type: 'session_file' as const, relativePath: 'a.png' } };

describe('titleSeed (spec §3.2.16)', () => {
  it('uses trimmed text', () => {
    expect(titleSeed(user([{ type: 'text', text: '  Hello world \n' }]))).toBe('Hello world');
  });

  it('user_input_with_image_requests_session_title: an image-only message seeds "Image (image/png)"', () => {
    expect(titleSeed(user([{ type: 'image', image: png }]))).toBe('Image (image/png)');
  });

  it('joins text, image and command parts with " | " in order', () => {
    const seed = titleSeed(
      user([
        { type: 'text', text: 'look' },
        { type: 'image', image: png },
        { type: 'command_execution', command: '  ls -la ', stdout: 'x', stderr: '', exitCode: 0 },
        { type: 'text', text: ' done ' },
      ]),
    );
    expect(seed).toBe('look | Image (image/png) | Command: ls -la | done');
  });

  it('user_input_retries_session_title_after_non_text_first_message: whitespace-only input has no seed', () => {
    expect(titleSeed(user([{ type: 'text', text: '  \n\t ' }]))).toBeUndefined();
    expect(titleSeed(user([]))).toBeUndefined();
    expect(
      titleSeed(user([{ type: 'command_execution', command: '   ', stdout: 'x', stderr: '', exitCode: 0 }])),
    ).toBe(undefined);
  });

  it('only user messages have a seed', () => {
    const assistant: Message = {
      role: 'assistant',
      id: 'a',
      parentMessageId: null,
      timestamp: 0,
      content: [{ type: 'text', text: 'hi' }],
    };
    const tool: Message = {
      role: 'tool',
      id: 't',
      parentMessageId: null,
      timestamp: 0,
      toolUseId: 'x',
      result: { type: 'External', toolName: 'x', payload: 'hi' },
    };
    expect(titleSeed(assistant)).toBeUndefined();
    expect(titleSeed(tool)).toBeUndefined();
  });
});

describe('sanitizeTitle (spec §3.2.16)', () => {
  it('sanitize_session_title_handles_unicode_without_panicking', () => {
    const result = sanitizeTitle('😀'.repeat(100));
    expect(Array.from(result)).toHaveLength(80);
    expect(result).toBe('😀'.repeat(80));
  });

  it('collapses whitespace runs and trims', () => {
    expect(sanitizeTitle('  Fix \n the\t\tbug  ')).toBe('Fix the bug');
    expect(sanitizeTitle('   ')).toBe('');
    expect(sanitizeTitle('')).toBe('');
  });

  it('keeps the first 80 scalar values and trims trailing whitespace after the cut', () => {
    const words = `${'a'.repeat(79)} bcd`;
    expect(sanitizeTitle(words)).toBe('a'.repeat(79));
    expect(sanitizeTitle('x'.repeat(200))).toBe('x'.repeat(MAX_TITLE_CHARS));
    expect(sanitizeTitle('x'.repeat(80))).toBe('x'.repeat(80));
  });

  it('never splits a surrogate pair at the boundary', () => {
    const mixed = `${'a'.repeat(79)}😀😀`;
    expect(sanitizeTitle(mixed)).toBe(`${'a'.repeat(79)}😀`);
    const result = sanitizeTitle(`b${'😀'.repeat(100)}`);
    expect(Array.from(result)).toHaveLength(80);
    expect(result.endsWith('\ud83d')).toBe(false);
  });

  it('is idempotent', () => {
    for (const raw of ['  a  b ', '😀'.repeat(100), `${'a'.repeat(79)} b`, 'x\u3000y']) {
      expect(sanitizeTitle(sanitizeTitle(raw))).toBe(sanitizeTitle(raw));
    }
  });
});

describe('title prompt (spec §5.3)', () => {
  it('asks for at most eight words, only the title, followed by the user request', () => {
    expect(TITLE_INSTRUCTION).toMatch(/eight words/);
    expect(TITLE_INSTRUCTION).toMatch(/only the title/i);
    const prompt = titlePrompt('Refactor the parser');
    expect(prompt.startsWith(TITLE_INSTRUCTION)).toBe(true);
    expect(prompt.endsWith('Refactor the parser')).toBe(true);
  });

  it('the fallback title is "Untitled Session"', () => {
    expect(FALLBACK_TITLE).toBe('Untitled Session');
  });
});
