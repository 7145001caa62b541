import type { ApiDocument } from '../../api/openapi/api-document';
import { createTestApi } from '../setup/api-client';
import { checkAccessibility, saveScreenshot, serveOverHttp, useBrowser, watchPage } from '../setup/browser';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The reference page at /docs, opened in Chromium over the real app served on a loopback port. */
describe('API reference page in a browser', () => {
  const browser = useBrowser();
  let harness: TestHarness;
  let server: Awaited<ReturnType<typeof serveOverHttp>>;
  let document: ApiDocument;

  beforeAll(async () => {
    harness = await openTestHarness();
    const api = createTestApi(harness, { taskQueue: uniqueName('browser-api-reference') });
    document = (await api.call('GET', '/openapi.json')).json;
    server = await serveOverHttp(api.app.fetch);
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  it('renders every operation of the document from the API origin alone, without errors, and axe finds nothing critical', async () => {
    const operations = Object.values(document.paths).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m] as { summary?: string }));
    const platforms = document.paths['/api/v1/platform-connections/platforms']?.get as { summary: string } | undefined;
    expect(platforms?.summary).toBeTruthy();

    const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
    const activity = watchPage(page);
    await page.goto(`${server.origin}/docs`, { waitUntil: 'networkidle' });

    // Swagger UI lists the operations (collapsed) under their tags once it has fetched and parsed the document.
    await page.getByText(platforms!.summary, { exact: true }).waitFor({ state: 'visible' });
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    await expect(page.title()).resolves.toBe('LiftOS Connect API');

    await saveScreenshot(page, 'api-reference');
    const violations = await checkAccessibility(page, 'api-reference');

    // The page loads nothing from another host: its files and the document all come from the API.
    expect(activity.requests.length).toBeGreaterThanOrEqual(4);
    expect(activity.requests.filter((url) => new URL(url).origin !== server.origin)).toEqual([]);
    expect(activity.requests).toEqual(expect.arrayContaining([`${server.origin}/docs`, `${server.origin}/openapi.json`]));
    expect(activity.errors).toEqual([]);
    // Swagger UI's own markup has lesser findings (see .data/screenshots/api-reference.axe.json); none may be critical.
    expect(violations.filter((v) => v.impact === 'critical')).toEqual([]);
    await page.close();
  });
});
