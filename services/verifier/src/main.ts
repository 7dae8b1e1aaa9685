/**
 * `npm start`: the verifier process. SIGTERM/SIGINT drain in-flight requests and exit 0.
 */
import { ConfigError, loadConfig } from './config/config.js';
import { startVerifier } from './server.js';

try {
  const config = loadConfig();
  const verifier = await startVerifier(config);
  let draining = false;
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C in a terminal reaches node twice under `npm start`: from the terminal and
    // forwarded by npm. A repeat must not cut the drain short (the default action would
    // kill the process mid-request); the drain is bounded by SHUTDOWN_GRACE_MS anyway.
    if (draining) return verifier.log.info({ signal }, 'already shutting down');
    draining = true;
    verifier.log.info({ signal }, 'shutting down');
    verifier.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        verifier.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  // Start-up failures (bad config, checksum mismatch, a provider that cannot load with
  // fallback off) are operator errors: say what, exit 1. A frame worker's error arrives
  // as a plain Error that keeps its name.
  const plain =
    err instanceof ConfigError || (err instanceof Error && err.name === 'ExecutionProviderError');
  process.stderr.write(
    `silentid: ${plain ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}
