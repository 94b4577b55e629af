import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  approvalGlobCacheSize,
  approvalGlobMatches,
  cachedApprovalGlob,
  compileApprovalGlob,
  GlobPatternError,
  isValidApprovalGlob,
  patternMatches,
} from './glob.js';

const anyMatch = (patterns: readonly string[], subject: string): boolean =>
  patterns.some((p) => patternMatches(p, subject));

describe('spec §2.3 bash pattern examples', () => {
  const patterns = ['git status', 'git log*', 'git * --oneline', 'ls -?a*', 'cargo build*'];
  it.each([
    ['git status', true],
    ['git log --oneline', true],
    ['git show --oneline', true],
    ['ls -la', true],
    ['cargo build --release', true],
    ['git commit', false],
    ['ls -l', false],
    ['rm -rf /', false],
  ])('command %j matches the bash patterns: %s', (command, expected) => {
    expect(anyMatch(patterns, command)).toBe(expected);
  });

  it('each positive example matches the pattern the spec intends', () => {
    expect(patternMatches('git status', 'git status')).toBe(true);
    expect(patternMatches('git log*', 'git log --oneline')).toBe(true);
    expect(patternMatches('git * --oneline', 'git show --oneline')).toBe(true);
    expect(patternMatches('git * --oneline', 'git log --oneline')).toBe(true);
    expect(patternMatches('ls -?a*', 'ls -la')).toBe(true);
    expect(patternMatches('cargo build*', 'cargo build --release')).toBe(true);
    expect(patternMatches('git log*', 'git status')).toBe(false);
  });
});

describe('spec §2.3 dispatch-agent pattern examples', () => {
  const patterns = ['explore', 'explore-*'];
  it.each([
    ['explore', true],
    ['explore-fast', true],
    ['build', false],
  ])('agent %j matches the agent patterns: %s', (agent, expected) => {
    expect(anyMatch(patterns, agent)).toBe(expected);
  });
});

