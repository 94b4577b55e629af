// spec §3.2.14: substring heuristic for "the request exceeded the model's context window".
// Known gap kept on purpose (§11.22): token rate-limit texts ("tokens per minute limit") also match.

const DIRECT_PHRASES: readonly string[] = [
  'context length',
  'context window',
  'maximum context',
  'max context',
  'context_length_exceeded',
  'too many tokens',
  'token limit',
  'prompt is too long',
  'input is too long',
];

/** spec §3.2.14 `isContextWindowExceededError(text)` (case-insensitive). */
export function isContextWindowExceededError(text: string): boolean {
  const lower = text.toLowerCase();
  for (const phrase of DIRECT_PHRASES) if (lower.includes(phrase)) return true;
  if (lower.includes('context') && lower.includes('exceed')) return true;
  return (
    lower.includes('token') &&
    (lower.includes('exceed') || lower.includes('too many') || lower.includes('limit'))
  );
}
