/**
 * A list page of large inputs is bounded by bytes as well as by count. Twelve instances
 * with inputs of about 1 MB: `top=12&showInput=true` answers the first eight (8 MiB of payload at most) and
 * a continuation token, and the token's page the other four; without inputs all twelve fit one page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PAGE_PAYLOAD_BYTES } from '../../src/backend/page-budget.js';
import { BASE, startTestServer, type TestServer } from './http-harness.js';

const COUNT = 12;
const NOTE_BYTES = 1_000_000;

let server: TestServer;
before(async () => {
  server = await startTestServer();
  for (let i = 0; i < COUNT; i++) {
    await server.client.startNew('Approval', { instanceId: `large-${String(i).padStart(2, '0')}`, input: { timeoutSeconds: 3600, note: 'x'.repeat(NOTE_BYTES) } });
  }
});
after(async () => {
  await server.close();
});

const CONTINUATION = 'x-ms-continuation-token';

describe('a list page of large inputs', () => {
  test('stops at the byte bound and carries on with the continuation token', async () => {
    const ids: string[] = [];
    const pageLengths: number[] = [];
    let token: string | undefined;
    do {
      const answer = await server.request('GET', `${BASE}/instances?top=${COUNT}&showInput=true&instanceIdPrefix=large-`, {
        headers: token === undefined ? {} : { [CONTINUATION]: token },
      });
      assert.equal(answer.status, 200);
      const page = answer.body as { instanceId: string; input: { note: string } }[];
      assert.ok(Buffer.byteLength(answer.text) < MAX_PAGE_PAYLOAD_BYTES + 64 * 1024, `a page of ${answer.text.length} characters`);
      for (const entry of page) assert.equal(entry.input.note.length, NOTE_BYTES);
      ids.push(...page.map((entry) => entry.instanceId));
      pageLengths.push(page.length);
      token = answer.headers[CONTINUATION] as string | undefined;
    } while (token !== undefined);
    assert.deepEqual(pageLengths, [8, 4]);
    assert.deepEqual(ids, Array.from({ length: COUNT }, (_, i) => `large-${String(i).padStart(2, '0')}`));
  });

  test('holds every instance on one page when the inputs are left out', async () => {
    const answer = await server.request('GET', `${BASE}/instances?top=${COUNT}&showInput=false&instanceIdPrefix=large-`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, COUNT);
    assert.equal(answer.headers[CONTINUATION], undefined);
  });
});
