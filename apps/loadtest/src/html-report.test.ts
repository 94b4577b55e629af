import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from './html-report.js';
import { sampleReport } from './test-support/sample-report.js';

const CHROMIUM = process.env.SHOAL_CHROMIUM ?? '/usr/bin/chromium';

/** The report opened in a real headless Chromium (Debian's), offline: the charts must render from the file alone. */
describe('the HTML report in a browser', () => {
  let dir: string;
  let browser: BrowserContext;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-html-'));
    // a fresh user-data dir per run
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders four charts with data, the tables and the configuration', { timeout: 60_000 }, async () => {
    const report = sampleReport();
    report.errorSamples = ['gap: session s-1: expected seq 3, got 4 <script>alert(1)</script>'];
    report.errors = 1;
    const file = join(dir, 'report.html');
    await writeFile(file, await renderHtmlReport(report));
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('pageerror', (e) => failed.push(e.message));
    page.on('requestfailed', (r) => failed.push(`request ${r.url()}`));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-rendered="4"]', { timeout: 30_000 });
    expect(failed).toEqual([]);
    for (const id of ['throughput', 'latency', 'kinds', 'errors']) {
      const chart = page.locator(`#${id} .uplot`);
      await expect.poll(() => chart.count()).toBe(1);
      // the canvas has been drawn on: some pixels are not transparent
      const painted = await chart.locator('canvas').evaluate((canvas) => {
        // runs in the page; typed loosely because this package's TypeScript has no DOM library
        const c = canvas as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        if (c.width === 0) return 0;
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      expect(painted, id).toBeGreaterThan(100);
    }
    const text = await page.locator('body').innerText();
    expect(text).toContain('Latency by turn kind');
    expect(text).toContain('sessions');
    expect(text).toMatch(/create\s+20\s+0/);
    expect(text).toContain('turnTimeoutMs');
    // error text is shown as text, never run
    expect(text).toContain('<script>alert(1)</script>');
    await page.close();
  });
});