describe('glob semantics (Rust glob crate defaults)', () => {
  it.each([
    // `*` spans `/` and may be empty
    ['*', '', true],
    ['*', '/etc/passwd', true],
    ['a*b', 'ab', true],
    ['a*b', 'a/x/b', true],
    ['a*b', 'a/x/c', false],
    ['cat *', 'cat /etc/passwd', true],
    // `?` is exactly one scalar value
    ['?', '', false],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['?', '/', true],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?c', 'a😀c', true],
    // classes
    ['[abc]', 'b', true],
    ['[abc]', 'd', false],
    ['[a-z]', 'm', true],
    ['[a-z]', 'M', false],
    ['[!abc]', 'd', true],
    ['[!abc]', 'a', false],
    ['[!a-z]', 'A', true],
    ['[*]', '*', true],
    ['[*]', 'a', false],
    ['[?]', '?', true],
    ['[?]', 'x', false],
    ['[[]', '[', true],
    ['[]]', ']', true],
    ['[]]', 'a', false],
    ['[!]]', 'a', true],
    ['[!]]', ']', false],
    ['[]a]', 'a', true],
    ['[!]a]', 'b', true],
    ['[!]a]', 'a', false],
    ['[a-]', '-', true],
    ['[a-]', 'a', true],
    ['[-a]', '-', true],
    ['[z-a]', 'm', false], // inverted range matches nothing
    ['[!z-a]', 'm', true],
    ['[α-ω]', 'β', true],
    ['[α-ω]', 'a', false],
    ['[😀-😂]', '😁', true],
    ['x]', 'x]', true],
    ['x]y', 'x]y', true],
    // case-sensitive
    ['Git*', 'git status', false],
    ['git*', 'GIT status', false],
    // leading dots are not special
    ['*rc', '.bashrc', true],
    ['?bashrc', '.bashrc', true],
    ['[.]x', '.x', true],
    ['a/*', 'a/.hidden', true],
    // no escape character: a backslash is literal
    ['\\*', '\\anything', true],
    ['\\*', '*', false],
    // `**` as a whole path component
    ['**', '', true],
    ['**', 'a/b/c', true],
    ['**/b', 'b', true],
    ['**/b', 'x/b', true],
    ['**/b', 'x/y/b', true],
    ['**/b', '/b', true],
    ['**/b', 'xb', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['a/**/b', 'ab', false],
    ['a/**', 'a/', true],
    ['a/**', 'a/x/y', true],
    ['a/**', 'b/x', false],
    ['a/**/', 'a/x', true], // the `/` after `**` belongs to the component: the pattern ends in `**`
    ['**/**', 'x', true],
    ['**/**/b', 'x/y/b', true],
    ['a/**/*.ts', 'a/src/x.ts', true],
    ['a/**/*.ts', 'a/x.ts', true],
    ['a/**/*.ts', 'a/x.js', false],
    // unicode literals
    ['héllo *', 'héllo wörld', true],
    ['日本*', '日本語', true],
    ['日?語', '日本語', true],
  ])('pattern %j vs %j → %s', (pattern, subject, expected) => {
    expect(patternMatches(pattern, subject)).toBe(expected);
  });

  it('the empty pattern only matches the empty subject', () => {
    expect(patternMatches('', '')).toBe(true);
    expect(patternMatches('', 'a')).toBe(false);
    expect(patternMatches('', ' ')).toBe(false);
  });

  it('a pattern without wildcards only matches itself', () => {
    expect(patternMatches('git status', 'git status')).toBe(true);
    expect(patternMatches('git status', 'git status ')).toBe(false);
    expect(patternMatches('git status', 'git')).toBe(false);
  });
});

describe('patterns that fail to parse only match by exact equality', () => {
  it.each([
    'ls **',
    'a**',
    '**a',
    'a**/b',
    'a/**b',
    '***',
    'a/***',
    '[',
    '[a',
    'ls [a*',
    '[]',
    '[!]',
    '[!',
    '[a-z',
  ])('%j is not a valid glob', (pattern) => {
    expect(isValidApprovalGlob(pattern)).toBe(false);
    expect(() => compileApprovalGlob(pattern)).toThrow(GlobPatternError);
  });

  it('"ls **" matches only itself', () => {
    expect(patternMatches('ls **', 'ls **')).toBe(true);
    expect(patternMatches('ls **', 'ls foo')).toBe(false);
    expect(patternMatches('ls **', 'ls ')).toBe(false);
  });

  it('an unterminated class matches only itself', () => {
    expect(patternMatches('ls [a*', 'ls [a*')).toBe(true);
    expect(patternMatches('ls [a*', 'ls [abc')).toBe(false);
    expect(patternMatches('ls [a*', 'ls a')).toBe(false);
  });

  it('the error names the pattern and position', () => {
    try {
      compileApprovalGlob('ls **');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GlobPatternError);
      const err = e as GlobPatternError;
      expect(err.pattern).toBe('ls **');
      expect(err.reason).toMatch(/path component/);
      expect(err.message).toContain('"ls **"');
    }
  });
});

