import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter } from './tally-counter.js';

describe('TallyCounter', () => {
  it('shows each series counted so far when scraped, and keeps counting after a scrape', async () => {
    const registry = new Registry();
    const c = new TallyCounter({
      name: 'x_total',
      help: 'x',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    let built = 0;
    const labels = (route: string, status: string) => () => {
      built++;
      return { route, status };
    };
    c.inc('a 200', labels('/a', '200'));
    c.inc('a 200', labels('/a', '200'));
    c.inc('b 404', labels('/b', '404'));
    const first = await registry.metrics();
    expect(first).toContain('x_total{route="/a",status="200"} 2');
    expect(first).toContain('x_total{route="/b",status="404"} 1');
    expect(built).toBe(2);
    c.inc('a 200', labels('/a', '200'));
    const second = await registry.metrics();
    expect(second).toContain('x_total{route="/a",status="200"} 3');
    expect(second).toContain('x_total{route="/b",status="404"} 1');
  });
});
