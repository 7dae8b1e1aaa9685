/**
 * The vendor's wire cipher (spec/ENCRYPTION.md): AES-256-GCM with the key and nonce
 * used as their UTF-8 bytes, the 16-byte tag appended, standard Base64. Byte for byte
 * what the vendor's Java `AESCipher` produces, so an unchanged Java client works.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** The default pair of the vendor manual; a deployment should set its own. */
export const DEFAULT_KEY = 'dcbbad6765e14139a07d34b92292a672';
export const DEFAULT_NONCE = 'df25d188a061';

const TAG_BYTES = 16;

export class CipherKeyError extends Error {
  override name = 'CipherKeyError';
}

function keyBytes(key: string, nonce: string): { key: Buffer; iv: Buffer } {
  const k = Buffer.from(key, 'utf8');
  const iv = Buffer.from(nonce, 'utf8');
  if (k.length !== 32) throw new CipherKeyError(`key must be 32 bytes of UTF-8, got ${k.length}`);
  if (iv.length !== 12)
    throw new CipherKeyError(`nonce must be 12 bytes of UTF-8, got ${iv.length}`);
  return { key: k, iv };
}

/** Encrypts like the vendor's Java class: Base64(ciphertext ‖ tag). */
export function sealToBase64(
  plaintext: Uint8Array,
  key = DEFAULT_KEY,
  nonce = DEFAULT_NONCE,
): string {
  const { key: k, iv } = keyBytes(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return body.toString('base64');
}

/**
 * Opens ciphertext ‖ tag. Returns undefined when the tag does not verify (wrong key or
 * nonce, altered or truncated data), so no plaintext of a failed check is ever used.
 */
export function openSealed(sealed: Uint8Array, key: string, nonce: string): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const { key: k, iv } = keyBytes(key, nonce);
  const decipher = createDecipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}
