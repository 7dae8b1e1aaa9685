import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

/**
 * Structured JSON logs. Request bodies, images, frames and embeddings are never passed
 * to the logger; the redaction list is a second line of defence for field names.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'silentid-verifier' },
    redact: {
      paths: [
        'encrypted_image',
        'encrypted_video',
        'first_encrypted_image',
        'second_encrypted_image',
        '*.encrypted_image',
        '*.encrypted_video',
        '*.first_encrypted_image',
        '*.second_encrypted_image',
        'req.body',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
