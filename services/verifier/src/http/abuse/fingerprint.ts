import { createHash } from 'node:crypto';
import { decodeLenientBase64 } from '../../crypto/lenient-base64.js';

/**
 * SHA-256 of an endpoint and its sealed fields' bytes, for replay detection. The bytes
 * are the Base64 decoded as the key ring decodes it, so a replay spelt differently
 * (spaces for '+', line breaks, other unused trailing bits) is still the same request.
 * Undefined when a field is not Base64: the key ring refuses that request anyway.
 */
export function fingerprint(
  path: string,
  sealed: readonly (readonly [field: string, value: string])[],
): string | undefined {
  const hash = createHash('sha256').update(path);
  for (const [field, value] of sealed) {
    const bytes = decodeLenientBase64(value);
    if (bytes === undefined) return undefined;
    // Lengths keep the boundaries: (ab, c) and (a, bc) differ.
    hash.update(`\0${field}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('base64');
}
