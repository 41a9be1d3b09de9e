// The web page's browser tests drive a real Chromium: Debian's when installed, else the one the
// @sparticuz/chromium dev dependency unpacks (it ships a brotli-compressed build, so `npm ci`
// alone is enough on a machine without a system browser).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const WEAKENING = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process']);

export interface LocatedBrowser {
  executablePath: string;
  source: 'system' | '@sparticuz/chromium';
  args: string[];
}

/** Where a Chromium is: $CHROMIUM_PATH, then Debian's package, then the npm one. */
export async function locateChromium(): Promise<LocatedBrowser> {
  const fromEnv = process.env.CHROMIUM_PATH;
  const system = [fromEnv, ...SYSTEM_CHROMIUM].find((p): p is string => p !== undefined && p !== '' && existsSync(p));
  if (system) return { executablePath: system, source: 'system', args: HEADLESS_ARGS };
  const { default: packaged } = await import('@sparticuz/chromium');
  // Its flags suit Lambda (no display, swiftshader); some of them switch off the very protections
  // the page's tests check, and --single-process ends the browser with its last page.
  const args = packaged.args.filter((a) => !WEAKENING.has(a) && !a.startsWith('--headless'));
  return { executablePath: await packaged.executablePath(), source: '@sparticuz/chromium', args: [...args, ...HEADLESS_ARGS] };
}

export async function launchChromium(): Promise<Browser> {
  const located = await locateChromium();
  return chromium.launch({ executablePath: located.executablePath, args: located.args });
}
