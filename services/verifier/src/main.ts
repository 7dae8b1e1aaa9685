/**
 * `npm start`: the verifier process. SIGTERM/SIGINT drain in-flight requests and exit 0.
 */
import { ConfigError, loadConfig } from './config/config.js';
import { startVerifier } from './server.js';

try {
  const config = loadConfig();
  const verifier = await startVerifier(config);
  const stop = (signal: string) => {
    verifier.log.info({ signal }, 'shutting down');
    void verifier.shutdown().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  // Start-up failures (bad config, checksum mismatch) are operator errors: say what, exit 1.
  process.stderr.write(
    `silentid: ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}
