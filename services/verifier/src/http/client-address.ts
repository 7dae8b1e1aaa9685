import net from 'node:net';
import type { TrustProxy } from '../config/config.js';

/** The client's address from the socket's peer and the X-Forwarded-For header. */
export type ClientAddressResolver = (
  peer: string | undefined,
  forwardedFor: string | undefined,
) => string | undefined;

/**
 * Who the client is, for access logs and per-client limits. X-Forwarded-For is a list
 * anyone can start, and each proxy appends the address it received the request from;
 * so it is read from the right, only as far as the hops are trusted proxies, and the
 * first untrusted hop is the client:
 * - `false`: the header is ignored; the client is the socket's peer.
 * - `true`: the peer is a proxy; the client is the last address in the header (what
 *   the proxy saw), or the peer when there is none.
 * - ranges: when the peer is inside them, hops inside them are skipped from the right.
 */
export function clientAddressResolver(trust: TrustProxy): ClientAddressResolver {
  if (trust === false) return (peer) => normalise(peer);
  const trusted = trust === true ? undefined : blockList(trust);
  return (peerAddress, forwardedFor) => {
    const peer = normalise(peerAddress);
    if (forwardedFor === undefined) return peer;
    if (trusted !== undefined && (peer === undefined || !isInside(trusted, peer))) return peer;
    const hops = forwardedFor
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalise(stripPort(hops[i]!));
      // A proxy appends a real address; anything else is not worth believing.
      if (hop === undefined || net.isIP(hop) === 0) return client;
      client = hop;
      if (trusted === undefined || !isInside(trusted, hop)) return client;
    }
    return client;
  };
}

function blockList(ranges: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const range of ranges) {
    const [address = '', prefix] = range.split('/');
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const isInside = (list: net.BlockList, address: string): boolean =>
  list.check(address, net.isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) reads as `10.0.0.1`. */
function normalise(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** Some proxies write `1.2.3.4:5678` or `[2001:db8::1]:5678`. */
function stripPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  return v4 ? v4[1]! : hop;
}
