import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiDocsRoutes } from './api-docs.js';

const app = apiDocsRoutes('faceplugin-dlib@1.3.0');

test('/openapi.json serves the generated document', async () => {
  const res = await app.request('/openapi.json');
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
  assert.match(doc.openapi, /^3\.1\./);
  assert.ok(doc.paths['/identity/silent_image_verification/stateless']);
});

test('/docs is an API reference page reading /openapi.json, with nothing from a CDN', async () => {
  const res = await app.request('/docs');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  assert.match(html, /<title>silentid API<\/title>/);
  assert.match(html, /SwaggerUIBundle\(/);
  assert.match(html, /url: 'openapi\.json'/);
  assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL: it must work air-gapped');
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(assets.length, 2, assets.join(', '));
  // Relative to /docs, as a browser resolves them.
  for (const asset of assets) {
    const url = new URL(asset, 'http://pod/docs');
    const served = await app.request(url.pathname);
    assert.equal(served.status, 200, url.pathname);
    assert.match(served.headers.get('content-type') ?? '', /^text\/(javascript|css)/);
    assert.ok((await served.arrayBuffer()).byteLength > 10_000, `${url.pathname} is the real file`);
  }
});

test('only the page files are served from the package', async () => {
  const html = await (await app.request('/docs')).text();
  const dir = /src="([^"]+)\/swagger-ui-bundle\.js"/.exec(html)![1];
  for (const name of ['package.json', 'index.js', '..%2Fpackage.json'])
    assert.equal((await app.request(`/${dir}/${name}`)).status, 404, name);
});
