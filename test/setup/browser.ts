import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { AxeResults, ImpactValue } from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');

/** Screenshots and accessibility reports of the browser tests: artifacts to look at, ignored by git (.data/). */
export const BROWSER_ARTIFACTS_DIR = join(ROOT, '.data', 'screenshots');

/**
 * Debian's Chromium from scripts/ensure-chromium (scripts/test exports CHROMIUM): Playwright's own browser
 * download cannot work on these machines, so playwright-core drives this one.
 */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// No sandbox: the tests run as root in a container, where Chromium's sandbox cannot start. The rest keeps
// Chromium from reaching the internet on its own (updates, sync, field trials) and from needing a GPU.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One headless Chromium for the test file: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is launched in beforeAll: use it inside a test');
    return browser;
  };
}

/** An app's fetch handler (the real Hono app's `app.fetch`) served over HTTP on a free loopback port, for a browser to open. */
export async function serveOverHttp(fetch: (request: Request) => Response | Promise<Response>): Promise<{ origin: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** What a page did while a test watched it: every request it sent, and every error it printed or threw. */
export interface PageActivity {
  requests: string[];
  errors: string[];
}

export function watchPage(page: Page): PageActivity {
  const activity: PageActivity = { requests: [], errors: [] };
  page.on('request', (request) => activity.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') activity.errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => activity.errors.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) activity.errors.push(`${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => activity.errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  return activity;
}

/** A full-page screenshot into BROWSER_ARTIFACTS_DIR; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(BROWSER_ARTIFACTS_DIR, { recursive: true });
  const path = join(BROWSER_ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** One axe-core finding, reduced to what a reader of the report needs. */
export interface AccessibilityViolation {
  id: string;
  impact: ImpactValue | null | undefined;
  help: string;
  nodes: number;
  targets: string[];
}

/**
 * Runs axe-core (the npm package's own build) over the page as it is, writes the full findings beside the
 * screenshots as `<name>.axe.json`, and returns the violations.
 */
export async function checkAccessibility(page: Page, name: string): Promise<AccessibilityViolation[]> {
  // Evaluated through the DevTools protocol rather than page.addScriptTag: that inserts an inline <script>, which a
  // page's Content-Security-Policy (the product's pages send one) rightly refuses, and bypassCSP would test another page.
  await page.evaluate(await readFile(require.resolve('axe-core'), 'utf8'));
  // A string, not a function: `axe` is the page's global, which this file's types do not know.
  const results = (await page.evaluate('axe.run(document)')) as AxeResults;
  mkdirSync(BROWSER_ARTIFACTS_DIR, { recursive: true });
  await writeFile(join(BROWSER_ARTIFACTS_DIR, `${name}.axe.json`), JSON.stringify({ url: results.url, violations: results.violations }, null, 2));
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}
