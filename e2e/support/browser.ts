/**
 * Debian's Chromium, headless, driven through playwright-core (which downloads no
 * browser), with a fake camera that plays a y4m file made by ffmpeg at test time. The
 * suites that need it skip, with the reason, where no chromium binary is installed.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ffmpegRun } from './media-tools.js';

/** SILENTID_CHROMIUM, else the first of these on PATH. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export const chromiumPath: string | undefined =
  process.env.SILENTID_CHROMIUM || CANDIDATES.map(onPath).find((p) => p !== undefined);

export const chromiumSkip: string | false =
  chromiumPath === undefined
    ? 'no chromium binary (apt-get install chromium, or set SILENTID_CHROMIUM)'
    : false;

export interface CameraSetup {
  /** What the fake camera plays (looped); undefined: Chromium's own test pattern. */
  readonly y4m?: string;
  /** `denied`: the camera permission is refused, as a person clicking "Block" would. */
  readonly permission: 'granted' | 'denied';
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Everything the page logged to its console, and its uncaught errors. */
  readonly console: string[];
  close(): Promise<void>;
}

/** A fresh headless Chromium with the given fake camera: the file is a launch switch. */
export async function launchWithCamera(setup: CameraSetup): Promise<BrowserSession> {
  if (chromiumPath === undefined) throw new Error(String(chromiumSkip));
  const args = [
    '--use-fake-device-for-media-stream',
    ...(setup.y4m === undefined ? [] : [`--use-file-for-fake-video-capture=${setup.y4m}`]),
    // Accepts the permission prompt; without it headless Chromium refuses the camera.
    ...(setup.permission === 'granted' ? ['--use-fake-ui-for-media-stream'] : []),
    // CI runs as root in a container, where Chromium's sandbox cannot start.
    '--no-sandbox',
    // Timers of a page that is not "visible" are throttled; the page samples frames on one.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
  ];
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  const context = await browser.newContext(
    setup.permission === 'granted' ? { permissions: ['camera'] } : {},
  );
  const page = await context.newPage();
  const logged: string[] = [];
  page.on('console', (m) => logged.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logged.push(`pageerror: ${e.message}`));
  return {
    browser,
    context,
    page,
    console: logged,
    close: () => browser.close(),
  };
}

/**
 * A y4m for Chromium's fake camera: `seconds` of `src` (a video, or a still image looped),
 * scaled to `width` (height follows), 25 fps, 4:2:0 as Chromium's reader requires.
 */
export async function makeY4m(
  src: string,
  out: string,
  opts: { seconds: number; width: number; from?: number; still?: boolean; crop?: string },
): Promise<string> {
  const filters = [...(opts.crop ? [`crop=${opts.crop}`] : []), `scale=${opts.width}:-2`, 'fps=25'];
  await ffmpegRun([
    ...(opts.still ? ['-loop', '1'] : ['-ss', String(opts.from ?? 0)]),
    '-i',
    src,
    '-t',
    String(opts.seconds),
    '-vf',
    filters.join(','),
    '-pix_fmt',
    'yuv420p',
    '-an',
    '-f',
    'yuv4mpegpipe',
    out,
  ]);
  return out;
}
