/** The dashboard's files over real HTTP: its page at / and /instances/{id}, its assets, without the API key. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, startTestServer, type TestServer } from './http-harness.js';

const KEY = 'dashboard-files-key';

let server: TestServer;
before(async () => {
  server = await startTestServer({ apiKey: KEY });
});
after(async () => {
  await server.close();
});

describe('the dashboard at /', () => {
  test('the page, with a policy that allows only its own scripts and forbids framing, without the key', async () => {
    for (const path of ['/', '/instances/abc', '/instances/parent%3A0?taskHub=Other']) {
      const answer = await server.request('GET', path);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers['content-type'] ?? '', /^text\/html/);
      assert.match(answer.text, /<div id="app"><\/div>/);
      assert.match(String(answer.headers['content-security-policy']), /script-src 'self'.*frame-ancestors 'none'/);
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      assert.equal(answer.headers['cache-control'], 'no-cache');
    }
  });

  test('its assets, cached for good (their names carry a hash); nothing outside them', async () => {
    const page = await server.request('GET', '/');
    const scripts = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(scripts.some((path) => path.endsWith('.js')) && scripts.some((path) => path.endsWith('.css')), page.text);
    for (const path of scripts) {
      const asset = await server.request('GET', path);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers['cache-control'] ?? '', /max-age=31536000, immutable/);
    }
    for (const path of ['/assets/nope.js', '/assets/../index.html', '/assets/%2e%2e/%2e%2e/package.json', '/package.json']) {
      const answer = await server.request('GET', path);
      // 401 for paths that are not the dashboard's: they are not exempt from the key.
      assert.ok([401, 403, 404].includes(answer.status), `${path}: ${answer.status}`);
      assert.doesNotMatch(answer.text, /"name": "taskhub"/);
    }
  });

  test('the API still requires the key', async () => {
    assert.equal((await server.request('GET', `${BASE}/instances`)).status, 401);
    assert.equal((await server.request('GET', `${BASE}/counts`, { headers: { 'x-functions-key': KEY } })).status, 200);
    assert.equal((await server.request('GET', '/instances')).status, 401, 'a path that is not the page is not exempt');
  });
});
