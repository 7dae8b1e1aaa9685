/**
 * Opening the two encrypted fields. The wire format (spec/ENCRYPTION.md) is one fixed
 * key and nonce for every request, so rotation means accepting the current pair and,
 * for a window, the previous one: the ring tries them in order.
 */
import { openSealed } from '@silentid/client';
import type { KeyPair } from '../config/config.js';
import { ApiCode, ApiError, invalidArgument, invalidContentLength } from '../errors/api-error.js';
import { decodeLenientBase64 } from './lenient-base64.js';

const TAG_BYTES = 16;

export class KeyRing {
  constructor(private readonly pairs: readonly KeyPair[]) {
    if (pairs.length === 0) throw new Error('a key ring needs at least one key pair');
  }

  /**
   * Base64 → AES-256-GCM open, refusing before the expensive work: a field that would
   * decrypt to more than `maxBytes` is 2004 without being decrypted; a tag that fails
   * under every key is 1200 and no byte of it is used.
   */
  open(field: string, value: string, maxBytes: number): Buffer {
    const sealed = decodeLenientBase64(value);
    if (sealed === undefined) throw invalidArgument(`${field} is not valid Base64`);
    if (sealed.length - TAG_BYTES > maxBytes) {
      throw invalidContentLength(
        `${field} decrypts to ${sealed.length - TAG_BYTES} bytes, more than the ${maxBytes} allowed`,
      );
    }
    for (const { key, nonce } of this.pairs) {
      const plain = openSealed(sealed, key, nonce);
      if (plain !== undefined) return plain;
    }
    throw new ApiError(
      ApiCode.invalidArgument,
      `${field} could not be decrypted: wrong key or nonce, or altered or truncated data`,
      { reason: 'undecryptable' },
    );
  }
}
