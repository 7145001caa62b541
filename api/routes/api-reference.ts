import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Env, Hono } from 'hono';
import { z } from 'zod';
import { validate } from '../middleware/validate';
import { type ApiDocument, buildApiDocument } from '../openapi/api-document';
import { routeDocs } from '../openapi/route-docs';

/** Swagger UI, as installed from npm (swagger-ui-dist): served from here, nothing loaded from elsewhere. */
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const CSS = 'text/css; charset=utf-8';
const JAVASCRIPT = 'text/javascript; charset=utf-8';

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io for its badge.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    showExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
`;

/** The files of the reference page: Swagger UI's own, and its configuration (a file, so the page needs no inline script). */
const FILES = {
  'swagger-ui.css': { type: CSS, read: () => readFile(join(SWAGGER_UI_DIR, 'swagger-ui.css'), 'utf8') },
  'swagger-ui-bundle.js': { type: JAVASCRIPT, read: () => readFile(join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'), 'utf8') },
  'swagger-initializer.js': { type: JAVASCRIPT, read: async () => INITIALIZER },
};
const FileParam = z.object({ file: z.enum(Object.keys(FILES) as (keyof typeof FILES)[]) });

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>LiftOS Connect API</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;

/**
 * The page may load its own files and the document only (Swagger UI sets inline styles and draws SVG data images).
 * Its icon is an empty data: URL, so the browser does not ask for a /favicon.ico the API does not serve.
 */
const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const describeRoute = routeDocs('API reference');
const docs = {
  document: describeRoute({
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }) },
  }),
  page: describeRoute({
    summary: 'The API reference page (Swagger UI over /openapi.json)',
    responses: { 200: { media: ['text/html'], description: 'The page' } },
  }),
  file: describeRoute({
    summary: "A file of the reference page: Swagger UI's own, as installed from npm, or its configuration",
    responses: { 200: { media: ['text/css', 'text/javascript'], description: 'The file' } },
  }),
};

/** GET /openapi.json (the OpenAPI 3.1 document of `app`) and GET /docs (the API reference page). Public, like /health. */
export function apiReferenceRoutes<E extends Env>(app: Hono<E>) {
  // Built on first request, when every route is registered; the routes do not change afterwards.
  let document: Promise<ApiDocument> | undefined;
  const files = new Map<string, Promise<string>>();
  return new Hono<E>()
    .get('/openapi.json', docs.document, async (c) => c.json(await (document ??= buildApiDocument(app))))
    .get('/docs', docs.page, (c) => {
      c.header('Content-Security-Policy', PAGE_POLICY);
      return c.html(PAGE);
    })
    .get('/docs/:file', docs.file, validate('param', FileParam), async (c) => {
      const name = c.req.valid('param').file;
      let text = files.get(name);
      if (!text) files.set(name, (text = FILES[name].read()));
      return c.body(await text, 200, { 'Content-Type': FILES[name].type, 'Cache-Control': 'public, max-age=3600' });
    });
}
