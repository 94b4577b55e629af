import type { UserContent } from '@shoal/shared';

/** The text items of a user message joined by newlines (images and command executions are not text). */
export function userText(content: UserContent[]): string {
  return content
    .filter((c): c is Extract<UserContent, { type: 'text' }> => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
