/** The instance list in the browser: columns, counts, filters in the URL, paging, the chart, live updates. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardSuite, eventually, listedIds, startInstance, waitingApproval } from './browser-harness.js';

const suite = dashboardSuite({}, async (server) => {
  for (const id of ['list-a-1', 'list-a-2', 'list-a-3']) await startInstance(server, 'HelloWorld', { id, input: id, tags: id === 'list-a-3' ? [] : ['tenant:acme', `n:${id}`] });
  await startInstance(server, 'AlwaysFails', { id: 'list-f-1' });
  await waitingApproval(server, 'list-w-1');
});

describe('the instance list', () => {
  test('shows every instance with its columns, and per-status counts that match the API', async () => {
    const page = await suite.browser.open(suite.server);
    await eventually(async () => assert.equal((await listedIds(page)).length, 5));
    const listed = (await suite.server.api('GET', '/instances?orderBy=newest')).body.map((instance: { instanceId: string }) => instance.instanceId);
    assert.deepEqual(await listedIds(page), listed);
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'list-w-1' }) });
    assert.equal(await row.locator('td[data-label="Orchestrator"]').textContent(), 'Approval');
    assert.equal(await row.locator('td[data-label="Status"]').textContent(), 'Running');
    assert.equal(await row.locator('td[data-label="Custom status"]').textContent(), 'waiting-for-approval');
    assert.match((await row.locator('td[data-label="Created"] time').getAttribute('title')) ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);
    const counts = (await suite.server.api('GET', '/counts')).body;
    for (const status of ['Completed', 'Failed', 'Running', 'Pending']) {
      const chip = page.getByRole('button', { name: new RegExp(`^${status}`) });
      await eventually(async () => assert.equal(await chip.locator('.chip-count').textContent(), String(counts[status])));
    }
    assert.match((await page.locator('.match-count').textContent()) ?? '', /^5 instances/);
    await page.close();
  });

  test('shows the tags in a column, and filters by tags (all must match) kept in the URL', async () => {
    const page = await suite.browser.open(suite.server);
    await eventually(async () => assert.equal((await listedIds(page)).length, 5));
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'list-a-1' }) });
    assert.deepEqual(await row.locator('td[data-label="Tags"] .tag').allTextContents(), ['n:list-a-1', 'tenant:acme']);
    await page.getByLabel('Tags').fill('tenant:acme');
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['list-a-1', 'list-a-2']));
    assert.equal(new URL(page.url()).searchParams.get('tags'), 'tenant:acme');
    await page.getByLabel('Tags').fill('tenant:acme n:list-a-2');
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-a-2']));
    const shared = await suite.browser.open(suite.server, '/?tags=n%3Alist-a-1');
    await eventually(async () => assert.deepEqual(await listedIds(shared), ['list-a-1']));
    await shared.close();
    await page.close();
  });

  test('filters by status, name, id prefix and time, combined, in the URL; a shared URL shows the same view', async () => {
    const page = await suite.browser.open(suite.server);
    await eventually(async () => assert.equal((await listedIds(page)).length, 5));
    await page.getByRole('button', { name: /^Completed/ }).click();
    await page.getByRole('button', { name: /^Failed/ }).click();
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['list-a-1', 'list-a-2', 'list-a-3', 'list-f-1']));
    assert.equal(new URL(page.url()).searchParams.get('status'), 'Completed,Failed');

    await page.getByLabel('Instance id starts with').fill('list-a-');
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-a-3', 'list-a-2', 'list-a-1']));
    assert.equal(new URL(page.url()).searchParams.get('prefix'), 'list-a-');
    assert.match((await page.locator('.match-count').textContent()) ?? '', /^3 instances match the filter/);

    await page.getByLabel('Orchestrator').fill('AlwaysFails');
    await eventually(async () => assert.equal(await page.getByText('No instance matches the filter.').count(), 1));

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Orchestrator').fill('Approval');
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-w-1']));

    await page.getByLabel('Created', { exact: true }).selectOption('1h');
    await eventually(async () => assert.equal(new URL(page.url()).searchParams.get('range'), '1h'));
    // The URL changes before the list is read again: while that read runs the table can be empty.
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-w-1']));

    const shared = await suite.browser.open(suite.server, '/?status=Completed&prefix=list-a-2');
    await eventually(async () => assert.deepEqual(await listedIds(shared), ['list-a-2']));
    assert.equal(await shared.getByRole('button', { name: /^Completed/ }).getAttribute('aria-pressed'), 'true');
    assert.equal(await shared.getByLabel('Instance id starts with').inputValue(), 'list-a-2');

    const past = await suite.browser.open(suite.server, `/?range=custom&from=2001-01-01T00:00:00.000Z&to=2001-01-02T00:00:00.000Z`);
    await eventually(async () => assert.equal(await past.getByText('No instance matches the filter.').count(), 1));
    await Promise.all([page.close(), shared.close(), past.close()]);
  });

  test('pages with continuation tokens, forward and back, without repeating an instance', async () => {
    for (let index = 0; index < 27; index++) await suite.server.api('POST', `/orchestrators/HelloWorld/page-${String(index).padStart(2, '0')}`);
    const page = await suite.browser.open(suite.server, '/?prefix=page-&size=25');
    await eventually(async () => assert.equal((await listedIds(page)).length, 25));
    const first = await listedIds(page);
    await page.getByRole('button', { name: 'Next ›' }).click();
    await eventually(async () => assert.equal((await listedIds(page)).length, 2));
    const second = await listedIds(page);
    assert.equal(await page.getByRole('button', { name: 'Next ›' }).isDisabled(), true);
    const all = (await suite.server.api('GET', '/instances?instanceIdPrefix=page-&top=100&orderBy=newest')).body.map((instance: { instanceId: string }) => instance.instanceId);
    assert.deepEqual([...first, ...second], all);
    await page.getByRole('button', { name: '‹ Previous' }).click();
    await eventually(async () => assert.deepEqual(await listedIds(page), first));
    await page.close();
  });

  test('lists newest first by default; "Oldest first" is kept in the URL and lists in creation order', async () => {
    const page = await suite.browser.open(suite.server, '/?prefix=list-a-');
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-a-3', 'list-a-2', 'list-a-1']));
    assert.equal(await page.getByLabel('Order').inputValue(), 'newest');
    await page.getByLabel('Order').selectOption('oldest');
    await eventually(async () => assert.equal(new URL(page.url()).searchParams.get('order'), 'oldest'));
    await eventually(async () => assert.deepEqual(await listedIds(page), ['list-a-1', 'list-a-2', 'list-a-3']));
    const shared = await suite.browser.open(suite.server, '/?prefix=list-a-&order=oldest');
    await eventually(async () => assert.deepEqual(await listedIds(shared), ['list-a-1', 'list-a-2', 'list-a-3']));
    await Promise.all([page.close(), shared.close()]);
  });

  test('charts the instances created over time, and a bar narrows the filter to its interval', async () => {
    const page = await suite.browser.open(suite.server, '/?prefix=list-');
    const total = (await suite.server.api('GET', '/histogram?instanceIdPrefix=list-&maxIntervals=60')).body.intervals
      .reduce((sum: number, interval: { counts: Record<string, number> }) => sum + Object.values(interval.counts).reduce((a, b) => a + b, 0), 0);
    assert.equal(total, 5);
    await eventually(async () => assert.match((await page.locator('.histogram figcaption').textContent()) ?? '', /^5 created/));
    await page.locator('.histogram .bar').filter({ has: page.locator('rect[class^="fill-"]') }).first().click();
    await eventually(async () => assert.equal(new URL(page.url()).searchParams.get('range'), 'custom'));
    assert.ok(new URL(page.url()).searchParams.get('from'));
    await page.close();
  });

  test('updates by itself while instances change, and not while paused', async () => {
    const page = await suite.browser.open(suite.server, '/?prefix=live-');
    await eventually(async () => assert.match((await page.getByRole('button', { name: /^Live/ }).textContent()) ?? '', /live$/));
    await eventually(async () => assert.equal(await page.getByText('No instance matches the filter.').count(), 1));
    await startInstance(suite.server, 'HelloWorld', { id: 'live-1' });
    await eventually(async () => assert.deepEqual(await listedIds(page), ['live-1']), 5000);
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'live-1' }) });
    await eventually(async () => assert.equal(await row.locator('td[data-label="Status"]').textContent(), 'Completed'), 5000);

    await page.getByRole('button', { name: /^Live/ }).click();
    assert.match((await page.getByRole('button', { name: /^Live/ }).textContent()) ?? '', /paused$/);
    await startInstance(suite.server, 'HelloWorld', { id: 'live-2' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(await listedIds(page), ['live-1'], 'paused: the list stays as it was');
    await page.getByRole('button', { name: /^Live/ }).click();
    await eventually(async () => assert.deepEqual(await listedIds(page), ['live-2', 'live-1']), 5000);
    await page.close();
  });
});
