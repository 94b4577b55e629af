import type { UserContent } from '@shoal/shared';

/** The text items of a user message joined by newlines (images and command executions are not text). */
export function userText(content: UserContent[]): string {
  let text: string | undefined;
  for (const c of content) {
    if (c.type === 'text') text = text === undefined ? c.text : `${text}\n${c.text}`;
  }
  return text ?? '';
}
