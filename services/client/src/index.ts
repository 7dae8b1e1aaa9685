export { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64, openSealed, CipherKeyError } from './wire-cipher.js';
