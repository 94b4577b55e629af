import { describe, expect, it } from 'vitest';
import {
  CLAUDE_SYSTEM_PROMPT,
  DEFAULT_SYSTEM_PROMPT,
  GEMINI_SYSTEM_PROMPT,
  GPT5_SYSTEM_PROMPT,
  O3_SYSTEM_PROMPT,
  PLANNER_PROMPT,
  systemPromptForModel,
} from './prompts.js';

describe('systemPromptForModel (spec §1.2)', () => {
  it('anthropic → the Claude prompt', () => {
    expect(systemPromptForModel({ provider: 'anthropic', id: 'claude-sonnet-4-5' })).toBe(
      CLAUDE_SYSTEM_PROMPT,
    );
  });
  it('google → the Gemini prompt', () => {
    expect(systemPromptForModel({ provider: 'google', id: 'gemini-2.5-pro' })).toBe(GEMINI_SYSTEM_PROMPT);
  });
  it('openai with an id starting with o3 (case-insensitive) → the o3 prompt', () => {
    expect(systemPromptForModel({ provider: 'openai', id: 'o3' })).toBe(O3_SYSTEM_PROMPT);
    expect(systemPromptForModel({ provider: 'openai', id: 'o3-mini' })).toBe(O3_SYSTEM_PROMPT);
    expect(systemPromptForModel({ provider: 'openai', id: 'O3-Pro' })).toBe(O3_SYSTEM_PROMPT);
  });
  it('other openai models → the GPT-5 prompt', () => {
    expect(systemPromptForModel({ provider: 'openai', id: 'gpt-5.4' })).toBe(GPT5_SYSTEM_PROMPT);
    expect(systemPromptForModel({ provider: 'openai', id: 'o4-mini' })).toBe(GPT5_SYSTEM_PROMPT);
    expect(systemPromptForModel({ provider: 'openai', id: 'xo3' })).toBe(GPT5_SYSTEM_PROMPT);
  });
  it('anything else (provider match is case-sensitive) → the generic default', () => {
    expect(systemPromptForModel({ provider: 'simulated', id: 'sim' })).toBe(DEFAULT_SYSTEM_PROMPT);
    expect(systemPromptForModel({ provider: 'Anthropic', id: 'claude' })).toBe(DEFAULT_SYSTEM_PROMPT);
  });
  it('all prompts are distinct and non-blank', () => {
    const all = [
      CLAUDE_SYSTEM_PROMPT,
      GEMINI_SYSTEM_PROMPT,
      O3_SYSTEM_PROMPT,
      GPT5_SYSTEM_PROMPT,
      DEFAULT_SYSTEM_PROMPT,
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const p of [...all, PLANNER_PROMPT]) expect(p.trim().length).toBeGreaterThan(50);
  });
});

describe('PLANNER_PROMPT (spec §2.5)', () => {
  it('covers the gist: plan mode, no changes, explore sub-agent, switching to normal/yolo', () => {
    expect(PLANNER_PROMPT).toMatch(/plan mode/i);
    expect(PLANNER_PROMPT).toMatch(/clarifying questions/i);
    expect(PLANNER_PROMPT).toMatch(/read-only tools/i);
    expect(PLANNER_PROMPT).toContain('`explore`');
    expect(PLANNER_PROMPT).toMatch(/do not write code/i);
    expect(PLANNER_PROMPT).toContain('`normal`');
    expect(PLANNER_PROMPT).toContain('`yolo`');
  });
  it('is not any model default prompt', () => {
    for (const provider of ['anthropic', 'google', 'openai', 'other']) {
      expect(systemPromptForModel({ provider, id: 'm' })).not.toBe(PLANNER_PROMPT);
    }
  });
});
