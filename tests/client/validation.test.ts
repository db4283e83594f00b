/** S-START-3 ids, T22 odd characters, status names and ISO dates: the checks all three surfaces share. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDate, parseRuntimeStatuses, validateHubName, validateInstanceId, validateName } from '../../src/client/validation.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { Registry } from '../../src/authoring/registry.js';

describe('instance ids', () => {
  it('accepts 1 to 256 ordinary or odd-but-allowed characters', () => {
    for (const id of ['a', 'a'.repeat(256), "a'b", 'a"b', 'x; DROP TABLE t', '%2F', '..', 'עברית', 'emoji 🎉', 'a:b:c']) {
      assert.equal(validateInstanceId(id), id);
    }
  });

  it('rejects empty, too long, forbidden characters, control characters, leading @ and lone surrogates', () => {
    const bad = ['', 'a'.repeat(257), 'a/b', 'a\\b', 'a#b', 'a?b', '@a', 'a\u0000', 'a\n', 'a\u007f', 'a\u009f', 'a\ud800', '\udc00b'];
    for (const id of bad) assert.throws(() => validateInstanceId(id), InvalidArgumentError, JSON.stringify(id));
    assert.throws(() => validateInstanceId(42), InvalidArgumentError);
  });

  it('rejects invisible and bidirectional formatting characters (Cf, Zl, Zp), which make different ids look alike', () => {
    const hidden = ['\u202E', '\u202A', '\u2066', '\u2069', '\u200E', '\u200F', '\u061C', '\uFEFF', '\u200B', '\u200C', '\u200D', '\u2060', '\u00AD', '\u180E', '\u2028', '\u2029', '\u{E0001}', '\u{E0041}'];
    for (const character of hidden) {
      const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      assert.throws(() => validateInstanceId(`a${character}b`), new RegExp(`contains the character ${code.replace('+', '\\+')}`), code);
      assert.throws(() => validateName('an event name', `a${character}b`), /invisible or bidirectional formatting character/, code);
    }
    // Still allowed: right-to-left letters, combining marks, emoji without joiners, the visible no-break space.
    for (const id of ['שלום', 'e\u0301', '🚀', 'a\u00A0b', '❤\uFE0F']) assert.equal(validateInstanceId(id), id);
  });

  it('names the offending character in the message', () => {
    assert.throws(() => validateInstanceId('a/b'), /contains the character '\/'/);
    assert.throws(() => validateInstanceId('a\u0001'), /U\+0001/);
  });

  it('never accepts a string containing a forbidden character (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('/', '\\', '#', '?', '\u0000', '\u001f', '\u007f'), fc.string(), (a, bad, b) => {
        assert.throws(() => validateInstanceId(a + bad + b), InvalidArgumentError);
      }),
    );
  });
});

describe('names and hubs', () => {
  it('checks event and orchestrator names', () => {
    assert.equal(validateName('an event name', 'Approval'), 'Approval');
    assert.throws(() => validateName('an event name', ''), InvalidArgumentError);
    assert.throws(() => validateName('an event name', 'a\u0000'), InvalidArgumentError);
    assert.throws(() => validateName('an orchestrator name', 'Hello\u202EWorld'), /an orchestrator name 'Hello\\u202eWorld' contains an invisible/);
  });

  it('a registry refuses orchestrator and activity names that no client could start or call', () => {
    assert.throws(() => new Registry().orchestrator('Hello\u202EWorld', function* () {}), /an orchestrator name 'Hello\\u202eWorld' contains an invisible/);
    assert.throws(() => new Registry().activity('Say\uFEFFHello', () => 1), /an activity name 'Say\\ufeffHello' contains an invisible/);
  });

  it('checks task hub names', () => {
    assert.equal(validateHubName('DurableFunctionsHub'), 'DurableFunctionsHub');
    assert.equal(validateHubName('hub_2-b'), 'hub_2-b');
    for (const bad of ['', '1hub', 'a b', "x'y", 'a'.repeat(65)]) assert.throws(() => validateHubName(bad), InvalidArgumentError);
  });
});

describe('runtime status names', () => {
  it('parses names in any case, comma- or space-separated, without duplicates', () => {
    assert.deepEqual(parseRuntimeStatuses(['running', 'COMPLETED,failed', 'Running']), ['Running', 'Completed', 'Failed']);
  });

  it('rejects unknown names, listing the valid ones', () => {
    assert.throws(() => parseRuntimeStatuses(['Runing']), /unknown runtime status 'Runing'; use one of Pending, Running/);
  });
});

describe('dates', () => {
  it('parses ISO 8601 dates, times and offsets; no offset means UTC', () => {
    assert.equal(parseDate('d', '2026-01-31').toISOString(), '2026-01-31T00:00:00.000Z');
    assert.equal(parseDate('d', '2026-01-31T12:30:00').toISOString(), '2026-01-31T12:30:00.000Z');
    assert.equal(parseDate('d', '2026-01-31T12:30:00+02:00').toISOString(), '2026-01-31T10:30:00.000Z');
    assert.equal(parseDate('d', '2026-01-31T12:30:00.123Z').toISOString(), '2026-01-31T12:30:00.123Z');
  });

  it('accepts the last day of every month, February 29 in leap years only', () => {
    const lastDays = ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30'];
    lastDays.push('2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31');
    for (const day of lastDays) assert.equal(parseDate('d', day).toISOString(), `${day}T00:00:00.000Z`);
    for (const day of ['2024-02-29', '2000-02-29', '2400-02-29']) assert.equal(parseDate('d', day).toISOString(), `${day}T00:00:00.000Z`);
    assert.equal(parseDate('d', '2026-12-31T23:59:59.999Z').toISOString(), '2026-12-31T23:59:59.999Z');
  });

  it('rejects impossible calendar dates and times that Date would roll over, naming the field', () => {
    const cases: [string, RegExp][] = [
      ['2026-02-30', /'2026-02-30' is not a valid date: February 2026 has 28 days/],
      ['2026-02-29', /February 2026 has 28 days/],
      ['1900-02-29', /February 1900 has 28 days/],
      ['2100-02-29T00:00:00Z', /February 2100 has 28 days/],
      ['2026-04-31', /April 2026 has 30 days/],
      ['2026-11-31T12:00:00+02:00', /November 2026 has 30 days/],
      ['2026-01-00', /January 2026 has 31 days/],
      ['2026-00-10', /the month must be 01 to 12/],
      ['2026-01-01T24:00:00Z', /the hour must be 00 to 23/],
      ['2026-01-01T24:00', /the hour must be 00 to 23/],
      ['2026-01-01T12:60:00Z', /the minute must be 00 to 59/],
      ['2026-01-01T12:00:60Z', /the second must be 00 to 59/],
      ['2026-01-01T12:00:00+24:00', /the offset hour must be 00 to 23/],
      ['2026-01-01T12:00:00-05:60', /the offset minute must be 00 to 59/],
    ];
    for (const [bad, message] of cases) {
      assert.throws(
        () => parseDate('createdTimeFrom', bad),
        (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message),
        bad,
      );
    }
  });

  it('rejects what is not an ISO date', () => {
    for (const bad of ['yesterday', '2026-13-01', '31/01/2026', '2026-01-31T25:00:00Z', '', '1e12']) {
      assert.throws(() => parseDate('createdTimeFrom', bad), InvalidArgumentError, bad);
    }
  });
});
