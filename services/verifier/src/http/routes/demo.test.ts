import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/config.js';
import { DEMO_CSP, demoRoutes } from './demo.js';

const dev = demoRoutes(loadConfig({}));
const production = demoRoutes(
  loadConfig({
    SILENTID_KEY: 'k'.repeat(32),
    SILENTID_NONCE: 'n'.repeat(12),
    SILENTID_DEMO: 'true',
  }),
);

test('/demo is the page, under a strict CSP, its every asset served relative to it', async () => {
  const res = await dev.request('/demo');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(res.headers.get('content-security-policy'), DEMO_CSP);
  assert.doesNotMatch(DEMO_CSP, /unsafe-inline|unsafe-eval/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/, 'no inline script or style');
  assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL: it must work air-gapped');
  assert.match(html, /href="docs"/, 'it links the API reference');
  const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1]!)
    .filter((asset) => asset !== 'data:,'); // the empty favicon
  assert.equal(assets.length, 2, assets.join(', '));
  for (const asset of assets) {
    const url = new URL(asset, 'http://pod/demo');
    const served = await dev.request(url.pathname);
    assert.equal(served.status, 200, url.pathname);
    assert.match(served.headers.get('content-type') ?? '', /^text\/(javascript|css)/);
  }
});

test("the page's modules import one another from /demo/assets", async () => {
  const main = await (await dev.request('/demo/assets/demo/main.js')).text();
  const imports = [...main.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  assert.ok(imports.length > 3, imports.join(', '));
  for (const spec of imports) {
    const url = new URL(spec, 'http://pod/demo/assets/demo/main.js');
    assert.equal((await dev.request(url.pathname)).status, 200, url.pathname);
  }
});

test('only compiled modules and the stylesheet are served: no tests, sources or package files', async () => {
  for (const p of [
    '/demo/assets/crypto/wire-cipher.test.js',
    '/demo/assets/index.d.ts',
    '/demo/assets/index.js.map',
    '/demo/assets/../package.json',
    '/demo/assets/%2e%2e/package.json',
    '/demo/assets/nope.js',
    '/demo/assets/static/index.html',
  ]) {
    assert.equal((await dev.request(p)).status, 404, p);
  }
});

test('config.json: the dev key only when the service runs with it', async () => {
  const devConfig = (await (await dev.request('/demo/config.json')).json()) as Record<
    string,
    unknown
  >;
  assert.equal(devConfig.mode, 'dev');
  assert.deepEqual(devConfig.devKey, {
    key: 'dcbbad6765e14139a07d34b92292a672',
    nonce: 'df25d188a061',
  });
  assert.deepEqual(
    [devConfig.minSeconds, devConfig.maxSeconds, devConfig.recordSeconds],
    [2, 60, 8],
  );
  const res = await production.request('/demo/config.json');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const prod = (await res.json()) as Record<string, unknown>;
  assert.equal(prod.mode, 'production');
  assert.equal(prod.devKey, undefined);
  assert.doesNotMatch(JSON.stringify(prod), /k{32}|n{12}/, 'the configured key is never served');
});

test('/demo/ redirects to /demo, where the relative URLs resolve', async () => {
  const res = await dev.request('/demo/');
  assert.equal(res.status, 301);
  assert.equal(new URL(res.headers.get('location')!, 'http://pod/demo/').pathname, '/demo');
});
