import { RE2JS } from 're2js';
import { ToolFailure } from './tool-failure.js';

const SPECIAL = /[\\^$.+()|{}[\]*?]/;
const escapeRe = (c: string): string => c.replace(/[\\^$.+()|{}[\]*?/]/g, '\\$&');

/** Whether a pattern segment has glob syntax. */
export const hasGlobSyntax = (s: string): boolean => /[*?[{]/.test(s);

/** A compiled glob: `test` is a whole-path match that takes time linear in the path's length. */
export interface PathGlobMatcher {
  test(relativePath: string): boolean;
}

/**
 * Compiles a glob to a matcher over `/`-separated relative paths. Supported: `*` and `?` (never crossing
 * `/`), `**` (any number of whole segments), `[abc]`, `[a-z]`, `[!x]`/`[^x]`, `{a,b}` (nestable), `\x`
 * escapes. `*` also matches names starting with a dot. The regular expression runs on RE2 (re2js), not on
 * a backtracking engine: a pattern like `*a*a*a*a*a*a*a*a*a*Z` against a long name of `a`s, which takes a
 * backtracking matcher (JavaScript's, or picomatch's as used by glob libraries) minutes, costs microseconds.
 */
export function compilePathGlob(pattern: string): PathGlobMatcher {
  let i = 0;
  const parse = (inBrace: boolean): string => {
    let out = '';
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (inBrace && (c === ',' || c === '}')) return out;
      if (c === '\\' && i + 1 < pattern.length) {
        out += escapeRe(pattern[i + 1]!);
        i += 2;
      } else if (c === '*') {
        if (pattern[i + 1] === '*') {
          const atStart = i === 0 || pattern[i - 1] === '/';
          const j = i + 2;
          if (atStart && pattern[j] === '/') {
            out += '(?:[^/]*/)*'; // `**/`: zero or more whole segments
            i = j + 1;
          } else if (atStart && j === pattern.length) {
            out += '.*'; // trailing `**`: everything below
            i = j;
          } else {
            out += '[^/]*'; // `**` inside a segment acts like `*`
            i = j;
          }
        } else {
          out += '[^/]*';
          i++;
        }
      } else if (c === '?') {
        out += '[^/]';
        i++;
      } else if (c === '[') {
        const close = pattern.indexOf(']', i + 2);
        if (close < 0) {
          out += '\\[';
          i++;
        } else {
          let body = pattern.slice(i + 1, close);
          const negate = body[0] === '!' || body[0] === '^';
          if (negate) body = body.slice(1);
          out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
          i = close + 1;
        }
      } else if (c === '{') {
        i++;
        const alts: string[] = [];
        for (;;) {
          alts.push(parse(true));
          if (i >= pattern.length)
            throw new ToolFailure('INVALID_PATTERN', `unclosed '{' in glob '${pattern}'`);
          if (pattern[i] === '}') {
            i++;
            break;
          }
          i++; // ','
        }
        out += `(?:${alts.join('|')})`;
      } else {
        out += SPECIAL.test(c) || c === '/' ? escapeRe(c) : c;
        i++;
      }
    }
    return out;
  };
  const source = parse(false);
  try {
    const re = RE2JS.compile(source);
    return { test: (relativePath) => re.matches(relativePath) };
  } catch (e) {
    throw new ToolFailure('INVALID_PATTERN', `invalid glob '${pattern}': ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * The leading segments of a glob without syntax (`src/lib/**\/*.ts` → `src/lib`): the walk can start there.
 * Returns '' when the first segment already has syntax.
 */
export function literalPrefix(pattern: string): string {
  const segments = pattern.split('/');
  const out: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (hasGlobSyntax(s) || s.includes('\\')) break;
    out.push(s);
  }
  return out.join('/');
}
