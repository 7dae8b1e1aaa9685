import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Request bodies, images, frames and embeddings are never passed
 * to the logger; the redaction list is a second line of defence for field names.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'silentid-verifier' },
    redact: {
      paths: [
        'encrypted_image',
        'encrypted_video',
        '*.encrypted_image',
        '*.encrypted_video',
        'req.body',
      ],
      censor: '[redacted]',
    },
  });
}
