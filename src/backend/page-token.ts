/** The continuation token of instance listings: the position after the page's last instance in the
 *  listing order (created_at, row_seq), as base64url JSON. Opaque to callers; checked when read back. */
import { InvalidArgumentError } from '../errors.js';

export interface PagePosition {
  createdAt: number;
  rowSeq: number;
}

export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.rowSeq])).toString('base64url');
}

export function decodePageToken(token: string): PagePosition {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(token) ? JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new InvalidArgumentError('the continuation token is malformed; pass back the token of the previous page unchanged');
  }
  const [createdAt, rowSeq] = value as [number, number];
  return { createdAt, rowSeq };
}
