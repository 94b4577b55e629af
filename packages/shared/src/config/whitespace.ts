// Whitespace as Rust's `char::is_whitespace` (Unicode White_Space) sees it — the reference implementation's
// notion of "blank" and of the pieces of a title (spec §2.1, §3.2.16). JS `\s` differs (it includes U+FEFF
// and excludes U+0085), hence an explicit class.
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING = new RegExp(`^[${WS}]+`);
const TRAILING = new RegExp(`[${WS}]+$`);
const RUNS = new RegExp(`[${WS}]+`);
const NON_WS = new RegExp(`[^${WS}]`);

/** Trim Unicode White_Space from both ends. */
export function trimWhitespace(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** Trim Unicode White_Space from the end. */
export function trimEndWhitespace(s: string): string {
  return s.replace(TRAILING, '');
}

/** True when the string is empty or only whitespace. */
export function isBlank(s: string | undefined | null): boolean {
  return s == null || !NON_WS.test(s);
}

/** Split on runs of whitespace, dropping empty pieces (Rust `split_whitespace`). */
export function splitWhitespace(s: string): string[] {
  return s.split(RUNS).filter((piece) => piece.length > 0);
}
