/**
 * Tags: an instance's own searchable attributes, string keys to string values, set at its start and by its
 * orchestration code (docs/instance-management.md). Bounded so that a status and a list page stay small and
 * a tag filter stays an index lookup.
 */
import { InvalidArgumentError, TagLimitError } from '../errors.js';
import type { HistoryEvent } from './history.js';

export type Tags = Record<string, string>;

export const MAX_TAGS = 20;
export const MAX_TAG_KEY_LENGTH = 64;
export const MAX_TAG_VALUE_LENGTH = 256;

/** A copy of `tags` in key order (so stored and shown alike), or an InvalidArgumentError naming what is wrong. */
export function validateTags(tags: unknown, what = 'tags'): Tags {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new InvalidArgumentError(`${what} must be an object of string keys to string values`);
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_TAGS) throw new TagLimitError(`${what}: at most ${MAX_TAGS} tags, not ${entries.length}`);
  const valid: Tags = {};
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    validateTagKey(key, what);
    validateTagValue(key, value, what);
    valid[key] = value as string;
  }
  return valid;
}

export function validateTagKey(key: unknown, what = 'tags'): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`${what}: a tag key must be a non-empty string`);
  if (key.length > MAX_TAG_KEY_LENGTH) throw new TagLimitError(`${what}: the tag key '${key.slice(0, 20)}…' is longer than ${MAX_TAG_KEY_LENGTH} characters`);
  if (hasControlCharacter(key)) throw new InvalidArgumentError(`${what}: the tag key ${JSON.stringify(key)} holds a control character`);
  return key;
}

export function validateTagValue(key: string, value: unknown, what = 'tags'): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what}: the value of tag '${key}' must be a string`);
  if (value.length > MAX_TAG_VALUE_LENGTH) throw new TagLimitError(`${what}: the value of tag '${key}' is longer than ${MAX_TAG_VALUE_LENGTH} characters`);
  if (hasControlCharacter(value)) throw new InvalidArgumentError(`${what}: the value of tag '${key}' holds a control character`);
  return value;
}

/**
 * An instance's tags as a run of its execution sees them: those it started with (ExecutionStarted), then each
 * recorded step's TagsChanged, then the setTag / removeTag calls of the step being replayed or run. The limit
 * holds for this total, and because it is rebuilt from the history alone, a call refused in a step is refused
 * again when that step is replayed: code that catches the TagLimitError replays the path it took.
 */
export class InstanceTags {
  private committed = new Map<string, string>();
  /** The calls of the current step: a value set, or undefined for a removal. */
  readonly stepChanges = new Map<string, string | undefined>();

  /** Follows the history: a start sets the tags, a TagsChanged applies its step, a step's end closes it. */
  observe(event: HistoryEvent): void {
    if (event.type === 'ExecutionStarted') {
      this.committed = new Map(Object.entries(event.tags ?? {}));
    } else if (event.type === 'TagsChanged') {
      for (const [key, value] of Object.entries(event.set)) this.committed.set(key, value);
      for (const key of event.remove) this.committed.delete(key);
      this.stepChanges.clear();
    } else if (event.type === 'OrchestratorCompleted') {
      this.stepChanges.clear();
    }
  }

  /** A validated key and value (undefined removes); a new key beyond MAX_TAGS throws a TagLimitError. */
  change(key: string, value: string | undefined): void {
    if (value !== undefined && !this.current().has(key) && this.current().size >= MAX_TAGS) {
      throw new TagLimitError(`setTag: the instance already has ${MAX_TAGS} tags, the most it may have; remove one before setting '${key}'`);
    }
    this.stepChanges.set(key, value);
  }

  /** The tags after the current step's calls, in key order. */
  snapshot(): Tags {
    return Object.fromEntries([...this.current()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private current(): Map<string, string> {
    const tags = new Map(this.committed);
    for (const [key, value] of this.stepChanges) {
      if (value === undefined) tags.delete(key);
      else tags.set(key, value);
    }
    return tags;
  }
}

/**
 * `key:value` texts (HTTP `tag=` parameters, CLI `--tag`) as tags: split at the first colon, so a value may
 * hold colons; a key given twice is refused.
 */
export function parseTagArguments(texts: readonly string[], what = 'tag'): Tags {
  const tags: Record<string, string> = {};
  for (const text of texts) {
    const colon = text.indexOf(':');
    if (colon <= 0) throw new InvalidArgumentError(`${what} '${text}' must be key:value`);
    const key = text.slice(0, colon);
    if (Object.hasOwn(tags, key)) throw new InvalidArgumentError(`${what}: the key '${key}' is given twice`);
    tags[key] = text.slice(colon + 1);
  }
  return validateTags(tags, what);
}

// NUL cannot be stored by PostgreSQL; other control characters would only hide in a listing.
function hasControlCharacter(text: string): boolean {
  return /\p{Cc}/u.test(text);
}