describe('matching cost and caching', () => {
  it('a pathological pattern gets its answer (an exponential backtracker would not finish in the test timeout)', () => {
    const subject = 'a'.repeat(20_000);
    expect(patternMatches('*a*a*a*a*a*a*a*a*b', subject)).toBe(false);
    expect(patternMatches('*a*a*a*a*a*a*a*a*a', subject)).toBe(true);
  });

  it('a pattern is compiled once: the second lookup returns the cached object', () => {
    const first = cachedApprovalGlob('git log*');
    expect(first).not.toBeNull();
    expect(cachedApprovalGlob('git log*')).toBe(first);
    expect(cachedApprovalGlob('git diff*')).not.toBe(first);
    expect(cachedApprovalGlob('ls **')).toBeNull();
    expect(cachedApprovalGlob('ls **')).toBeNull();
  });

  it('the compiled-pattern cache is bounded and evicts the oldest entry first', () => {
    const oldest = cachedApprovalGlob('cmd-oldest *');
    for (let i = 0; i < 5_000; i++) patternMatches(`cmd-${i} *`, 'cmd-1 x');
    expect(approvalGlobCacheSize()).toBe(4096);
    expect(cachedApprovalGlob('cmd-4999 *')).toBe(cachedApprovalGlob('cmd-4999 *'));
    expect(cachedApprovalGlob('cmd-oldest *')).not.toBe(oldest);
  });

  it('a cached pattern gives the same answer as a fresh compile', () => {
    expect(patternMatches('git log*', 'git log -p')).toBe(true);
    expect(patternMatches('git log*', 'git log -p')).toBe(true);
    expect(patternMatches('git log*', 'git lg')).toBe(false);
    const fresh = compileApprovalGlob('git log*');
    expect(approvalGlobMatches(fresh, 'git log -p')).toBe(true);
    expect(approvalGlobMatches(fresh, 'git lg')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Reference: a literal port of the Rust `glob` crate's parser and backtracking matcher (0.3.x), used to
// cross-check the NFA implementation on small random patterns.

type RTok =
  | { t: 'char'; c: string }
  | { t: 'any' }
  | { t: 'seq' }
  | { t: 'rec' }
  | { t: 'within'; cs: [string, string][] }
  | { t: 'except'; cs: [string, string][] };

function rustSpecs(s: string[]): [string, string][] {
  const cs: [string, string][] = [];
  let i = 0;
  while (i < s.length) {
    if (i + 3 <= s.length && s[i + 1] === '-') {
      cs.push([s[i]!, s[i + 2]!]);
      i += 3;
    } else {
      cs.push([s[i]!, s[i]!]);
      i += 1;
    }
  }
  return cs;
}

function rustParse(pattern: string): RTok[] | null {
  const chars = Array.from(pattern);
  const tokens: RTok[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '?') {
      tokens.push({ t: 'any' });
      i += 1;
    } else if (c === '*') {
      const old = i;
      while (i < chars.length && chars[i] === '*') i += 1;
      const count = i - old;
      if (count > 2) return null;
      if (count === 2) {
        if (i === 2 || chars[i - count - 1] === '/') {
          if (i < chars.length && chars[i] === '/') i += 1;
          else if (i !== chars.length) return null;
        } else return null;
        if (!(tokens.length > 1 && tokens[tokens.length - 1]!.t === 'rec')) tokens.push({ t: 'rec' });
      } else tokens.push({ t: 'seq' });
    } else if (c === '[') {
      if (i + 4 <= chars.length && chars[i + 1] === '!') {
        const j = chars.slice(i + 3).indexOf(']');
        if (j >= 0) {
          tokens.push({ t: 'except', cs: rustSpecs(chars.slice(i + 2, i + 3 + j)) });
          i += j + 4;
          continue;
        }
      } else if (i + 3 <= chars.length && chars[i + 1] !== '!') {
        const j = chars.slice(i + 2).indexOf(']');
        if (j >= 0) {
          tokens.push({ t: 'within', cs: rustSpecs(chars.slice(i + 1, i + 2 + j)) });
          i += j + 3;
          continue;
        }
      }
      return null;
    } else {
      tokens.push({ t: 'char', c });
      i += 1;
    }
  }
  return tokens;
}

type R = 'Match' | 'Sub' | 'Entire';
const inSpecs = (cs: [string, string][], c: string): boolean =>
  cs.some(([lo, hi]) => c.codePointAt(0)! >= lo.codePointAt(0)! && c.codePointAt(0)! <= hi.codePointAt(0)!);

function rustMatchesFrom(tokens: RTok[], followsSepIn: boolean, file: string[], fi: number, from: number): R {
  let f = fi;
  let followsSep = followsSepIn;
  for (let ti = from; ti < tokens.length; ti++) {
    const tok = tokens[ti]!;
    if (tok.t === 'seq' || tok.t === 'rec') {
      let r = rustMatchesFrom(tokens, followsSep, file, f, ti + 1);
      if (r !== 'Sub') return r;
      while (f < file.length) {
        const c = file[f++]!;
        followsSep = c === '/';
        if (tok.t === 'rec' && !followsSep) continue;
        r = rustMatchesFrom(tokens, followsSep, file, f, ti + 1);
        if (r !== 'Sub') return r;
      }
    } else {
      if (f >= file.length) return 'Entire';
      const c = file[f++]!;
      let ok: boolean;
      switch (tok.t) {
        case 'any':
          ok = true;
          break;
        case 'within':
          ok = inSpecs(tok.cs, c);
          break;
        case 'except':
          ok = !inSpecs(tok.cs, c);
          break;
        case 'char':
          ok = tok.c === c;
          break;
      }
      if (!ok) return 'Sub';
      followsSep = c === '/';
    }
  }
  return f >= file.length ? 'Match' : 'Sub';
}

function rustPatternMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const tokens = rustParse(pattern);
  return tokens !== null && rustMatchesFrom(tokens, true, Array.from(subject), 0, 0) === 'Match';
}

describe('cross-check against a port of the Rust glob crate', () => {
  const patternArb = fc
    .array(fc.constantFrom('a', 'b', '/', '-', '*', '**', '?', '[', ']', '!', 'é'), { maxLength: 8 })
    .map((xs) => xs.join(''));
  const subjectArb = fc
    .array(fc.constantFrom('a', 'b', '/', '-', ']', '!', '*', 'é'), { maxLength: 9 })
    .map((xs) => xs.join(''));

  it('patternMatches agrees with the reference on random small patterns', () => {
    fc.assert(
      fc.property(patternArb, subjectArb, (pattern, subject) => {
        expect(patternMatches(pattern, subject)).toBe(rustPatternMatches(pattern, subject));
      }),
      { numRuns: 5_000 },
    );
  });

  const segmentArb = fc.constantFrom('**', '*', 'a', 'b', '?', '[ab]', '[!a]', 'a*', '*b', 'a?', '');
  const pathPatternArb = fc
    .tuple(fc.array(segmentArb, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([segs, lead]) => (lead ? '/' : '') + segs.join('/'));
  const pathSubjectArb = fc
    .array(fc.constantFrom('a', 'b', 'ab', 'ba', 'x', ''), { minLength: 1, maxLength: 4 })
    .map((segs) => segs.join('/'));

  it('patternMatches agrees with the reference on random path-like patterns', () => {
    fc.assert(
      fc.property(pathPatternArb, pathSubjectArb, (pattern, subject) => {
        expect(patternMatches(pattern, subject)).toBe(rustPatternMatches(pattern, subject));
      }),
      { numRuns: 5_000 },
    );
  });

  it('validity agrees with the reference parser', () => {
    fc.assert(
      fc.property(patternArb, (pattern) => {
        expect(isValidApprovalGlob(pattern)).toBe(rustParse(pattern) !== null);
      }),
      { numRuns: 2_000 },
    );
  });

  it('every pattern matches itself (exact equality)', () => {
    fc.assert(fc.property(fc.string(), (p) => patternMatches(p, p)));
  });

  it('a pattern without special characters matches only equal strings', () => {
    const plain = fc.string().filter((s) => !/[*?[]/.test(s));
    fc.assert(fc.property(plain, plain, (p, s) => patternMatches(p, s) === (p === s)));
  });

  it('reference port sanity: known answers', () => {
    expect(rustPatternMatches('a/**/b', 'a/x/b')).toBe(true);
    expect(rustPatternMatches('a/**/b', 'a/xb')).toBe(false);
    expect(rustPatternMatches('ls -?a*', 'ls -la')).toBe(true);
    expect(rustPatternMatches('ls **', 'ls x')).toBe(false);
  });
});
