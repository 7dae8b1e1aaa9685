import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { openApiDocument } from '../openapi.js';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const { version: swaggerVersion } = require('swagger-ui-dist/package.json') as { version: string };

/** The two files the page loads, and their types. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};
const cache = new Map<string, Buffer>();

/**
 * GET /openapi.json, and GET /docs: Swagger UI rendering it. The page's script and
 * stylesheet come from the swagger-ui-dist package through this service, never from a
 * CDN: pods often run air-gapped (decision 0017). The page's URLs are relative, so it
 * also works behind an ingress that adds a path prefix.
 */
export function apiDocsRoutes(modelVersion: string): Hono<AppEnv> {
  const document = openApiDocument(modelVersion);
  const app = new Hono<AppEnv>();
  app.get('/openapi.json', (c) => c.json(document));
  app.get(
    '/docs',
    swaggerUI({
      title: 'silentid API',
      url: 'openapi.json',
      // Loads docs/assets/VERSION/swagger-ui-dist/…: with the version in the path, browsers
      // may cache the files for good.
      baseUrl: `docs/assets/${swaggerVersion}`,
      // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
      validatorUrl: 'none',
      deepLinking: true,
    }),
  );
  app.get(`/docs/assets/${swaggerVersion}/swagger-ui-dist/:file`, async (c, next) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (type === undefined) return next();
    let body = cache.get(file);
    if (body === undefined) cache.set(file, (body = await readFile(path.join(swaggerDir, file))));
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  return app;
}
