import { describe, expect, it } from 'vitest';
import { READ_ONLY_TOOLS, type ToolVisibility } from '../schemas/config.js';
import { filterToolsByVisibility, isToolVisible } from './visibility.js';

const tools = ['bash', 'grep', 'read_file', 'edit_file', 'dispatch_agent', 'ls', 'write_todos'].map(
  (name) => ({
    name,
    description: `${name} tool`,
  }),
);
const names = (visibility: ToolVisibility) => filterToolsByVisibility(visibility, tools).map((t) => t.name);

describe('filterToolsByVisibility (spec §2.4)', () => {
  it('All keeps every tool, in order, as a new array', () => {
    const result = filterToolsByVisibility({ type: 'All' }, tools);
    expect(result).toEqual(tools);
    expect(result).not.toBe(tools);
  });

  it('ReadOnly keeps only the read-only set, in order', () => {
    expect(names({ type: 'ReadOnly' })).toEqual(['grep', 'read_file', 'ls', 'write_todos']);
  });

  it('Whitelist keeps only listed names, in the tools order (not the list order)', () => {
    expect(names({ type: 'Whitelist', tools: ['ls', 'bash', 'nope'] })).toEqual(['bash', 'ls']);
    expect(names({ type: 'Whitelist', tools: [] })).toEqual([]);
  });

  it('Blacklist drops listed names', () => {
    expect(names({ type: 'Blacklist', tools: ['bash', 'edit_file'] })).toEqual([
      'grep',
      'read_file',
      'dispatch_agent',
      'ls',
      'write_todos',
    ]);
    expect(names({ type: 'Blacklist', tools: [] })).toEqual(tools.map((t) => t.name));
  });

  it('keeps the element objects (identity) and does not mutate the input', () => {
    const before = tools.slice();
    const result = filterToolsByVisibility({ type: 'Whitelist', tools: ['grep'] }, tools);
    expect(result[0]).toBe(tools[1]);
    expect(tools).toEqual(before);
  });
});

describe('isToolVisible (spec §2.4)', () => {
  it('agrees with the filter for every kind', () => {
    const kinds: ToolVisibility[] = [
      { type: 'All' },
      { type: 'ReadOnly' },
      { type: 'Whitelist', tools: ['bash', 'ls'] },
      { type: 'Blacklist', tools: ['bash', 'ls'] },
    ];
    for (const v of kinds) {
      const kept = new Set(names(v));
      for (const t of tools) expect(isToolVisible(v, t.name)).toBe(kept.has(t.name));
    }
  });

  it('the read-only set is exactly the spec set', () => {
    for (const t of READ_ONLY_TOOLS) expect(isToolVisible({ type: 'ReadOnly' }, t)).toBe(true);
    expect(isToolVisible({ type: 'ReadOnly' }, 'bash')).toBe(false);
    expect(isToolVisible({ type: 'ReadOnly' }, 'dispatch_agent')).toBe(false);
  });
});
