import {
  BASH_STDERR_MAX_BYTES,
  BASH_STDERR_MAX_LINES,
  BASH_STDOUT_MAX_BYTES,
  BASH_STDOUT_MAX_LINES,
} from '@shoal/shared';

/** Limits for one captured stream, omission marker included; head and tail each get half of the rest. */
export interface CaptureLimits {
  maxBytes: number;
  maxLines: number;
}

/** spec §1.6: bash stdout is cut above 2000 lines or 128 KiB, stderr above 500 lines or 64 KiB. */
export const STDOUT_LIMITS: CaptureLimits = {
  maxBytes: BASH_STDOUT_MAX_BYTES,
  maxLines: BASH_STDOUT_MAX_LINES,
};
export const STDERR_LIMITS: CaptureLimits = {
  maxBytes: BASH_STDERR_MAX_BYTES,
  maxLines: BASH_STDERR_MAX_LINES,
};

/**
 * Room kept for the omission marker, so a capped capture is itself within the limits and the §1.6 LLM
 * renderer (`toolResultLlmText`) passes it through without truncating it a second time.
 */
const MARKER_BYTES = 128;
const MARKER_LINES = 2;

const NL = 0x0a;

function countNewlines(b: Buffer, start = 0, end = b.length): number {
  let n = 0;
  for (let i = b.indexOf(NL, start); i >= 0 && i < end; i = b.indexOf(NL, i + 1)) n++;
  return n;
}

/**
 * Captures a stream keeping its head and its tail, in memory bounded by the limits (plus one chunk):
 * the head fills first; after that only the newest bytes are retained. `text()` renders head, an omission
 * marker and tail when anything was dropped.
 */
export class HeadTailBuffer {
  private readonly headBytes: number;
  private readonly headLines: number;
  private readonly tailBytes: number;
  private readonly tailLines: number;
  private head: Buffer[] = [];
  private headSize = 0;
  private headNewlines = 0;
  private headFull = false;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private totalBytes = 0;
  private totalNewlines = 0;

  constructor(limits: CaptureLimits) {
    const bytes = Math.max(2, limits.maxBytes - MARKER_BYTES);
    const lines = Math.max(2, limits.maxLines - MARKER_LINES);
    this.headBytes = Math.floor(bytes / 2);
    this.tailBytes = bytes - this.headBytes;
    this.headLines = Math.floor(lines / 2);
    this.tailLines = lines - this.headLines;
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    this.totalNewlines += countNewlines(chunk);
    let rest = chunk;
    if (!this.headFull) {
      // Take bytes up to the byte budget, and stop after the head's last allowed newline.
      let take = Math.min(rest.length, this.headBytes - this.headSize);
      let nl = -1;
      let lines = this.headNewlines;
      for (let i = rest.indexOf(NL); i >= 0 && i < take; i = rest.indexOf(NL, i + 1)) {
        lines++;
        if (lines === this.headLines) {
          nl = i;
          break;
        }
      }
      if (nl >= 0) take = nl + 1;
      const part = rest.subarray(0, take);
      this.head.push(part);
      this.headSize += part.length;
      this.headNewlines += countNewlines(part);
      rest = rest.subarray(take);
      if (this.headSize >= this.headBytes || this.headNewlines >= this.headLines) this.headFull = true;
    }
    if (rest.length === 0) return;
    // Copy so the tail does not pin large producer buffers; drop whole old chunks beyond the budget.
    this.tail.push(Buffer.from(rest));
    this.tailSize += rest.length;
    while (this.tail.length > 1 && this.tailSize - this.tail[0]!.length >= this.tailBytes) {
      this.tailSize -= this.tail.shift()!.length;
    }
  }

  /** Whether anything was dropped. */
  get truncated(): boolean {
    return this.totalBytes > this.headSize + this.tailView().tail.length;
  }

  get bytesSeen(): number {
    return this.totalBytes;
  }

  private tailView(): { tail: Buffer } {
    let tail = Buffer.concat(this.tail, this.tailSize);
    if (tail.length > this.tailBytes) tail = tail.subarray(tail.length - this.tailBytes);
    // Keep at most tailLines lines (a trailing newline does not start a new line).
    const end = tail.length > 0 && tail[tail.length - 1] === NL ? tail.length - 1 : tail.length;
    let seen = 0;
    for (let i = tail.lastIndexOf(NL, end - 1); i >= 0; i = i > 0 ? tail.lastIndexOf(NL, i - 1) : -1) {
      seen++;
      if (seen === this.tailLines) {
        tail = tail.subarray(i + 1);
        break;
      }
    }
    return { tail };
  }

  text(): string {
    const head = Buffer.concat(this.head, this.headSize);
    const { tail } = this.tailView();
    const omittedBytes = this.totalBytes - head.length - tail.length;
    if (omittedBytes <= 0) return head.toString('utf8') + tail.toString('utf8');
    const omittedLines = Math.max(0, this.totalNewlines - countNewlines(head) - countNewlines(tail));
    const sep = head.length === 0 || head[head.length - 1] === NL ? '' : '\n';
    const marker = `${sep}... [output truncated: ${omittedLines} lines, ${omittedBytes} bytes omitted] ...\n`;
    return head.toString('utf8') + marker + tail.toString('utf8');
  }
}
