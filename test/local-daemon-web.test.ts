import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDaemon, type LocalDaemon } from '../src/local-daemon/server.js';
import type { AssembledTrace } from '../src/local-daemon/traces.js';
import { datagram, newId, segment, sendDatagrams } from './fixtures/daemon-harness.js';
import { launchChromium } from './support/browser.js';

const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

let daemon: LocalDaemon;
let browser: Browser;
let baseUrl: string;
let trace: AssembledTrace;
const now = Date.now() / 1000;
const root = segment({
  name: 'storefront',
  start_time: now,
  end_time: now + 0.2,
  http: { request: { method: 'GET', url: 'http://shop.local/cart?<b>x</b>' }, response: { status: 502 } },
  fault: true,
  annotations: { comment: '<img src=x onerror="window.__xss=1">', cart_items: 3 },
  metadata: { debug: { note: '</pre><script>window.__xss=2</script>' } },
  subsegments: [
    {
      name: 'postgres',
      id: newId(),
      start_time: now + 0.01,
      end_time: now + 0.05,
      namespace: 'remote',
      sql: { sanitized_query: 'SELECT * FROM carts WHERE owner = $1', database_type: 'PostgreSQL' },
    },
  ],
});
const call = segment({
  trace_id: root.trace_id,
  type: 'subsegment',
  parent_id: root.id,
  name: 'pricing',
  namespace: 'remote',
  start_time: now + 0.06,
  end_time: now + 0.18,
  error: true,
  cause: { exceptions: [{ id: newId(), type: 'TypeError', message: '<svg onload="window.__xss=3">', stack: [{ label: 'quote', path: 'pricing.js', line: 41 }] }] },
});
// X-Ray refuses this name; the page still shows where it would have been, as plain text.
const rejected = segment({ trace_id: root.trace_id, type: 'subsegment', parent_id: root.id, name: '<script>window.__xss=4</script>', start_time: now + 0.19, end_time: now + 0.195 });

beforeAll(async () => {
  daemon = await startLocalDaemon({ address: '127.0.0.1:0', http: '127.0.0.1:0', quietMs: 50 });
  baseUrl = daemon.address.http!.url;
  const finished = new Promise<AssembledTrace>((resolve) => daemon.once('trace', resolve));
  await sendDatagrams(daemon.address.udp.port, [datagram(call), datagram(rejected), datagram(root), 'not a datagram']);
  trace = await finished;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
});

describe('the web page, in a real browser', () => {
  it('lists traces, shows the waterfall of the one clicked, and shows every document string as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    try {
      await page.goto(baseUrl);
      const item = page.locator('#traces button', { hasText: 'storefront' });
      await item.waitFor();
      expect(await item.textContent()).toContain(trace.traceId);
      // As X-Ray's trace list: method, status and URL of the request the trace served.
      expect((await item.locator('.trace-request').innerText()).replace(/\s+/g, ' ')).toBe('GET 502 http://shop.local/cart?<b>x</b>');

      await item.click();
      await page.locator('#waterfall .entity').nth(3).waitFor();

      const rows = await page.locator('#waterfall .entity > details > summary').evaluateAll((summaries) =>
        summaries.map((s) => [s.querySelector('.name')?.textContent, s.querySelector('.dur')?.textContent]),
      );
      expect(rows).toEqual([
        ['storefront', '200 ms'],
        ['postgres', '40 ms'],
        ['pricing', '120 ms'],
        ['<script>window.__xss=4</script>', '5 ms'],
      ]);
      expect(await page.locator('#waterfall h2').textContent()).toBe('storefront');

      // Open every row, as a reader would, to show annotations, metadata, http, sql and cause.
      for (const summary of await page.locator('#waterfall .entity > details > summary').all()) await summary.click();
      const text = (await page.locator('#waterfall').innerText()).replace(/\s+/g, ' ');
      for (const expected of [
        'annotations',
        'comment <img src=x onerror="window.__xss=1">',
        'cart_items 3',
        'metadata · debug',
        '</pre><script>window.__xss=2</script>',
        'request.method GET',
        'request.url http://shop.local/cart?<b>x</b>',
        'response.status 502',
        'sanitized_query SELECT * FROM carts WHERE owner = $1',
        'database_type PostgreSQL',
        'TypeError: <svg onload="window.__xss=3">',
        'quote (pricing.js:41)',
        'X-Ray would reject this document',
        'name "<script>window.__xss=4</script>" has characters X-Ray rejects (InvalidName)',
      ]) {
        expect(text).toContain(expected);
      }

      // Nothing from the documents became markup or ran.
      expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('#waterfall script, #waterfall img, #waterfall svg, #waterfall b').count()).toBe(0);

      await page.locator('#rejections-panel > summary').click();
      expect(await page.locator('#rejections').innerText()).toContain('no newline');

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}local-daemon-web.png`, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('keeps the chosen trace in the address, so a reload shows it again', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}#trace=${encodeURIComponent(trace.traceId)}`);
      await page.locator('#waterfall .entity').first().waitFor();
      expect(await page.locator('#traces button[aria-pressed="true"]').textContent()).toContain('storefront');
    } finally {
      await page.close();
    }
  });
});

