/**
 * Payloads cross the engine as JSON text, serialised exactly once where they enter (S-MODEL-1). The size
 * limit is checked at the call site so the orchestrator sees the error where it made the mistake.
 */
import { InvalidArgumentError, PayloadTooLargeError } from '../errors.js';
import type { JsonText } from './history.js';

/**
 * Serialises a payload; `undefined` means "no payload". Throws InvalidArgumentError, naming where the value
 * is, for anything JSON would store as something else or not at all: functions, symbols, BigInt, NaN and
 * ±Infinity, cycles, and objects that are neither plain objects nor arrays (a Map, a Set, a class instance)
 * unless they define toJSON, as Date does. An `undefined` property is left out and an `undefined` array
 * element becomes null, as JSON does. Throws PayloadTooLargeError beyond `maxBytes` of UTF-8.
 * `what` names the payload for the message, e.g. "the input of activity 'Square'".
 */
export function toJson(value: unknown, what: string, maxBytes: number): JsonText | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = stringifyFaithfully(value);
  } catch (error) {
    throw new InvalidArgumentError(`${what} cannot be serialised as JSON: ${messageOf(error)}`);
  }
  if (text === undefined) throw new InvalidArgumentError(`${what} cannot be serialised as JSON: value is undefined (what its toJSON returned)`);
  const size = utf8ByteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return text;
}

/** Where a value sits inside the payload: the object holding it and its key there. */
interface Place {
  holder: object;
  key: string;
}

/** Thrown by the replacer's first, untracked pass at the first value it refuses; made once, so throwing it captures no stack. */
const REFUSED = new Error('a value JSON would not store as it is');

/**
 * JSON.stringify with a replacer that checks each value (after toJSON) as it is written: one walk. Only
 * when it refuses one does a second pass remember where each object sits, to name the path; that costs a
 * map entry per object, which payloads that serialise cleanly do not pay.
 */
function stringifyFaithfully(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, faithfulReplacer(undefined));
  } catch (error) {
    if (error !== REFUSED) throw error;
  }
  return JSON.stringify(value, faithfulReplacer(new Map()));
}

function faithfulReplacer(places: Map<object, Place> | undefined): (this: object, key: string, inner: unknown) => unknown {
  const refuse = (holder: object, key: string, description: string): never => {
    if (places === undefined) throw REFUSED;
    throw new Error(`${pathOf({ holder, key }, places)} is ${description}`);
  };
  return function (key, inner) {
    switch (typeof inner) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return inner;
      case 'number':
        return Number.isFinite(inner) ? inner : refuse(this, key, String(inner));
      case 'object': {
        if (inner === null) return inner;
        if (!Array.isArray(inner)) {
          const prototype: unknown = Object.getPrototypeOf(inner);
          if (prototype !== Object.prototype && prototype !== null) refuse(this, key, `${describeClass(inner)}, not a plain object or array`);
        }
        places?.set(inner, { holder: this, key });
        return inner;
      }
      case 'function':
        return refuse(this, key, 'a function');
      case 'symbol':
        return refuse(this, key, 'a symbol');
      case 'bigint':
        return refuse(this, key, 'a BigInt');
    }
  };
}

/** "value", "value.f", "value[0]", "value[\"a b\"]": JSON.stringify wraps the payload in a holder with key "". */
function pathOf(place: Place, places: ReadonlyMap<object, Place>): string {
  const steps: string[] = [];
  for (let at: Place | undefined = place; at !== undefined && places.has(at.holder); at = places.get(at.holder)) {
    const { holder, key } = at;
    steps.push(Array.isArray(holder) ? `[${key}]` : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
  }
  return `value${steps.reverse().join('')}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function describeClass(object: object): string {
  const name: unknown = (object as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string' || name === '') return 'an object with a prototype';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
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
