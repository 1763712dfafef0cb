import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { LinkStatus } from './model';

export interface LinkCheckOptions {
  timeoutMs?: number;
  /** Loopback and private addresses are refused unless this is set (tests serve pages on loopback). */
  allowPrivate?: boolean;
}
export interface LinkCheckResult {
  status: Exclude<LinkStatus, 'unchecked'>;
  httpStatus?: number;
}

/** Loopback, private, link-local, carrier-grade NAT, unspecified and unique-local addresses. */
export function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(v4)) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  const v6 = address.toLowerCase();
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

const sameSite = (a: URL, b: URL) => a.hostname.replace(/^www\./, '') === b.hostname.replace(/^www\./, '');

/** Why a connection was not made: the name resolved to an address we never open. */
class BlockedAddress extends Error {
  readonly code = 'EBLOCKED';
}

/**
 * The resolver the connection itself uses: it refuses private addresses, and the socket connects to the
 * very address it approved. Checking a name first and connecting later would let a DNS answer that
 * changes in between (rebinding) reach an internal address.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as LookupAddress[];
      if (!list.length) return callback(new Error(`no address for ${hostname}`), '', 4);
      if (!allowPrivate && list.some((a) => isPrivateAddress(a.address)))
        return callback(new BlockedAddress(`${hostname} resolves to a private address`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** One GET through our own resolver, the body left unread. */
function openOnce(url: URL, opts: LinkCheckOptions): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'UmbrellaNewsroom-LinkCheck/1' },
        lookup: guardedLookup(!!opts.allowPrivate),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      },
      (res) => {
        res.destroy();
        resolve(res);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a published link once, without following redirects: reachable (2xx), or a redirect within the same
 * site (http→https, a trailing slash) counts as live; a redirect to another site, an error status, a
 * timeout or a refused address is reported, never silently kept.
 */
export async function checkLink(raw: string, opts: LinkCheckOptions = {}): Promise<LinkCheckResult> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { status: 'dead' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 'blocked' };
  // An address written in the link is never looked up: check it here. Names are checked as they connect.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && net.isIP(host) && isPrivateAddress(host)) return { status: 'blocked' };
  try {
    const res = await openOnce(url, opts);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      const to = res.headers.location;
      const target = to ? new URL(to, url) : undefined;
      return { status: target && sameSite(url, target) ? 'ok' : 'redirected', httpStatus: status };
    }
    return { status: status >= 200 && status < 300 ? 'ok' : 'dead', httpStatus: status };
  } catch (err) {
    if (err instanceof BlockedAddress) return { status: 'blocked' };
    const name = (err as { name?: string }).name;
    return { status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'dead' };
  }
}
