/**
 * GET /demo: the browser demo page of @silentid/web-sdk, served by the pod itself (no
 * CDN: pods often run air-gapped), with a strict Content-Security-Policy: the page has
 * no inline script or style, so `'self'` is all it needs. Registered only when
 * SILENTID_DEMO allows it (decision 0022).
 *
 * demo/config.json hands the page the built-in dev key only when the service runs with
 * it: that pair is public (it is in the vendor's manual), so the page gives nothing away.
 * With any other key the page gets no key, and shows no raw liveness figures.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { DEFAULT_KEY, DEFAULT_NONCE } from '@silentid/client';
import type { Config } from '../../config/config.js';
import { ApiCode, ApiError } from '../../errors/api-error.js';
import type { AppEnv } from '../context.js';

export const DEMO_PATH = '/demo';

/** The page's policy: its own files, the camera, images the answer carries as data: URLs. */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** Where the SDK's package is; undefined when it is not installed beside the service. */
function sdkDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return path.dirname(require.resolve('@silentid/web-sdk/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * The SDK's compiled modules (dist/**.js, not its tests), as the page's `import`s name
 * them relative to one another. Anything else under /demo/assets is a 404.
 */
const MODULE_PATH = /^(?:[a-z0-9-]+\/)*[a-z0-9-]+\.js$/;

/**
 * How long the page records: the service's minimum plus margin, and at least its first
 * window; 8 s where the service searches a still face's clip for a blink, because a still
 * user's blink is what it looks for there. Of 34 live videos, 20 show a blink by 4 s, 23 by
 * 6 s, 27 by 8 s and 28 by 10 s (docs/liveness.md); 8 s is the patience asked of a user.
 */
export function recordSeconds(
  video: Config['video'],
  sampling: Config['sampling'],
  blinkSearch: Config['blinkSearch'],
): number {
  const firstWindow = sampling.maxFrames / sampling.fps;
  const searched = Math.min(blinkSearch.untilSeconds, 8);
  return Math.min(video.maxSeconds, Math.max(video.minSeconds + 1.5, firstWindow, searched));
}

export function demoRoutes(config: Config): Hono<AppEnv> {
  const dir = sdkDir();
  const cache = new Map<string, Buffer>();
  const app = new Hono<AppEnv>();

  /**
   * A file of the SDK package, read once. A module that is not there is undefined (a
   * 404); a page whose package or build is missing is a 503 that says what to run.
   */
  const packageFile = async (rel: string): Promise<Buffer | undefined> => {
    let body = cache.get(rel);
    if (body !== undefined) return body;
    try {
      if (dir === undefined) throw new Error('@silentid/web-sdk is not installed');
      body = await readFile(path.join(dir, rel));
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      const built = dir !== undefined && existsSync(path.join(dir, 'dist/index.js'));
      if (missing && built && rel.startsWith('dist/')) return undefined;
      throw new ApiError(
        ApiCode.internal,
        'the demo page is not built: run `npm run build` (it compiles services/web-sdk)',
        { status: 503, cause },
      );
    }
    cache.set(rel, body);
    return body;
  };
  const send = (
    c: Context<AppEnv>,
    body: Buffer | undefined,
    type: string,
    extra: Record<string, string> = {},
  ) =>
    body === undefined
      ? c.notFound()
      : c.body(new Uint8Array(body), 200, { 'Content-Type': type, ...COMMON_HEADERS, ...extra });

  app.get(DEMO_PATH, async (c) =>
    send(c, await packageFile('static/index.html'), 'text/html; charset=utf-8', {
      'Content-Security-Policy': DEMO_CSP,
      // The page may use the camera itself; nothing it embeds may (it embeds nothing).
      'Permissions-Policy': 'camera=(self), microphone=()',
      'X-Frame-Options': 'DENY',
    }),
  );
  // The page's URLs are relative to /demo; from /demo/ they would miss.
  app.get(`${DEMO_PATH}/`, (c) => c.redirect('../demo', 301));
  app.get(`${DEMO_PATH}/config.json`, (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    const limits = {
      minSeconds: config.video.minSeconds,
      maxSeconds: config.video.maxSeconds,
      recordSeconds: recordSeconds(config.video, config.sampling, config.blinkSearch),
    };
    return c.json(
      config.demo.devKey
        ? { mode: 'dev', devKey: { key: DEFAULT_KEY, nonce: DEFAULT_NONCE }, ...limits }
        : { mode: 'production', ...limits },
    );
  });
  app.get(`${DEMO_PATH}/assets/static/demo.css`, async (c) =>
    send(c, await packageFile('static/demo.css'), 'text/css; charset=utf-8'),
  );
  app.get(`${DEMO_PATH}/assets/:module{.+\\.js}`, async (c, next) => {
    const module = c.req.param('module');
    if (!MODULE_PATH.test(module) || module.endsWith('.test.js')) return next();
    return send(c, await packageFile(`dist/${module}`), 'text/javascript; charset=utf-8');
  });
  return app;
}
