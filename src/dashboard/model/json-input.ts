/** JSON typed by a person (an input, event data), checked before anything is sent. */

export type JsonInput = { ok: true; value: unknown; empty: boolean } | { ok: false; message: string };

/** Empty text means "no value"; anything else must be one JSON document. */
export function parseJsonInput(text: string): JsonInput {
  if (text.trim() === '') return { ok: true, value: undefined, empty: true };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, empty: false };
  } catch (error) {
    return { ok: false, message: describeJsonError(text, error as Error) };
  }
}

/** "Line 2, column 5: …" where the engine gives a position, else its own message. */
function describeJsonError(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return `not valid JSON: ${error.message}`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  const reason = error.message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
  return `not valid JSON at line ${line}, column ${column}: ${reason}`;
}
