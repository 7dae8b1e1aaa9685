import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.js';

test('defaults are the documented limits and the default key pair', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.maxBodyBytes, 48 * 1024 * 1024);
  assert.equal(c.image.maxBytes, 8 * 1024 * 1024);
  assert.equal(c.video.maxBytes, 32 * 1024 * 1024);
  assert.deepEqual([c.image.minSide, c.image.maxSide, c.image.maxPixels], [64, 8192, 50_000_000]);
  assert.deepEqual(
    [c.video.minSide, c.video.maxSide, c.video.minSeconds, c.video.maxSeconds],
    [64, 4096, 2, 60],
  );
  assert.deepEqual(c.keyRing, [{ key: 'dcbbad6765e14139a07d34b92292a672', nonce: 'df25d188a061' }]);
});

test('a previous key pair joins the ring for rotation, and must come as a pair', () => {
  const c = loadConfig({
    SILENTID_PREVIOUS_KEY: 'p'.repeat(32),
    SILENTID_PREVIOUS_NONCE: 'q'.repeat(12),
  });
  assert.equal(c.keyRing.length, 2);
  assert.throws(() => loadConfig({ SILENTID_PREVIOUS_KEY: 'p'.repeat(32) }), ConfigError);
});

test('bad values are refused at start-up, naming every variable', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', MAX_VIDEO_BYTES: '-1' }),
    (e: unknown) =>
      e instanceof ConfigError && /PORT/.test(e.message) && /MAX_VIDEO_BYTES/.test(e.message),
  );
  assert.throws(() => loadConfig({ IMAGE_MIN_SIDE: '9000' }), ConfigError);
  assert.throws(() => loadConfig({ ORT_EXECUTION_PROVIDER: 'tpu' }), ConfigError);
});

test('the liveness threshold comes from the bundle unless overridden', () => {
  assert.equal(loadConfig({}).livenessThreshold, undefined);
  assert.equal(loadConfig({ LIVENESS_THRESHOLD: '' }).livenessThreshold, undefined);
  assert.equal(loadConfig({ LIVENESS_THRESHOLD: '0.7' }).livenessThreshold, 0.7);
  assert.throws(() => loadConfig({ LIVENESS_THRESHOLD: '1.5' }));
});

test("a FaceModel's verification calibration arrives as JSON and is validated", () => {
  const ok = loadConfig({
    SILENTID_VERIFICATION_CALIBRATION: '{"points":[[-1,0],[0.5,0.7],[1,1]]}',
  });
  assert.deepEqual(ok.verificationCalibration, [
    [-1, 0],
    [0.5, 0.7],
    [1, 1],
  ]);
  assert.equal(loadConfig({}).verificationCalibration, undefined);
  assert.throws(() => loadConfig({ SILENTID_VERIFICATION_CALIBRATION: 'nope' }), /not valid JSON/);
  assert.throws(
    () => loadConfig({ SILENTID_VERIFICATION_CALIBRATION: '{"points":[[0.5,0.7],[0.2,0.9]]}' }),
    /increase/,
  );
});

test('traces are exported only when an OTLP endpoint is set and the SDK is not disabled', () => {
  assert.deepEqual(loadConfig({}).tracing, { enabled: false, serviceName: 'silentid-verifier' });
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(loadConfig(endpoint).tracing.enabled, true);
  assert.equal(
    loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }).tracing.enabled,
    true,
  );
  assert.equal(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.enabled, false);
  assert.equal(
    loadConfig({ ...endpoint, OTEL_SERVICE_NAME: 'kyc-eu' }).tracing.serviceName,
    'kyc-eu',
  );
  assert.throws(() => loadConfig({ OTEL_SDK_DISABLED: 'yes' }), /OTEL_SDK_DISABLED/);
});

test('execution provider: cpu by default, webgpu or cuda on request, fallback on unless refused', () => {
  assert.deepEqual(loadConfig({ ORT_INTRA_OP_THREADS: '2' }).runtime, {
    executionProvider: 'cpu',
    intraOpThreads: 2,
    allowFallback: true,
  });
  for (const p of ['webgpu', 'cuda'] as const)
    assert.equal(loadConfig({ ORT_EXECUTION_PROVIDER: p }).runtime.executionProvider, p);
  const strict = loadConfig({ ORT_EXECUTION_PROVIDER: 'cuda', ORT_PROVIDER_FALLBACK: 'false' });
  assert.equal(strict.runtime.allowFallback, false);
  assert.throws(() => loadConfig({ ORT_PROVIDER_FALLBACK: 'no' }), /ORT_PROVIDER_FALLBACK/);
});

test('strict WebGPU takes frame workers: they run the main thread’s sessions', () => {
  const env = { ORT_EXECUTION_PROVIDER: 'webgpu', ORT_PROVIDER_FALLBACK: 'false' };
  assert.equal(loadConfig({ ...env, VISION_WORKERS: '2' }).visionWorkers, 2);
  assert.equal(loadConfig({ ...env, VISION_WORKERS: '0' }).runtime.allowFallback, false);
});

