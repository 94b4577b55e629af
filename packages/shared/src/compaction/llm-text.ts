import { thoughtDisplayText } from '../schemas/content.js';
import type { Message } from '../schemas/message.js';
import { toolErrorDisplay } from '../schemas/tool-error-display.js';
import type { ToolResult } from '../schemas/tool-result.js';

// spec §1.6: the text a tool result is shown to the model as, used for token projections (§3.2.13).
// Shoal's own renderers; only Bash/FileContent/External/Error are specified in detail.

/** spec §1.6 Bash limits: stdout above 2000 lines or 128 KiB, stderr above 500 lines or 64 KiB. */
export const BASH_STDOUT_MAX_LINES = 2000;
export const BASH_STDOUT_MAX_BYTES = 128 * 1024;
export const BASH_STDERR_MAX_LINES = 500;
export const BASH_STDERR_MAX_BYTES = 64 * 1024;
/** spec §3.2.13 / Appendix B: characters per estimated token (rounded up). */
export const CHARS_PER_TOKEN = 4;

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Number of Unicode scalar values (code points) in `s`; a lone surrogate counts as one. */
export function charCount(s: string): number {
  if (!HIGH_SURROGATE.test(s)) return s.length; // fast path: no surrogate pairs possible
  let pairs = 0;
  const n = s.length;
  for (let i = 0; i + 1 < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs += 1;
        i += 1;
      }
    }
  }
  return n - pairs;
}

/** spec §3.2.13: `ceil(chars / 4)`. */
export function estimateTokens(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / CHARS_PER_TOKEN);
}

/** UTF-8 byte length of `s` (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function unitBytes(s: string, i: number): [units: number, bytes: number] {
  const c = s.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [1, 2];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [2, 4];
  }
  return [1, 3];
}

/** Longest prefix of at most `maxBytes` UTF-8 bytes, never splitting a code point. */
function utf8Prefix(s: string, maxBytes: number): string {
  let i = 0;
  let bytes = 0;
  while (i < s.length) {
    const [units, b] = unitBytes(s, i);
    if (bytes + b > maxBytes) break;
    bytes += b;
    i += units;
  }
  return s.slice(0, i);
}

/** Longest suffix of at most `maxBytes` UTF-8 bytes, never splitting a code point. */
function utf8Suffix(s: string, maxBytes: number): string {
  let i = s.length;
  let bytes = 0;
  while (i > 0) {
    let start = i - 1;
    const c = s.charCodeAt(start);
    if (c >= 0xdc00 && c <= 0xdfff && start > 0) {
      const h = s.charCodeAt(start - 1);
      if (h >= 0xd800 && h <= 0xdbff) start -= 1;
    }
    const b = unitBytes(s, start)[1];
    if (bytes + b > maxBytes) break;
    bytes += b;
    i = start;
  }
  return s.slice(i);
}

/** Offsets just after each `\n` (line starts), plus the line count (a final newline does not open a line). */
function lineStarts(s: string): number[] {
  const starts = [0];
  let at = s.indexOf('\n');
  while (at !== -1) {
    if (at + 1 < s.length) starts.push(at + 1);
    at = s.indexOf('\n', at + 1);
  }
  return starts;
}

/**
 * spec §1.6: head/tail truncation. Above `maxLines` lines, keep the first and last `maxLines / 2` lines;
 * then, above `maxBytes` UTF-8 bytes, keep the first and last `maxBytes / 2` bytes (whole code points).
 * A marker line says how much was left out.
 */
export function truncateHeadTail(s: string, maxLines: number, maxBytes: number): string {
  let out = s;
  if (out.length === 0) return out;
  const starts = lineStarts(out);
  if (starts.length > maxLines) {
    const keep = Math.floor(maxLines / 2);
    const headEnd = starts[keep]!; // start of the first omitted line
    const tailStart = starts[starts.length - keep]!;
    const omitted = starts.length - 2 * keep;
    out = `${out.slice(0, headEnd)}... [${omitted} lines omitted] ...\n${out.slice(tailStart)}`;
  }
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short strings skip the exact count.
  if (out.length * 3 > maxBytes) {
    const total = utf8ByteLength(out);
    if (total > maxBytes) {
      const half = Math.floor(maxBytes / 2);
      const head = utf8Prefix(out, half);
      const tail = utf8Suffix(out, half);
      const omitted = total - utf8ByteLength(head) - utf8ByteLength(tail);
      out = `${head}\n... [${omitted} bytes omitted] ...\n${tail}`;
    }
  }
  return out;
}

