/** The API-key flow in the browser: asked once, kept in session storage, sent as a header, never in a URL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardSuite, eventually, listedIds, startInstance, statusOf } from './browser-harness.js';

const KEY = 'e2e-secret-key-1234';

const suite = dashboardSuite({ apiKey: KEY }, async (server) => {
  await startInstance(server, 'HelloWorld', { id: 'keyed-1' });
});

describe('a server with an API key', () => {
  test('the dashboard asks for the key, refuses a wrong one, then works with it sent as x-functions-key only', async () => {
    const requests: { url: string; key: string | undefined }[] = [];
    const page = await suite.browser.context.newPage();
    page.on('request', (request) => requests.push({ url: request.url(), key: request.headers()['x-functions-key'] }));
    await page.goto(suite.server.url);
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /requires an API key/);

    await dialog.getByLabel('API key').fill('wrong-key');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await eventually(async () => assert.match((await dialog.textContent()) ?? '', /refused that key/));

    await dialog.getByLabel('API key').fill(KEY);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await eventually(async () => assert.deepEqual(await listedIds(page), ['keyed-1']));
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('taskhub.apiKey')"), KEY);
    await eventually(async () => assert.match((await page.getByRole('button', { name: /^Live/ }).textContent()) ?? '', /live$/), 5000);

    // A change from the page passes the key too (and the server's cross-site checks).
    await page.getByLabel('Select keyed-1').check();
    await page.getByRole('region', { name: 'Selected instances' }).getByRole('button', { name: 'Purge…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Purge 1' }).click();
    await eventually(async () => assert.equal(await statusOf(suite.server, 'keyed-1'), 'missing'));

    const apiRequests = requests.filter((request) => new URL(request.url).pathname.startsWith('/runtime/'));
    assert.ok(apiRequests.length > 3);
    for (const request of requests) {
      assert.doesNotMatch(request.url, new RegExp(`${KEY}|wrong-key|[?&]code=`), `no key in ${request.url}`);
    }
    const afterKey = apiRequests.filter((request) => request.key === KEY);
    assert.ok(afterKey.length > 0 && afterKey.every((request) => request.key === KEY));

    await page.reload();
    await eventually(async () => assert.equal(await page.getByText('No instance', { exact: false }).count() + (await listedIds(page)).length > 0, true));
    assert.equal(await page.getByRole('dialog', { name: 'API key' }).count(), 0, 'not asked again in the same tab');
    await page.close();
  });
});