test('batching across requests: off on CPU, on for GPU providers, as ORT_BATCH_* say', () => {
  assert.deepEqual(loadConfig({}).batching, { maxBatch: 1, maxWaitMs: 0 });
  assert.deepEqual(loadConfig({ ORT_EXECUTION_PROVIDER: 'webgpu' }).batching, {
    maxBatch: 16,
    maxWaitMs: 2,
  });
  assert.deepEqual(
    loadConfig({ ORT_EXECUTION_PROVIDER: 'cuda', ORT_BATCH_MAX: '64', ORT_BATCH_WAIT_MS: '0.5' })
      .batching,
    { maxBatch: 64, maxWaitMs: 0.5 },
  );
  assert.deepEqual(loadConfig({ ORT_BATCH_MAX: '8' }).batching, { maxBatch: 8, maxWaitMs: 0 });
  for (const bad of [{ ORT_BATCH_MAX: '0' }, { ORT_BATCH_MAX: '2.5' }, { ORT_BATCH_WAIT_MS: '-1' }])
    assert.throws(() => loadConfig(bad), /ORT_BATCH_/);
});

test('HTTP timeouts: keep-alive past a proxy’s 60 s, headers past keep-alive, request past headers', () => {
  assert.deepEqual(loadConfig({}).http, {
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    requestTimeoutMs: 300_000,
    trustProxy: false,
  });
  const c = loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '620000', HTTP_REQUEST_TIMEOUT_MS: '0' });
  assert.equal(c.http.headersTimeoutMs, 621_000, 'follows the keep-alive timeout');
  assert.equal(c.http.requestTimeoutMs, 0);
  assert.throws(
    () => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000', HTTP_HEADERS_TIMEOUT_MS: '60000' }),
    /HTTP_HEADERS_TIMEOUT_MS: must be longer than HTTP_KEEP_ALIVE_TIMEOUT_MS/,
  );
  assert.throws(
    () => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '30000' }),
    /HTTP_REQUEST_TIMEOUT_MS: must be 0 \(none\) or at least the headers timeout/,
  );
});

test('TRUST_PROXY: false, true, or addresses and CIDR ranges', () => {
  assert.equal(loadConfig({ TRUST_PROXY: '' }).http.trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'TRUE' }).http.trustProxy, true);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).http.trustProxy, [
    '10.0.0.0/8',
    '127.0.0.1',
    'fd00::/8',
  ]);
  for (const bad of ['yes', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', '10.0.0.0/8/1', '10.0.0.0/x'])
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), /TRUST_PROXY: .*is not true, false/, bad);
});

test('abuse defences: all off by default; the burst defaults to a minute’s allowance', () => {
  assert.deepEqual(loadConfig({}).abuse, {
    rateLimit: { perMinute: 0, burst: 1 },
    lockout: { failures: 0, windowSeconds: 600, lockSeconds: 900, verificationThreshold: 0.7 },
    replayWindowSeconds: 0,
  });
  const on = loadConfig({
    RATE_LIMIT_PER_MINUTE: '20',
    LOCKOUT_FAILURES: '5',
    LOCKOUT_WINDOW_SECONDS: '60',
    LOCKOUT_SECONDS: '120',
    LOCKOUT_VERIFICATION_THRESHOLD: '0.6',
    REPLAY_WINDOW_SECONDS: '900',
  }).abuse;
  assert.deepEqual(on.rateLimit, { perMinute: 20, burst: 20 });
  assert.equal(
    loadConfig({ RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_BURST: '3' }).abuse.rateLimit.burst,
    3,
  );
  assert.deepEqual(on.lockout, {
    failures: 5,
    windowSeconds: 60,
    lockSeconds: 120,
    verificationThreshold: 0.6,
  });
  assert.equal(on.replayWindowSeconds, 900);
  assert.throws(() => loadConfig({ LOCKOUT_VERIFICATION_THRESHOLD: '2' }), /LOCKOUT_VERIFICATION/);
  assert.throws(() => loadConfig({ RATE_LIMIT_BURST: '0' }), /RATE_LIMIT_BURST/);
});

test('the demo page: on by default with the dev key only, or as SILENTID_DEMO says', () => {
  assert.deepEqual(loadConfig({}).demo, { enabled: true, devKey: true });
  const own = { SILENTID_KEY: 'k'.repeat(32), SILENTID_NONCE: 'n'.repeat(12) };
  assert.deepEqual(loadConfig(own).demo, { enabled: false, devKey: false });
  assert.deepEqual(loadConfig({ ...own, SILENTID_DEMO: 'true' }).demo, {
    enabled: true,
    devKey: false,
  });
  assert.equal(loadConfig({ SILENTID_DEMO: 'false' }).demo.enabled, false);
  assert.throws(() => loadConfig({ SILENTID_DEMO: 'yes' }), /SILENTID_DEMO/);
});
