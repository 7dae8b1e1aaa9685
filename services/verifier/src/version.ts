import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The verifier's package version (from src/ and from dist/ alike, one folder down). */
export const SERVICE_VERSION = (require('../package.json') as { version: string }).version;
