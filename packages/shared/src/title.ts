import { splitWhitespace, trimEndWhitespace, trimWhitespace } from './config/whitespace.js';
import type { Message } from './schemas/message.js';

/** Appendix B: session title max length, in Unicode scalar values. */
export const MAX_TITLE_CHARS = 80;
/** spec §5.3 / Appendix B */
export const FALLBACK_TITLE = 'Untitled Session';

/**
 * spec §3.2.16 `titleSeed(message)`: the text a title is generated from. Only user messages; parts are the
 * trimmed non-empty texts, `Image (<mime>)` per image and `Command: <cmd>` per non-blank command, joined
 * with `" | "`. `undefined` when there are no parts.
 */
export function titleSeed(message: Message): string | undefined {
  if (message.role !== 'user') return undefined;
  const parts: string[] = [];
  for (const item of message.content) {
    switch (item.type) {
      case 'text': {
        const text = trimWhitespace(item.text);
        if (text.length > 0) parts.push(text);
        break;
      }
      case 'image':
        parts.push(`Image (${item.image.mimeType})`);
        break;
      case 'command_execution': {
        const command = trimWhitespace(item.command);
        if (command.length > 0) parts.push(`Command: ${command}`);
        break;
      }
    }
  }
  return parts.length === 0 ? undefined : parts.join(' | ');
}

/**
 * spec §3.2.16 `sanitizeTitle(raw)`: collapse whitespace runs to single spaces (dropping leading/trailing
 * ones), keep the first 80 Unicode scalar values (never splitting a surrogate pair), trim trailing whitespace.
 */
export function sanitizeTitle(raw: string): string {
  const collapsed = splitWhitespace(raw).join(' ');
  if (collapsed.length <= MAX_TITLE_CHARS) return collapsed; // ≤ 80 UTF-16 units ⇒ ≤ 80 scalar values
  let end = 0;
  let count = 0;
  while (end < collapsed.length && count < MAX_TITLE_CHARS) {
    const unit = collapsed.charCodeAt(end);
    const isPair =
      unit >= 0xd800 &&
      unit <= 0xdbff &&
      end + 1 < collapsed.length &&
      collapsed.charCodeAt(end + 1) >= 0xdc00 &&
      collapsed.charCodeAt(end + 1) <= 0xdfff;
    end += isPair ? 2 : 1;
    count += 1;
  }
  return trimEndWhitespace(collapsed.slice(0, end));
}

/** spec §5.3: instruction sent (with the user's request) to generate a session title. */
export const TITLE_INSTRUCTION =
  'Write a concise title for this conversation, at most eight words, that captures what the user wants. ' +
  'Reply with only the title: no quotes, no punctuation at the end, no explanation.';

/** spec §5.3: the single user message text of a title request. */
export function titlePrompt(userPrompt: string): string {
  return `${TITLE_INSTRUCTION}\n\nUser request:\n${userPrompt}`;
}