function appendBlock(out: string, block: string): string {
  if (out.length === 0) return block;
  return out.endsWith('\n') ? out + block : `${out}\n${block}`;
}

function bashLlmText(r: Extract<ToolResult, { type: 'Bash' }>): string {
  let out = truncateHeadTail(r.stdout, BASH_STDOUT_MAX_LINES, BASH_STDOUT_MAX_BYTES);
  const stderr =
    r.stderr.length > 0 ? truncateHeadTail(r.stderr, BASH_STDERR_MAX_LINES, BASH_STDERR_MAX_BYTES) : '';
  if (r.timedOut) out = appendBlock(out, '[Command timed out]');
  if (r.exitCode !== 0) {
    out = appendBlock(out, `Exit code: ${r.exitCode}`);
    if (stderr.length > 0) out = `${out}\nError output:\n${stderr}`;
  } else if (stderr.length > 0) {
    out = appendBlock(out, `Error output:\n${stderr}`);
  }
  return out;
}

/** spec §1.6: the LLM text rendering of a tool result. */
export function toolResultLlmText(result: ToolResult): string {
  switch (result.type) {
    case 'External':
      return result.payload;
    case 'FileContent':
      return result.content;
    case 'Error':
      return `Error: ${toolErrorDisplay(result.error)}`;
    case 'Bash':
      return bashLlmText(result);
    case 'Search': {
      if (result.matches.length === 0) return 'No matches found.';
      const lines = result.matches.map((m) => `${m.filePath}:${m.lineNumber}: ${m.lineContent}`);
      if (!result.searchCompleted) lines.push('(search incomplete)');
      return lines.join('\n');
    }
    case 'FileList': {
      if (result.entries.length === 0) return `No entries in ${result.basePath}`;
      return result.entries.map((e) => (e.isDirectory ? `${e.path}/` : e.path)).join('\n');
    }
    case 'Edit':
      if (result.fileCreated) return `Created ${result.filePath}`;
      return result.changesMade ? `Edited ${result.filePath}` : `No changes made to ${result.filePath}`;
    case 'Glob':
      return result.matches.length === 0 ? `No files matched ${result.pattern}` : result.matches.join('\n');
  }
}

function jsonCharCount(value: unknown): number {
  try {
    return charCount(JSON.stringify(value) ?? 'null');
  } catch {
    return 0; // not JSON-serialisable (cycles, bigint): contributes nothing to the estimate
  }
}

/**
 * spec §3.2.13: estimated tokens of one message, `ceil(chars / 4)` where chars (Unicode scalar values) are:
 * user = text + image MIME type + command + stdout + stderr; assistant = text + image MIME type + tool name
 * + JSON-serialised parameters + thought display text; tool = the result's LLM text (§1.6).
 */
export function messageTokenEstimate(message: Message): number {
  return estimateTokens(messageCharCount(message));
}

/** The character count behind `messageTokenEstimate`. */
export function messageCharCount(message: Message): number {
  // Messages are never mutated once added (they are replaced instead), so the count is cached per
  // message object: a model request counts every message of the thread on every call.
  const cached = charCountCache.get(message);
  if (cached !== undefined) return cached;
  const chars = computeMessageCharCount(message);
  charCountCache.set(message, chars);
  return chars;
}

const charCountCache = new WeakMap<Message, number>();

function computeMessageCharCount(message: Message): number {
  let chars = 0;
  switch (message.role) {
    case 'user':
      for (const c of message.content) {
        if (c.type === 'text') chars += charCount(c.text);
        else if (c.type === 'image') chars += charCount(c.image.mimeType);
        else chars += charCount(c.command) + charCount(c.stdout) + charCount(c.stderr);
      }
      return chars;
    case 'assistant':
      for (const c of message.content) {
        if (c.type === 'text') chars += charCount(c.text);
        else if (c.type === 'image') chars += charCount(c.image.mimeType);
        else if (c.type === 'tool_call')
          chars += charCount(c.toolCall.name) + jsonCharCount(c.toolCall.parameters);
        else chars += charCount(thoughtDisplayText(c.thought));
      }
      return chars;
    case 'tool':
      return charCount(toolResultLlmText(message.result));
  }
}
