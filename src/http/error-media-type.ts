/**
 * How an error message leaves the server: JSON `{ "error": "…" }` for most callers, plain text for a caller
 * that names `text/plain` in its Accept header at least as highly as JSON.
 *
 * Durable Functions' JavaScript clients (durable-functions 1.x and 3.x) send axios's default Accept header,
 * which names application/json, text/plain and any type alike, and turn some error bodies straight into
 * their messages: 3.x rewinds with `new Error(response.data || …)`, so a JSON object would read
 * "[object Object]", and both quote the body after "Details:" in their other errors. A plain-text message
 * reads well in all of them. Callers that accept any type without naming text (curl, fetch, browsers) or
 * ask for JSON keep the JSON errors.
 */

export type ErrorMediaType = 'json' | 'text';

export function errorMediaType(accept: string | undefined): ErrorMediaType {
  if (!accept) return 'json';
  const ranges = accept.split(',').map(parseRange);
  const text = ranges.find((range) => range.type === 'text/plain');
  if (!text || text.quality === 0) return 'json';
  return text.quality >= quality(ranges, 'application/json') ? 'text' : 'json';
}

interface MediaRange {
  type: string;
  quality: number;
}

function parseRange(part: string): MediaRange {
  const [type = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
  const q = parameters.find((parameter) => parameter.startsWith('q='));
  const quality = q === undefined ? 1 : Number(q.slice(2));
  return { type, quality: Number.isFinite(quality) ? quality : 0 };
}

/** The quality a caller gives a media type: its most specific matching range decides (RFC 9110, 12.5.1). */
function quality(ranges: readonly MediaRange[], type: string): number {
  const [major] = type.split('/');
  const match = ranges.find((range) => range.type === type) ?? ranges.find((range) => range.type === `${major}/*`) ?? ranges.find((range) => range.type === '*/*');
  return match?.quality ?? 0;
}