describe('the service map on the web page', () => {
  it('draws a node per service and called resource, edges with counts, and each node\'s outcome shares', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(baseUrl);
      await page.locator('#map .map-node').nth(3).waitFor();
      const nodes = await page.locator('#map .map-node').evaluateAll((gs) =>
        gs.map((g) => [g.querySelector('.node-name')?.textContent, g.querySelector('.node-meta')?.textContent, [...g.querySelectorAll('.node-ring')].map((r) => `${r.getAttribute('class')} ${r.getAttribute('data-share')}`)]),
      );
      expect(nodes.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
        ['client', '1 request', ['node-ring client 1.000']],
        ['postgres', '1 call · 40 ms', ['node-ring ok 1.000']],
        ['pricing', '1 call · 120 ms', ['node-ring error 1.000']],
        ['storefront', '1 request · 200 ms', ['node-ring fault 1.000']],
      ]);
      const edges = await page.locator('#map .map-edge .edge-label').allTextContents();
      expect(edges).toEqual(['1', '1', '1']);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}local-daemon-web-map.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});

/** The browser globals these tests read, typed here: the project compiles without the DOM library. */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
  getComputedStyle(element: unknown): { backgroundColor: string; getPropertyValue(name: string): string };
}

describe('the web page at narrow widths, in X-Ray console colours', () => {
  it.each([1280, 760, 420])('lays the waterfall out at %i px: axis labels apart, every bar visible', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.goto(`${baseUrl}#trace=${encodeURIComponent(trace.traceId)}`);
      await page.locator('#waterfall .entity').nth(3).waitFor();
      const ticks = await page.locator('#waterfall .axis .tick').evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => ({ left: r.left, right: r.right })),
      );
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.left, `tick ${i} overlaps the one before`).toBeGreaterThan(ticks[i - 1]!.right);
      const tracks = await page.locator('#waterfall .track').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      for (const w of tracks) expect(w).toBeGreaterThan(width / 3);
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as BrowserGlobals).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}local-daemon-web-${width}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('gives ok, error, fault and throttle four different colours, and a healthy entity the ok colour', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}#trace=${encodeURIComponent(trace.traceId)}`);
      await page.locator('#waterfall .entity').nth(3).waitFor();
      const palette = await page.evaluate(() => {
        const g = globalThis as unknown as BrowserGlobals;
        const root = g.getComputedStyle(g.document.documentElement);
        return ['--ok', '--ok-strong', '--error', '--fault', '--throttle'].map((v) => root.getPropertyValue(v).trim());
      });
      const [ok, okStrong, error, fault, throttle] = palette.map(hexToRgb);
      expect(new Set([ok, error, fault, throttle]).size).toBe(4);
      const barColour = (selector: string) =>
        page.locator(selector).first().evaluate((e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).backgroundColor);
      // storefront answered 502 (fault), postgres is healthy, pricing is flagged error.
      expect(await barColour('.entity.status-fault > details > summary .bar')).toBe(fault);
      expect(await barColour('.entity.status-error > details > summary .bar')).toBe(error);
      expect(await barColour('.entity.status-ok > details > summary .bar')).toBe(ok);
      expect([ok, okStrong]).not.toContain(throttle);
    } finally {
      await page.close();
    }
  });
});

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
