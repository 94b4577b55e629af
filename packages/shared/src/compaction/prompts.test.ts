import { describe, expect, it } from 'vitest';
import { COMPACTION_PROMPT, CONTINUATION_PROMPT } from './prompts.js';

describe('compaction prompts (spec §5.5, §3.2.15)', () => {
  it('the compaction prompt asks for a structured hand-off summary with the four topics and the exclusions', () => {
    expect(COMPACTION_PROMPT).toMatch(/compaction/i);
    expect(COMPACTION_PROMPT).toMatch(/hand-off summary/i);
    expect(COMPACTION_PROMPT).toMatch(/progress/i);
    expect(COMPACTION_PROMPT).toMatch(/decisions/i);
    expect(COMPACTION_PROMPT).toMatch(/preferences/i);
    expect(COMPACTION_PROMPT).toMatch(/next steps/i);
    expect(COMPACTION_PROMPT).toMatch(/critical data/i);
    expect(COMPACTION_PROMPT).toMatch(/do not include system-context/i);
    expect(COMPACTION_PROMPT).toMatch(/tool\s+schemas/i);
  });

  it('the continuation prompt asks to pick up from the summary and carry on', () => {
    expect(CONTINUATION_PROMPT).toMatch(/summary/);
    expect(CONTINUATION_PROMPT).toMatch(/carry on/);
    expect(CONTINUATION_PROMPT.length).toBeLessThan(300);
    expect(CONTINUATION_PROMPT).not.toBe(COMPACTION_PROMPT);
  });
});
