import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findBinary, resolveBinary } from './ffmpeg-binaries.js';

const fake = (present: string[]) => (file: string) => present.includes(file);

test('an explicit path wins, and a broken one is an error, not a silent fallback', () => {
  const found = findBinary('ffmpeg', {
    explicit: '/opt/ff/ffmpeg',
    pathEnv: '/usr/bin',
    isExecutable: fake(['/opt/ff/ffmpeg', '/usr/bin/ffmpeg']),
  });
  assert.deepEqual(found, { path: '/opt/ff/ffmpeg', source: 'explicit' });
  assert.throws(
    () =>
      findBinary('ffmpeg', { explicit: '/nope/ffmpeg', isExecutable: fake(['/usr/bin/ffmpeg']) }),
    /configured path \/nope\/ffmpeg/,
  );
});

test('then PATH in order, then /usr/bin, then the npm fallback', () => {
  const all = ['/a/ffprobe', '/b/ffprobe', '/usr/bin/ffprobe', '/npm/ffprobe'];
  const npm = () => '/npm';
  const search = (present: string[]) =>
    findBinary('ffprobe', {
      pathEnv: 'relative:/a:/b',
      isExecutable: fake(present),
      fallbackDir: npm,
    });
  assert.deepEqual(search(all), { path: '/a/ffprobe', source: 'system' });
  assert.deepEqual(search(all.slice(1)), { path: '/b/ffprobe', source: 'system' });
  assert.deepEqual(search(all.slice(2)), { path: '/usr/bin/ffprobe', source: 'system' });
  assert.deepEqual(search(all.slice(3)), { path: '/npm/ffprobe', source: 'npm-fallback' });
  assert.throws(() => search([]), /no ffprobe executable found: set FFPROBE_PATH/);
});

test('the real resolution finds working binaries and memoises them', () => {
  for (const name of ['ffmpeg', 'ffprobe'] as const) {
    const found = resolveBinary(name);
    assert.equal(resolveBinary(name), found);
    const run = spawnSync(found.path, ['-version'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, new RegExp(`^${name} version`));
  }
});

test('the npm fallback packages resolve from this module when no system binary exists', (t) => {
  const notSystem = (file: string) =>
    !file.startsWith('/usr/') && spawnSync('test', ['-x', file]).status === 0;
  for (const name of ['ffmpeg', 'ffprobe'] as const) {
    let found;
    try {
      found = findBinary(name, { pathEnv: '', isExecutable: notSystem });
    } catch {
      t.skip(`optional dependency for ${name} not installed`);
      return;
    }
    assert.equal(found.source, 'npm-fallback');
    assert.match(found.path, new RegExp(`@${name}-installer/linux-x64/${name}$`));
  }
});
