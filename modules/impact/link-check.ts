import { lookup } from 'node:dns/promises';
import net from 'node:net';
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
  if (!opts.allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    try {
      const addresses = net.isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
      if (addresses.some((a) => isPrivateAddress(a.address))) return { status: 'blocked' };
    } catch {
      return { status: 'dead' };
    }
  }
  try {
    const res = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      headers: { 'user-agent': 'UmbrellaNewsroom-LinkCheck/1' },
    });
    await res.body?.cancel();
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get('location');
      const target = to ? new URL(to, url) : undefined;
      return { status: target && sameSite(url, target) ? 'ok' : 'redirected', httpStatus: res.status };
    }
    return { status: res.ok ? 'ok' : 'dead', httpStatus: res.status };
  } catch (err) {
    const name = (err as { name?: string }).name;
    return { status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'dead' };
  }
}
