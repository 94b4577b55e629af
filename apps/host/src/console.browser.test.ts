import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildHost, spawnHost } from './test-support/child-host.js';
import { type Browser, launchChromium } from './test-support/chromium.js';

// The console in a real browser against a real `shoal-host` process on loopback. Steps run in order and share
// the page, as a user would; every wait is on something the page shows (Playwright's auto-waiting), with
// generous deadlines for a loaded machine.
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const KEYS = 'acme:acme-key-1,globex:globex-key-1';
const WAIT = { timeout: 60_000 };

let dataDir: string;
let host: ChildHost;
let browser: Browser;
let page: Page;
let sessionId: string;

const start = (port = 0) =>
  spawnHost(
    // a simulated model slow enough that a reply is seen streaming
    [
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--shards',
      '1',
      '--log-level',
      'warn',
      '--sim-tokens-per-second',
      '40',
    ],
    { SHOAL_API_KEYS: KEYS },
  );

async function kill(h: ChildHost): Promise<void> {
  if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  await h.exited;
}

async function api<T>(path: string, key = 'acme-key-1'): Promise<T> {
  const res = await fetch(`${host.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function send(text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.fill(text);
  await input.press('Enter');
  await expect.poll(() => input.inputValue(), WAIT).toBe('');
}

const lastAssistant = () => page.getByTestId('message-assistant').last();
const status = () => page.getByTestId('session-status');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'console-e2e-'));
  host = await start();
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT.timeout);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (host !== undefined) await kill(host);
  await rm(dataDir, { recursive: true, force: true });
});

describe('web console in chromium', { timeout: 180_000 }, () => {
  it('refuses an unknown key, takes a good one, and creates a session', async () => {
    await page.goto(host.url);
    await page.locator('#api-key').fill('not-a-key');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').getByText('The host does not know this key.').waitFor();

    await page.locator('#api-key').fill('acme-key-1');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('No sessions yet.').waitFor();

    await page.locator('input[name=title]').fill('browser demo');
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByTestId('session-title').getByText('browser demo').waitFor();
    await page.getByTestId('connection').getByText('live').waitFor();
    sessionId = decodeURIComponent(new URL(page.url()).hash.replace('#/sessions/', ''));
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends input and shows the reply as it streams, then as the stored message', async () => {
    await send('/tokens 120\nhello from the browser');
    const preview = page.getByTestId('streaming');
    await preview.getByText('echo: hello from the browser').waitFor();
    await lastAssistant().getByText('echo: hello from the browser').waitFor();
    await preview.waitFor({ state: 'detached' });
    await status().getByText('idle').waitFor();
  });

  it('asks to approve a bash call, approves it from the keyboard, and shows its output and the finished turn', async () => {
    await send('/tool bash {"command": "echo hi"}');
    const approval = page.getByTestId('approval');
    await approval.getByText('echo hi').waitFor();
    await status().getByText('waiting for approval').waitFor();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-session.png') });
    await page.locator('#composer-input').press('Escape'); // leave the text field, then `a` approves
    await page.keyboard.press('a');
    await approval.waitFor({ state: 'detached' });
    const call = page.getByTestId('tool-call').last();
    await call.getByTestId('tool-result').getByText('hi', { exact: true }).waitFor();
    await call.getByText('completed').waitFor();
    await lastAssistant().getByText('done: 1 tool results').waitFor();
    await status().getByText('idle').waitFor();
  });

  it('queues input while a /sleep turn runs and cancels the turn', async () => {
    await send('/sleep 60000');
    await status().getByText('running').waitFor();
    await send('queued while sleeping');
    await page.getByTestId('queued').getByText('queued while sleeping').waitFor();
    await page.getByRole('button', { name: /^Cancel/ }).click();
    await page.getByTestId('notice').getByText('Operation cancelled').last().waitFor();
    await status().getByText('idle').waitFor();
    // the cancel popped the queued input and hands it back to the editor
    await expect.poll(() => page.locator('#composer-input').inputValue(), WAIT).toBe('queued while sleeping');
    await page.locator('#composer-input').fill('');

    // the raw log, filtered to one type
    await page.getByTestId('event-filter').selectOption('OperationCancelled');
    const rows = page.getByTestId('event-row');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    expect(await rows.first().getAttribute('data-type')).toBe('OperationCancelled');
    await page.getByTestId('event-filter').selectOption('');
    await expect.poll(() => rows.count(), WAIT).toBeGreaterThan(10);
  });

  it('shows another tenant none of these sessions; the owner lists them and deletes one', async () => {
    const other = await browser.context.newPage(); // a new tab: its own sessionStorage, so no key yet
    try {
      await other.goto(host.url);
      await other.locator('#api-key').fill('globex-key-1');
      await other.getByRole('button', { name: 'Connect' }).click();
      await other.getByText('No sessions yet.').waitFor(WAIT);
      await other.goto(`${host.url}/#/sessions/${sessionId}`);
      await other.getByRole('heading', { name: 'Session not found' }).waitFor(WAIT);
      expect(await other.getByText('browser demo').count()).toBe(0);
    } finally {
      await other.close();
    }
    // and the owner's list has it, with its status and message count
    await page.goto(`${host.url}/#/`);
    const row = page.locator(`tr[data-session-id="${sessionId}"]`);
    await row.getByText('browser demo').waitFor();
    await row.getByText('idle').waitFor();
    // delete is two steps, and takes the row away
    await page.locator('input[name=title]').fill('short-lived');
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByTestId('session-title').getByText('short-lived').waitFor();
    await page.getByRole('link', { name: '← Sessions' }).click();
    const doomed = page.locator('tr', { hasText: 'short-lived' });
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await doomed.getByRole('button', { name: 'Confirm delete' }).click();
    await doomed.waitFor({ state: 'detached' });
    await row.waitFor();
    await page.getByRole('link', { name: 'browser demo' }).click();
    await page.getByTestId('connection').getByText('live').waitFor();
  });

  it('catches up after the host is killed and restarted, without a duplicated message', async () => {
    await send('/sleep 60000');
    await status().getByText('running').waitFor();
    const port = Number(new URL(host.url).port);
    await kill(host);
    await page
      .getByTestId('connection')
      .getByText(/reconnecting/)
      .waitFor();
    host = await start(port);
    // resuming the session closes the turn the kill interrupted (spec deliberate change 6)
    await page.getByTestId('notice').getByText('Operation interrupted (the host stopped)').waitFor();
    await page.getByTestId('connection').getByText('live').waitFor();
    await status().getByText('idle').waitFor();
    await send('after the restart');
    await lastAssistant().getByText('echo: after the restart').waitFor();
    await status().getByText('idle').waitFor();

    const state = await api<{ messages: { id: string }[]; eventSequence: number }>(
      `/v1/sessions/${sessionId}`,
    );
    // every event exactly once, in order
    const rows = page.getByTestId('event-row');
    await expect.poll(() => rows.count(), WAIT).toBe(state.eventSequence);
    const seqs = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
    expect(seqs).toEqual([...Array(state.eventSequence).keys()]);
    // and every message of the thread exactly once
    const shown = await page
      .locator('[data-message-id]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-message-id')));
    const threadIds = state.messages.map((m) => m.id);
    expect(new Set(shown).size).toBe(shown.length);
    for (const id of shown) expect(threadIds).toContain(id);
    expect(await page.getByText('echo: after the restart').count()).toBe(1);
    expect(
      await page.getByTestId('message-user').getByText('after the restart', { exact: true }).count(),
    ).toBe(1);
  });
});
