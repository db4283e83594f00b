/**
 * Payloads cross the engine as JSON text, serialised exactly once where they enter (S-MODEL-1). The size
 * limit is checked at the call site so the orchestrator sees the error where it made the mistake.
 */
import { InvalidArgumentError, PayloadTooLargeError } from '../errors.js';
import type { JsonText } from './history.js';

/**
 * Serialises a payload; `undefined` means "no payload". Throws InvalidArgumentError for values JSON cannot
 * represent (BigInt, cycles, functions) and PayloadTooLargeError beyond `maxBytes` of UTF-8.
 * `what` names the payload for the message, e.g. "the input of activity 'Square'".
 */
export function toJson(value: unknown, what: string, maxBytes: number): JsonText | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`${what} cannot be serialised as JSON: ${messageOf(error)}`);
  }
  if (text === undefined) throw new InvalidArgumentError(`${what} is not a JSON value (it is a ${typeof value})`);
  const size = utf8ByteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return text;
}

export function fromJson(text: JsonText | undefined): unknown {
  return text === undefined ? undefined : JSON.parse(text);
}

/** UTF-8 length without allocating a buffer; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
