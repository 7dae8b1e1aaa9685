/**
 * Finds the ffmpeg and ffprobe executables: an explicit path from config, else the
 * system's (production images install the distribution's ffmpeg), else the npm
 * development fallback. The fallback ffmpeg is a static build from 2018: it parses
 * untrusted video with old decoders, so `source` lets the caller warn about it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BinaryName = 'ffmpeg' | 'ffprobe';

export interface ResolvedBinary {
  readonly path: string;
  readonly source: 'explicit' | 'system' | 'npm-fallback';
}

/** What the search may look at; injectable so the order can be tested without a real system. */
export interface BinarySearch {
  readonly explicit?: string | undefined;
  readonly pathEnv?: string | undefined;
  readonly isExecutable?: (file: string) => boolean;
  readonly fallbackDir?: (name: BinaryName) => string | undefined;
}

const fallbackPackages: Record<BinaryName, string> = {
  ffmpeg: '@ffmpeg-installer/linux-x64',
  ffprobe: '@ffprobe-installer/linux-x64',
};

const systemDirs = ['/usr/bin', '/usr/local/bin'];

const require = createRequire(import.meta.url);

const isExecutableFile = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The npm fallback package's folder, when it is installed (linux-x64 only). */
const npmFallbackDir = (name: BinaryName): string | undefined => {
  try {
    return path.dirname(require.resolve(`${fallbackPackages[name]}/package.json`));
  } catch {
    return undefined;
  }
};

/** Searches for one executable in order explicit → PATH and /usr/bin → npm fallback. */
export function findBinary(name: BinaryName, search: BinarySearch = {}): ResolvedBinary {
  const isExecutable = search.isExecutable ?? isExecutableFile;
  if (search.explicit !== undefined && search.explicit !== '') {
    // A configured path that does not work is a deployment error: never silently replace it.
    if (!isExecutable(search.explicit)) {
      throw new Error(
        `${name} at the configured path ${search.explicit} is not an executable file`,
      );
    }
    return { path: search.explicit, source: 'explicit' };
  }
  const pathDirs = (search.pathEnv ?? '').split(path.delimiter).filter((d) => path.isAbsolute(d));
  for (const dir of new Set([...pathDirs, ...systemDirs])) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return { path: file, source: 'system' };
  }
  const dir = (search.fallbackDir ?? npmFallbackDir)(name);
  if (dir !== undefined && isExecutable(path.join(dir, name))) {
    return { path: path.join(dir, name), source: 'npm-fallback' };
  }
  const variable = name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  throw new Error(
    `no ${name} executable found: set ${variable}, install ffmpeg (apt-get install ffmpeg), ` +
      `or install the optional dependency ${fallbackPackages[name]}`,
  );
}

const cache = new Map<string, ResolvedBinary>();

/** Memoised findBinary over the real file system and PATH. */
export function resolveBinary(name: BinaryName, explicit?: string): ResolvedBinary {
  const key = `${name}\0${explicit ?? ''}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = findBinary(name, { explicit, pathEnv: process.env['PATH'] });
    cache.set(key, found);
  }
  return found;
}
