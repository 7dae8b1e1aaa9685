/**
 * Standard Base64 (with padding) of bytes and back, with the browser's btoa/atob. Bytes
 * go through a "binary string" in slices: String.fromCharCode(...all) of a 5 MB video
 * would overflow the call stack's argument limit.
 */

const SLICE = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  }
  return btoa(binary);
}

/** Throws a DOMException (InvalidCharacterError) on text that is not Base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
