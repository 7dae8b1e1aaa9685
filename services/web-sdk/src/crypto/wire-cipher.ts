/**
 * The service's wire cipher (spec/ENCRYPTION.md) on WebCrypto: AES-256-GCM, a 128-bit
 * tag appended to the ciphertext (which is exactly what WebCrypto's AES-GCM returns),
 * the key and nonce used as their UTF-8 bytes (never hex-decoded), standard Base64.
 * Byte for byte what the vendor's Java class and services/client produce.
 */
import { SilentIdError } from '../errors.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';

/** A key pair as the service is configured with it: 32 and 12 characters. */
export interface WireKey {
  readonly key: string;
  readonly nonce: string;
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BITS = 128;

/** Plaintext as the browser holds it: a recorded Blob, a File, or bytes. */
export type Plaintext = Blob | ArrayBuffer | Uint8Array<ArrayBuffer>;

async function importWireKey(
  wire: WireKey,
): Promise<{ key: CryptoKey; iv: Uint8Array<ArrayBuffer> }> {
  const encoder = new TextEncoder();
  const raw = encoder.encode(wire.key);
  const iv = encoder.encode(wire.nonce);
  if (raw.length !== KEY_BYTES) {
    throw new SilentIdError(
      'bad-key',
      `the key must be ${KEY_BYTES} bytes of UTF-8, got ${raw.length}`,
    );
  }
  if (iv.length !== NONCE_BYTES) {
    throw new SilentIdError(
      'bad-key',
      `the nonce must be ${NONCE_BYTES} bytes of UTF-8, got ${iv.length}`,
    );
  }
  if (globalThis.crypto?.subtle === undefined) {
    // crypto.subtle exists only in secure contexts (https://, http://localhost).
    throw new SilentIdError('unsupported', 'WebCrypto is not available: serve the page over https');
  }
  const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
  return { key, iv };
}

async function toBuffer(plaintext: Plaintext): Promise<ArrayBuffer | Uint8Array<ArrayBuffer>> {
  return plaintext instanceof Blob ? plaintext.arrayBuffer() : plaintext;
}

/** Encrypts into a field value of the service's form: Base64(ciphertext ‖ tag). */
export async function sealToBase64(plaintext: Plaintext, wire: WireKey): Promise<string> {
  const { key, iv } = await importWireKey(wire);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, tagLength: TAG_BITS },
    key,
    await toBuffer(plaintext),
  );
  return bytesToBase64(new Uint8Array(sealed));
}

/**
 * Opens a field value. Returns undefined when it is not Base64 or the tag does not
 * verify (wrong key or nonce, altered or truncated data): no unverified byte is returned.
 */
export async function openFromBase64(
  field: string,
  wire: WireKey,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const { key, iv } = await importWireKey(wire);
  let sealed: Uint8Array<ArrayBuffer>;
  try {
    sealed = base64ToBytes(field);
  } catch {
    return undefined;
  }
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, tagLength: TAG_BITS },
      key,
      sealed,
    );
    return new Uint8Array(plain);
  } catch {
    return undefined;
  }
}
