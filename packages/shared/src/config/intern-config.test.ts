import { describe, expect, it } from 'vitest';
import { resolveEffectiveConfig } from '../agents/primary-agents.js';
import { internSessionConfig, internText } from './intern-config.js';
import { sessionConfigFromInput } from './session-config.js';

const make = (path: string) => resolveEffectiveConfig(sessionConfigFromInput({}, { workspacePath: path }));

describe('internSessionConfig', () => {
  it('shares identical parts between sessions and keeps what differs', () => {
    const a = internSessionConfig(make('/w/a'));
    const b = internSessionConfig(make('/w/b'));
    expect(a).toEqual(make('/w/a'));
    expect(a.toolConfig).toBe(b.toolConfig);
    expect(a.policyOverrides).toBe(b.policyOverrides);
    expect(a.defaultModel).toBe(b.defaultModel);
    expect(a.workspace).not.toBe(b.workspace);
    expect(a.workspace).toEqual({ type: 'local', path: '/w/a' });
  });

  it('does not share parts that differ', () => {
    const a = internSessionConfig({ ...make('/w/a'), metadata: { tenant: 'x' } });
    const b = internSessionConfig({ ...make('/w/b'), metadata: { tenant: 'y' } });
    expect(a.metadata).toEqual({ tenant: 'x' });
    expect(b.metadata).toEqual({ tenant: 'y' });
  });

  it('freezes shared parts so an in-place mutation throws instead of leaking into other sessions', () => {
    const a = internSessionConfig(make('/w/a'));
    expect(() => {
      (a.toolConfig.approvalPolicy.preapproved.tools as string[]).push('bash');
    }).toThrow(TypeError);
  });

  it('keeps the system prompt text, and adds no key to a config without one', () => {
    const withPrompt = { ...make('/w/a'), systemPrompt: `You are ${'x'.repeat(3)}` };
    expect(internSessionConfig(withPrompt).systemPrompt).toBe('You are xxx');
    const { systemPrompt: _drop, ...without } = make('/w/b');
    expect('systemPrompt' in internSessionConfig(without)).toBe(false);
  });

  it('internText returns an equal string', () => {
    const a = ['You are', 'Shoal'].join(' ');
    expect(internText(a)).toBe('You are Shoal');
    expect(internText(['You are', 'Shoal'].join(' '))).toBe(a);
  });
});
