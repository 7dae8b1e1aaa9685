import net from 'node:net';

/**
 * The key per-client limits count under: an IPv4 address, or the /64 network of an IPv6
 * one (one subscriber's usual allocation, in which a client can pick any of 2^64
 * addresses). No address (a request without a socket): one shared key.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (net.isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const after = tail === '' ? [] : tail.split(':');
    const width = after.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    groups.push(...Array<string>(8 - groups.length - width).fill('0'), ...after);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
