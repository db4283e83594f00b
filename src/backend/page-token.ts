/** The continuation token of instance listings: the position after the page's last instance in the
 *  listing order (created_at, row_seq), as base64url JSON, with the order when it is newest first (a token
 *  of oldest-first pages is the two numbers alone, as before there was a choice). Opaque to callers;
 *  checked when read back, the order too: a position means "after" in one order only. */
import { InvalidArgumentError } from '../errors.js';
import type { ListOrder } from './backend.js';

export interface PagePosition {
  createdAt: number;
  rowSeq: number;
}

export function encodePageToken(position: PagePosition, order: ListOrder): string {
  const value = order === 'newest' ? [position.createdAt, position.rowSeq, order] : [position.createdAt, position.rowSeq];
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodePageToken(token: string, order: ListOrder): PagePosition {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(token) ? JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  const parts: unknown[] = Array.isArray(value) ? value : [];
  const wellFormed =
    (parts.length === 2 || (parts.length === 3 && parts[2] === 'newest')) &&
    parts.slice(0, 2).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  if (!wellFormed) {
    throw new InvalidArgumentError('the continuation token is malformed; pass back the token of the previous page unchanged');
  }
  const tokenOrder: ListOrder = parts.length === 3 ? 'newest' : 'oldest';
  if (tokenOrder !== order) {
    throw new InvalidArgumentError(`the continuation token is of a listing ${tokenOrder} first; list ${tokenOrder} first to go on with it`);
  }
  const [createdAt, rowSeq] = parts as [number, number];
  return { createdAt, rowSeq };
}
