import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { OrchestrationContext } from '../../src/core/context.js';
import { sha1, uuidV5 } from '../../src/core/guid.js';
import { toJson, utf8ByteLength } from '../../src/core/serialize.js';
import { InvalidArgumentError, PayloadTooLargeError } from '../../src/errors.js';
import { newEventRaisedEvent } from '../../src/testing/history-builders.js';
import { Scenario } from './harness.js';

const LIMIT = 100;
/** A JSON string literal of exactly `bytes` UTF-8 bytes, made of 3-byte characters where possible. */
function payloadOf(bytes: number): string {
  const inner = bytes - 2;
  return '€'.repeat(Math.floor(inner / 3)) + 'a'.repeat(inner % 3);
}

test('payloads up to the limit pass and one byte over is refused, counting UTF-8 bytes (T19)', () => {
  assert.equal(toJson(payloadOf(LIMIT), 'x', LIMIT), JSON.stringify(payloadOf(LIMIT)));
  assert.equal(toJson(payloadOf(LIMIT - 1), 'x', LIMIT)!.length, 2 + payloadOf(LIMIT - 1).length);
  assert.throws(() => toJson(payloadOf(LIMIT + 1), 'the input of activity \'A\'', LIMIT), (error: unknown) => {
    assert.ok(error instanceof PayloadTooLargeError);
    assert.equal(error.message, "the input of activity 'A' is 101 bytes of JSON, over the limit of 100 bytes");
    return true;
  });
  assert.equal(toJson(undefined, 'x', 0), undefined);
});

test('values JSON cannot hold are refused with a clear message', () => {
  assert.throws(() => toJson(10n, 'the custom status', LIMIT), (error: unknown) => error instanceof InvalidArgumentError && /custom status cannot be serialised as JSON.*BigInt/.test(error.message));
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => toJson(cycle, 'x', LIMIT), /cannot be serialised as JSON: Converting circular structure/);
  assert.throws(() => toJson(() => 1, 'x', LIMIT), (error: unknown) => error instanceof InvalidArgumentError && error.message === 'x cannot be serialised as JSON: value is a function');
});

test('values JSON would store as something else are refused, naming where they are', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const refused: [unknown, string][] = [
    [{ f: () => 1 }, 'value.f is a function'],
    [[() => 1], 'value[0] is a function'],
    [{ s: Symbol('s') }, 'value.s is a symbol'],
    [[Symbol('s')], 'value[0] is a symbol'],
    [Symbol('s'), 'value is a symbol'],
    [{ n: Number.NaN }, 'value.n is NaN'],
    [[1, Infinity], 'value[1] is Infinity'],
    [-Infinity, 'value is -Infinity'],
    [{ deep: { list: [{ big: 1n }] } }, 'value.deep.list[0].big is a BigInt'],
    [{ 'odd key': { m: new Map([[1, 2]]) } }, 'value["odd key"].m is a Map, not a plain object or array'],
    [new Set([1]), 'value is a Set, not a plain object or array'],
    [{ p: new Point(1) }, 'value.p is a Point, not a plain object or array'],
    [{ e: new Error('boom') }, 'value.e is an Error, not a plain object or array'],
    [{ viaToJson: { toJSON: () => ({ inner: () => 1 }) } }, 'value.viaToJson.inner is a function'],
    [{ toJSON: () => undefined }, 'value is undefined (what its toJSON returned)'],
  ];
  for (const [value, where] of refused) {
    assert.throws(() => toJson(value, "the input of activity 'A'", LIMIT), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.equal(error.message, `the input of activity 'A' cannot be serialised as JSON: ${where}`);
      return true;
    });
  }
});

test('what JSON keeps is accepted: Dates and toJSON, null-prototype objects, undefined properties and elements, a shared object', () => {
  const accepted: [unknown, string][] = [
    [{ at: new Date('2024-05-01T10:00:00.000Z') }, '{"at":"2024-05-01T10:00:00.000Z"}'],
    [{ money: { toJSON: () => '1.50 EUR' } }, '{"money":"1.50 EUR"}'],
    [Object.assign(Object.create(null) as object, { a: 1 }), '{"a":1}'],
    [{ a: undefined, b: [undefined, null, -0, 1.5e300] }, '{"b":[null,null,0,1.5e+300]}'],
  ];
  for (const [value, json] of accepted) assert.equal(toJson(value, 'x', LIMIT), json);
  const shared = { id: 1 };
  assert.equal(toJson([shared, shared], 'x', LIMIT), '[{"id":1},{"id":1}]');
});

test('utf8ByteLength agrees with Buffer.byteLength on any string, lone surrogates included', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => utf8ByteLength(text) === Buffer.byteLength(text, 'utf8')));
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => utf8ByteLength(text) === Buffer.byteLength(text, 'utf8')));
  assert.equal(utf8ByteLength('\ud800x\udc00'), Buffer.byteLength('\ud800x\udc00'));
});

function limited(body: (ctx: OrchestrationContext) => void) {
  return new Scenario({
    *Limited(ctx: OrchestrationContext) {
      body(ctx);
      yield ctx.waitForExternalEvent('Never');
    },
  }, { maxPayloadBytes: LIMIT });
}

