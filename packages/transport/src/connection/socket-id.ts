import { randomUUID } from 'node:crypto';

const hyphenated = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const compact = /^[0-9a-f]{32}$/i;

/**
 * The canonical (lower-case, hyphenated) form of a UUID in any of the spellings vehicles and
 * proxies use (`xxxxxxxx-…`, `urn:uuid:…`, `{…}`, 32 hex digits), or undefined.
 */
export function canonicalUuid(text: string): string | undefined {
  let candidate = text;
  if (candidate.length === 45 && candidate.slice(0, 9).toLowerCase() === 'urn:uuid:') {
    candidate = candidate.slice(9);
  } else if (candidate.length === 38 && candidate.startsWith('{') && candidate.endsWith('}')) {
    candidate = candidate.slice(1, -1);
  }
  if (hyphenated.test(candidate)) return candidate.toLowerCase();
  if (compact.test(candidate)) {
    const hex = candidate.toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return undefined;
}

/** The socket id: the `X-TXID` header when it is a UUID, a fresh random UUID otherwise. */
export function socketIdFromHeader(txidHeader: string | undefined): string {
  return (txidHeader === undefined ? undefined : canonicalUuid(txidHeader)) ?? randomUUID();
}
