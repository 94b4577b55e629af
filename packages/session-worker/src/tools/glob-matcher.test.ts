import { describe, expect, it } from 'vitest';
import { compilePathGlob, literalPrefix } from './glob-matcher.js';

const m = (pattern: string, p: string): boolean => compilePathGlob(pattern).test(p);

describe('compilePathGlob', () => {
  it('* and ? stay within one segment', () => {
    expect(m('*.ts', 'a.ts')).toBe(true);
    expect(m('*.ts', 'src/a.ts')).toBe(false);
    expect(m('a?.ts', 'ab.ts')).toBe(true);
    expect(m('a?.ts', 'a/.ts')).toBe(false);
  });

  it('** spans any number of segments, including none', () => {
    expect(m('**/*.ts', 'a.ts')).toBe(true);
    expect(m('**/*.ts', 'x/y/z/a.ts')).toBe(true);
    expect(m('src/**/index.ts', 'src/index.ts')).toBe(true);
    expect(m('src/**/index.ts', 'src/a/b/index.ts')).toBe(true);
    expect(m('src/**', 'src/a/b')).toBe(true);
    expect(m('src/**', 'lib/a')).toBe(false);
  });

  it('classes, negation, braces and escapes', () => {
    expect(m('[abc].txt', 'b.txt')).toBe(true);
    expect(m('[a-c].txt', 'd.txt')).toBe(false);
    expect(m('[!a].txt', 'a.txt')).toBe(false);
    expect(m('[!a].txt', 'z.txt')).toBe(true);
    expect(m('*.{ts,tsx}', 'a.tsx')).toBe(true);
    expect(m('*.{ts,{js,mjs}}', 'a.mjs')).toBe(true);
    expect(m('*.{ts,tsx}', 'a.js')).toBe(false);
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
    expect(m('a.b', 'axb')).toBe(false);
  });

  it('rejects an unclosed brace', () => {
    expect(() => compilePathGlob('{a,b')).toThrow(/unclosed/);
  });

  it('literalPrefix is the leading segments without glob syntax', () => {
    expect(literalPrefix('src/lib/**/*.ts')).toBe('src/lib');
    expect(literalPrefix('**/*.ts')).toBe('');
    expect(literalPrefix('a.ts')).toBe('');
  });
});
