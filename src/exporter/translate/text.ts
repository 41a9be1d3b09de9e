import { isIP } from 'node:net';

/** `s` cut after `max` code points, never between the halves of a surrogate pair. */
export function truncateCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  for (let n = 0; n < max && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
  }
  return s.slice(0, i);
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** `host` as it goes into a URL authority: IPv6 literals need brackets, and `%` of a zone id is escaped. */
export function urlHost(host: string): string {
  // Every IPv6 address has two colons at least; most hosts have none, and Node's IPv6 check is a huge regex.
  const colon = host.indexOf(':');
  if (colon < 0 || host.indexOf(':', colon + 1) < 0) return host;
  return isIP(host) === 6 ? `[${host.replace('%', '%25')}]` : host;
}
