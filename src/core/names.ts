/**
 * The rules of instance ids and names (S-START-3), shared by the client, the HTTP API, the CLI and
 * orchestrator code (sub-orchestration ids, events sent), so that every surface refuses the same ids
 * with the same message; pure, so the replay engine applies them too.
 */
import { InvalidArgumentError } from '../errors.js';

const MAX_ID_LENGTH = 256;
/**
 * Characters no id or name may hold, because they are invisible or move the text around them, so that two
 * different ids could look alike: control characters (Cc), format characters (Cf: every bidirectional
 * control such as U+202E, and U+200B, U+200D, U+2060, U+FEFF, U+00AD…), and the line and paragraph
 * separators (Zl, Zp). Durable Functions refuses control characters; taskhub also refuses the rest.
 */
const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const FORBIDDEN_ID_CHARACTERS = new RegExp(`[/\\\\#?]|${HIDDEN_CHARACTER.source}`, 'u');

/** S-START-3: 1–256 characters, no `/ \ # ?` or hidden characters, well-formed UTF-16, not starting with `@`. */
/** Orchestrator and activity names, and instance ids, starting with this are taskhub's own (built-in jobs): users cannot take them. */
export const RESERVED_NAME_PREFIX = 'taskhub.';

export function validateInstanceId(instanceId: unknown): string {
  if (typeof instanceId !== 'string') throw new InvalidArgumentError('an instance id must be a string');
  if (instanceId.length === 0 || instanceId.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(`an instance id must be 1 to ${MAX_ID_LENGTH} characters long (got ${instanceId.length})`);
  }
  if (!instanceId.isWellFormed()) throw new InvalidArgumentError('an instance id must be well-formed UTF-16 (it has a lone surrogate)');
  if (instanceId.startsWith('@')) throw new InvalidArgumentError(`instance id '${printable(instanceId)}' must not start with '@'`);
  const forbidden = FORBIDDEN_ID_CHARACTERS.exec(instanceId);
  if (forbidden) {
    throw new InvalidArgumentError(
      `instance id '${printable(instanceId)}' contains the character ${describeCharacter(forbidden[0])}; '/', '\\', '#', '?', control characters and invisible or bidirectional formatting characters are not allowed`,
    );
  }
  return instanceId;
}

/** Event and orchestrator names: 1–256 characters, no hidden characters, well-formed. */
export function validateName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(`${kind} must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  if (!name.isWellFormed()) throw new InvalidArgumentError(`${kind} '${printable(name)}' contains a lone surrogate`);
  const hidden = HIDDEN_CHARACTER.exec(name);
  if (hidden) {
    const what = /\p{Cc}/u.test(hidden[0]) ? 'a control character' : 'an invisible or bidirectional formatting character';
    throw new InvalidArgumentError(`${kind} '${printable(name)}' contains ${what} (${describeCharacter(hidden[0])})`);
  }
  return name;
}

/** The text quoted in a message, its hidden characters escaped so the message reads as typed. */
export function printable(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return shown.replace(new RegExp(HIDDEN_CHARACTER.source, 'gu'), escapeCodePoint);
}

/** `\u202e`, or `\u{e0001}` beyond the Basic Multilingual Plane. */
export function escapeCodePoint(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function describeCharacter(character: string): string {
  return HIDDEN_CHARACTER.test(character) ? `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : `'${character}'`;
}
