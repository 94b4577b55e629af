import { describe, expect, it } from 'vitest';
import { isBlank, splitWhitespace, trimEndWhitespace, trimWhitespace } from './whitespace.js';

describe('Unicode White_Space helpers (Rust char::is_whitespace)', () => {
  it('trims ASCII and Unicode whitespace, including NEL and ideographic space', () => {
    expect(trimWhitespace(' \t\n a b \r\n')).toBe('a b');
    expect(trimWhitespace('\u0085\u3000x\u00a0')).toBe('x');
    expect(trimEndWhitespace('  x  ')).toBe('  x');
  });
  it('does not treat U+FEFF (BOM) or zero-width space as whitespace', () => {
    expect(trimWhitespace('\ufeffx')).toBe('\ufeffx');
    expect(isBlank('\u200b')).toBe(false);
  });
  it('isBlank', () => {
    expect(isBlank(undefined)).toBe(true);
    expect(isBlank(null)).toBe(true);
    expect(isBlank('')).toBe(true);
    expect(isBlank(' \n\t\u2028')).toBe(true);
    expect(isBlank(' a ')).toBe(false);
  });
  it('splitWhitespace drops empty pieces', () => {
    expect(splitWhitespace('  a \n\n b\tc  ')).toEqual(['a', 'b', 'c']);
    expect(splitWhitespace('')).toEqual([]);
    expect(splitWhitespace('   ')).toEqual([]);
  });
});
