/**
 * Standard Base64 as real clients send it: `curl -d` without --data-urlencode turns
 * every '+' into a space, MIME encoders wrap lines at 76 columns. Anything else outside
 * the alphabet is refused (Node's decoder would silently skip it).
 */
export function decodeLenientBase64(value: string): Buffer | undefined {
  const cleaned = value.replace(/[\r\n]/g, '').replace(/ /g, '+');
  if (cleaned.length === 0) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) return undefined;
  const unpadded = cleaned.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (cleaned.includes('=') && cleaned.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, 'base64');
}