test('every call site refuses an oversized or non-serialisable payload synchronously; uncaught, it fails the instance', () => {
  const big = payloadOf(LIMIT + 1);
  const calls: [string, (ctx: OrchestrationContext) => void][] = [
    ['callActivity', (ctx) => ctx.callActivity('A', big)],
    ['callActivityWithRetry', (ctx) => ctx.callActivityWithRetry('A', { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 2 }, big)],
    ['callSubOrchestrator', (ctx) => ctx.callSubOrchestrator('C', big)],
    ['sendEvent', (ctx) => ctx.sendEvent('other', 'E', big)],
    ['setCustomStatus', (ctx) => ctx.setCustomStatus(big)],
    ['continueAsNew', (ctx) => ctx.continueAsNew(big)],
  ];
  for (const [name, call] of calls) {
    const result = limited(call).start('Limited');
    assert.equal(result.status, 'Failed', name);
    assert.equal(result.failureDetails!.errorType, 'PayloadTooLargeError', name);
    assert.deepEqual(result.work, [], name);
  }
  const bigint = limited((ctx) => ctx.callActivity('A', { n: 1n })).start('Limited');
  assert.equal(bigint.failureDetails!.errorType, 'InvalidArgumentError');
  const nested = limited((ctx) => ctx.callActivity('A', { f: () => 1 })).start('Limited');
  assert.equal(nested.failureDetails!.errorType, 'InvalidArgumentError');
  assert.equal(nested.failureDetails!.errorMessage, "the input of activity 'A' cannot be serialised as JSON: value.f is a function");
  assert.deepEqual(nested.work, []);
});

test('an oversized return value fails the instance', () => {
  const s = new Scenario({ Big: () => payloadOf(LIMIT + 1) }, { maxPayloadBytes: LIMIT });
  const result = s.start('Big');
  assert.equal(result.failureDetails!.errorType, 'PayloadTooLargeError');
  assert.match(result.failureDetails!.errorMessage, /the output of orchestration 'Big' is 101 bytes/);
});

test('the code may catch a payload error at the call site and go on', () => {
  const s = new Scenario({
    *Careful(ctx: OrchestrationContext) {
      try {
        ctx.callActivity('A', payloadOf(LIMIT + 1));
      } catch (error) {
        yield ctx.callActivity('A', 'small');
        return (error as Error).name;
      }
    },
  }, { maxPayloadBytes: LIMIT });
  const first = s.start('Careful');
  assert.deepEqual(first.work, [{ kind: 'activity', taskId: 0, name: 'A', input: '"small"' }]);
});

test('SHA-1 matches node:crypto on any input', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => Buffer.from(sha1(bytes)).toString('hex') === createHash('sha1').update(bytes).digest('hex')));
  for (const size of [55, 56, 63, 64, 65, 119, 120]) {
    const bytes = new Uint8Array(size).fill(7);
    assert.equal(Buffer.from(sha1(bytes)).toString('hex'), createHash('sha1').update(bytes).digest('hex'));
  }
});

test('uuidV5 matches the RFC 4122 example and the Durable Functions name format', () => {
  assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  const s = new Scenario({ Guid: (ctx: OrchestrationContext) => ctx.newGuid() });
  const result = s.start('Guid');
  const expected = uuidV5('instance-1_2024-05-01T10:00:00.000Z_0', '9e952958-5e33-4daf-827f-2fa12937b875');
  assert.equal(result.output, JSON.stringify(expected));
});

test('external event data passes through as JSON text, unchanged', () => {
  const s = limited(() => undefined);
  s.start('Limited');
  const event = newEventRaisedEvent('Never', { text: 'ünïcödé' });
  assert.deepEqual(s.step([event]).newEvents[1], event);
});

test('ids and names that orchestrator code gives follow the client rules: a child or target no client could address fails the instance', () => {
  const calls: [string, (ctx: OrchestrationContext) => unknown, RegExp][] = [
    ['a child id with a bidirectional control', (ctx) => ctx.callSubOrchestrator('C', null, '\u202Eevil'), /^instance id '\\u202eevil' contains the character U\+202E/],
    ['a child id with a slash', (ctx) => ctx.callSubOrchestrator('C', null, 'a/b'), /^instance id 'a\/b' contains the character '\/'/],
    ['a sendEvent target with a zero-width space', (ctx) => ctx.sendEvent('zero\u200Bwidth', 'E', 1), /^instance id 'zero\\u200bwidth' contains the character U\+200B/],
    ['an event name with a byte order mark', (ctx) => ctx.sendEvent('other', '\uFEFFE', 1), /^an event name '\\ufeffE' contains an invisible or bidirectional formatting character \(U\+FEFF\)/],
    ['an awaited event name with a control character', (ctx) => ctx.waitForExternalEvent('bell\u0007'), /^an external event name 'bell\\u0007' contains a control character/],
    ['an activity name with an isolate', (ctx) => ctx.callActivity('Say\u2066Hi', null), /^an activity name 'Say\\u2066Hi' contains an invisible/],
  ];
  for (const [what, call, message] of calls) {
    const result = limited(call).start('Limited');
    assert.equal(result.status, 'Failed', what);
    assert.equal(result.failureDetails!.errorType, 'InvalidArgumentError', what);
    assert.match(result.failureDetails!.errorMessage, message, what);
    assert.deepEqual(result.work, [], what);
  }
});
