import type { ToolOutcome } from '@shoal/shared';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bashTool } from './bash.js';
import { DEFAULT_ENV_ALLOWLIST, ENV_ALLOWLIST_VARIABLE } from './command-env.js';
import { SpawnHelper } from './spawn/spawn-helper.js';
import { ctxFor, useTempWorkspace } from './test-support/temp-workspace.js';
import { ToolExecutor } from './tool-executor.js';

const temp = useTempWorkspace();

/** Credentials a runtime's environment typically holds, several of which end in no "secret" suffix. */
const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  DATABASE_URL: 'postgres://u:pw@db/x',
  GITHUB_PAT: 'ghp_secret',
  OPENAI_KEY: 'sk-openai',
  OPENAI_API_KEY: 'sk-openai-api',
  SSH_PRIVATE_KEY: 'ssh-secret',
  STRIPE_SECRET_KEY: 'sk_live_secret',
  SHOAL_TEST_PLAIN: 'not allowlisted either',
};
for (const [k, v] of Object.entries(SECRETS)) process.env[k] = v;
afterAll(() => {
  for (const k of Object.keys(SECRETS)) delete process.env[k];
});

// Created after the secrets are set: a helper forked with the runtime's environment would hold them.
const helper = new SpawnHelper();
afterAll(() => helper.close());

const stdoutOf = (o: ToolOutcome): string => {
  if (!o.ok || o.value.type !== 'Bash') throw new Error(`expected a Bash result, got ${JSON.stringify(o)}`);
  return o.value.stdout;
};
const run = (command: string, options: Parameters<typeof bashTool>[0] = {}) =>
  temp().then(({ ws }) =>
    new ToolExecutor([bashTool(options)]).execute(
      { id: 't', name: 'bash', parameters: { command } },
      ctxFor(ws),
    ),
  );
/** `NAME=value` lines of a NUL-separated environ dump. */
const names = (stdout: string): string[] =>
  stdout
    .split(/[\n\0]/)
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf('=')));

describe.each([
  { name: 'spawned here', launcher: undefined },
  { name: 'spawn helper', launcher: helper.launch },
])('bash environment ($name)', ({ launcher }) => {
  const base = launcher ? { launcher } : {};

  it('holds only allowlisted variables: no credential reaches a command', async () => {
    const seen = names(stdoutOf(await run('env', base)));
    for (const secret of Object.keys(SECRETS)) expect(seen).not.toContain(secret);
    expect(seen).toContain('PATH');
    for (const name of seen) {
      expect(
        DEFAULT_ENV_ALLOWLIST.some((e) => (e.endsWith('*') ? name.startsWith(e.slice(0, -1)) : e === name)) ||
          ['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name), // set by bash itself
      ).toBe(true);
    }
  });

  it('is configurable: envAllowlist names and PREFIX* entries', async () => {
    process.env.SHOAL_EXTRA_ONE = 'one';
    try {
      const out = stdoutOf(
        await run('echo "$SHOAL_EXTRA_ONE|$DATABASE_URL|$(test -n "$HOME" && echo home)"', {
          ...base,
          envAllowlist: ['SHOAL_EXTRA_*', 'DATABASE_URL'],
        }),
      );
      expect(out).toBe(`one|${SECRETS.DATABASE_URL}|\n`);
    } finally {
      delete process.env.SHOAL_EXTRA_ONE;
    }
  });
});

describe('bash environment: the operator variable', () => {
  afterEach(() => {
    delete process.env[ENV_ALLOWLIST_VARIABLE];
  });

  it(`${ENV_ALLOWLIST_VARIABLE} replaces the default allowlist`, async () => {
    process.env[ENV_ALLOWLIST_VARIABLE] = 'PATH, GITHUB_PAT';
    const seen = names(stdoutOf(await run('env')));
    expect(seen).toContain('GITHUB_PAT');
    expect(seen).not.toContain('HOME');
  });
});

describe('spawn helper environment', () => {
  it("a command reading its parent's environ (/proc/$PPID/environ) finds no credential", async () => {
    const out = stdoutOf(await run('cat /proc/$PPID/environ', { launcher: helper.launch }));
    const seen = names(out);
    for (const secret of Object.keys(SECRETS)) expect(seen).not.toContain(secret);
    expect(out).not.toContain('sk-openai');
  });
});
