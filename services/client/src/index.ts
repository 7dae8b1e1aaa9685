export {
  DEFAULT_KEY,
  DEFAULT_NONCE,
  sealToBase64,
  openSealed,
  CipherKeyError,
} from './wire-cipher.js';
export {
  verifyRemote,
  VERIFY_PATH,
  UnexpectedReplyError,
  type VerifyParams,
  type VerifyResponse,
  type ClientOptions,
} from './verify-client.js';
