import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';

const SCRIPT = new URL('../../../charts/silentid/build-images.sh', import.meta.url).pathname;

test('build-images.sh builds and pushes the three images the chart names, for one registry', () => {
  const out = execFileSync(
    'bash',
    [SCRIPT, '--registry', 'registry.example.com/si/', '--tag', '9.9.9', '--push', '--dry-run'],
    { encoding: 'utf8' },
  );
  const commands = out.split('\n').filter((line) => /^docker (build|push)/.test(line));
  assert.deepEqual(
    commands.map((c) => c.replace(/ \/\S+/g, ' <path>')),
    [
      'docker build -f <path> -t registry.example.com/si/verifier:9.9.9 <path>',
      'docker push registry.example.com/si/verifier:9.9.9',
      'docker build -f <path> -t registry.example.com/si/verifier:9.9.9-gpu <path>',
      'docker push registry.example.com/si/verifier:9.9.9-gpu',
      'docker build -f <path> -t registry.example.com/si/operator:9.9.9 <path>',
      'docker push registry.example.com/si/operator:9.9.9',
    ],
  );
  assert.match(commands[0]!, /-f \S+\/services\/verifier\/Dockerfile -t/);
  assert.match(commands[2]!, /-f \S+\/services\/verifier\/Dockerfile\.gpu -t/);
  assert.match(commands[4]!, /-f \S+\/operator\/Dockerfile -t/);
  assert.match(out, /--set operator\.image\.repository=registry\.example\.com\/si\/operator/);
  assert.match(out, /--set defaultService\.image\.repository=registry\.example\.com\/si\/verifier/);
});

test('build-images.sh refuses to run without a registry', () => {
  const result = spawnSync('bash', [SCRIPT, '--dry-run'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--registry is required/);
});
