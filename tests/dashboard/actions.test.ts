/** Every action from the browser, single and bulk, each result checked through the API. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { dashboardSuite, eventually, listedIds, startInstance, statusOf, untilStatus, waitingApproval } from './browser-harness.js';

const suite = dashboardSuite();

/** Opens the action's dialog from the instance page's toolbar (or its "More" menu) and returns it. */
async function openAction(page: Page, label: string) {
  const toolbar = page.getByRole('toolbar', { name: 'Actions' });
  const button = toolbar.getByRole('button', { name: `${label}…` });
  if (!(await button.isVisible())) await toolbar.locator('summary', { hasText: 'More' }).click();
  await button.click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  return dialog;
}

describe('actions on one instance', () => {
  test('start: JSON input is checked before sending; the new instance opens and runs', async () => {
    const page = await suite.browser.open(suite.server);
    await page.getByRole('button', { name: 'Start instance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start an instance' });
    await dialog.getByLabel('Orchestrator').selectOption('HelloWorld');
    await dialog.getByLabel('Instance id').fill('ui-start-1');
    await dialog.getByLabel('Input').fill('"Lisbon');
    assert.match((await dialog.locator('#start-input-help').textContent()) ?? '', /not valid JSON/);
    assert.equal(await dialog.getByRole('button', { name: 'Start', exact: true }).isDisabled(), true);
    await dialog.getByLabel('Input').fill('"Lisbon"');
    await dialog.getByRole('button', { name: 'Start', exact: true }).click();
    await eventually(async () => assert.equal(new URL(page.url()).pathname, '/instances/ui-start-1'));
    await untilStatus(suite.server, 'ui-start-1', 'Completed');
    assert.equal((await suite.server.api('GET', '/instances/ui-start-1')).body.output, 'Hello Lisbon!');
    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Completed'));

    await waitingApproval(suite.server, 'ui-start-busy');
    await page.getByRole('button', { name: 'Start instance' }).click();
    await dialog.getByLabel('Orchestrator').selectOption('Approval');
    await dialog.getByLabel('Instance id').fill('ui-start-busy');
    await dialog.getByRole('button', { name: 'Start', exact: true }).click();
    await eventually(async () => assert.match((await dialog.getByRole('alert').textContent()) ?? '', /an instance with id 'ui-start-busy' already exists and is Running/));
    await page.close();
  });

  test('raise an event', async () => {
    const id = await waitingApproval(suite.server, 'ui-raise');
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    const dialog = await openAction(page, 'Raise event');
    await dialog.getByLabel('Event name').fill('Approval');
    await dialog.getByLabel('Event data').fill('{"by": "ui"}');
    await dialog.getByRole('button', { name: 'Raise event' }).click();
    await untilStatus(suite.server, id, 'Completed');
    assert.deepEqual((await suite.server.api('GET', `/instances/${id}`)).body.output, { outcome: 'approved', data: { by: 'ui' } });
    await page.close();
  });

  test('suspend, resume and terminate, with their reasons', async () => {
    const id = await waitingApproval(suite.server, 'ui-lifecycle');
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    let dialog = await openAction(page, 'Suspend');
    await dialog.getByLabel('Reason').fill('hold on');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await untilStatus(suite.server, id, 'Suspended');
    assert.equal((await suite.server.api('GET', `/instances/${id}`)).body.output, 'hold on');
    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Suspended'));

    dialog = await openAction(page, 'Resume');
    await dialog.getByRole('button', { name: 'Resume' }).click();
    await untilStatus(suite.server, id, 'Running');

    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Running'));
    dialog = await openAction(page, 'Terminate');
    await dialog.getByLabel('Reason').fill('no longer needed');
    await dialog.getByRole('button', { name: 'Terminate' }).click();
    await untilStatus(suite.server, id, 'Terminated');
    assert.equal((await suite.server.api('GET', `/instances/${id}`)).body.output, 'no longer needed');
    await page.close();
  });

  test("rewind a Failed instance; a refused action shows the server's message", async () => {
    const id = await startInstance(suite.server, 'FlakyOnce', { id: 'ui-rewind' });
    assert.equal(await statusOf(suite.server, id), 'Failed');
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    let dialog = await openAction(page, 'Rewind');
    await dialog.getByRole('button', { name: 'Rewind' }).click();
    await untilStatus(suite.server, id, 'Completed');
    assert.equal((await suite.server.api('GET', `/instances/${id}`)).body.output, 'recovered');

    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Completed'));
    dialog = await openAction(page, 'Suspend');
    assert.match((await dialog.locator('.warning').textContent()) ?? '', /Completed when last read/);
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await eventually(async () => assert.match((await dialog.getByRole('alert').textContent()) ?? '', /cannot suspend instance 'ui-rewind': it has already finished \(Completed\)/));
    assert.equal(await statusOf(suite.server, id), 'Completed');
    await page.close();
  });

  test('restart under a new id opens the new instance; purge deletes and returns to the list', async () => {
    const id = await startInstance(suite.server, 'HelloWorld', { id: 'ui-restart', input: 'Porto' });
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    let dialog = await openAction(page, 'Restart');
    await dialog.getByRole('button', { name: 'Restart' }).click();
    await eventually(async () => assert.notEqual(new URL(page.url()).pathname, `/instances/${id}`));
    const restarted = decodeURIComponent(new URL(page.url()).pathname.replace('/instances/', ''));
    await untilStatus(suite.server, restarted, 'Completed');
    assert.equal((await suite.server.api('GET', `/instances/${restarted}`)).body.input, 'Porto');

    await page.goto(`${suite.server.url}/instances/${id}`);
    dialog = await openAction(page, 'Purge');
    await dialog.getByRole('button', { name: 'Purge' }).click();
    await eventually(async () => assert.equal(new URL(page.url()).pathname, '/'));
    assert.equal(await statusOf(suite.server, id), 'missing');
    await page.close();
  });
});

describe('bulk actions', () => {
  test('suspend, resume, terminate and purge the selected rows, each with its own answer', async () => {
    const running = [await waitingApproval(suite.server, 'bulk-1'), await waitingApproval(suite.server, 'bulk-2')];
    const done = await startInstance(suite.server, 'HelloWorld', { id: 'bulk-3' });
    const page = await suite.browser.open(suite.server, '/?prefix=bulk-');
    await eventually(async () => assert.deepEqual(await listedIds(page), ['bulk-3', 'bulk-2', 'bulk-1']));
    const bulk = async (action: string, ids: string[]) => {
      for (const id of ids) await page.getByLabel(`Select ${id}`).check();
      await page.getByRole('region', { name: 'Selected instances' }).getByRole('button', { name: `${action}…` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: `${action} ${ids.length}` }).click();
      await eventually(async () => assert.match((await dialog.getByRole('status').textContent()) ?? '', /done, \d+ refused/));
      const results = Object.fromEntries(
        await Promise.all((await dialog.getByRole('list', { name: 'Results' }).locator('li').all()).map(async (item) => [await item.locator('code').textContent(), await item.locator('span').textContent()])),
      ) as Record<string, string>;
      await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
      return results;
    };

    const suspended = await bulk('Suspend', [...running, done]);
    assert.match(suspended['bulk-1']!, /✓/);
    assert.match(suspended['bulk-2']!, /✓/);
    assert.match(suspended['bulk-3']!, /✗ cannot suspend instance 'bulk-3': it has already finished \(Completed\)/);
    for (const id of running) await untilStatus(suite.server, id, 'Suspended');
    assert.equal(await statusOf(suite.server, done), 'Completed');

    await bulk('Resume', running);
    for (const id of running) await untilStatus(suite.server, id, 'Running');

    const terminated = await bulk('Terminate', [running[0]!]);
    assert.match(terminated['bulk-1']!, /✓/);
    await untilStatus(suite.server, 'bulk-1', 'Terminated');

    await eventually(async () => assert.equal(await page.locator('tr', { has: page.getByRole('link', { name: 'bulk-1' }) }).locator('td[data-label="Status"]').textContent(), 'Terminated'));
    const purged = await bulk('Purge', ['bulk-1', 'bulk-2', 'bulk-3']);
    assert.match(purged['bulk-1']!, /✓ purged/);
    assert.match(purged['bulk-2']!, /✗ cannot purge instance 'bulk-2'/);
    assert.match(purged['bulk-3']!, /✓ purged/);
    assert.equal(await statusOf(suite.server, 'bulk-1'), 'missing');
    assert.equal(await statusOf(suite.server, 'bulk-3'), 'missing');
    assert.equal(await statusOf(suite.server, 'bulk-2'), 'Running');
    await page.close();
  });

  test('purge by the filter shows how many it will delete first, then deletes exactly those', async () => {
    for (const id of ['pbf-1', 'pbf-2']) await startInstance(suite.server, 'HelloWorld', { id });
    await startInstance(suite.server, 'AlwaysFails', { id: 'pbf-3' });
    await waitingApproval(suite.server, 'pbf-4');
    await startInstance(suite.server, 'HelloWorld', { id: 'other-pbf' });
    const page = await suite.browser.open(suite.server, '/?prefix=pbf-');
    await eventually(async () => assert.equal((await listedIds(page)).length, 4));
    await page.getByRole('button', { name: 'Purge finished…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Purge finished instances' });
    const counts = (await suite.server.api('GET', '/counts?instanceIdPrefix=pbf-&runtimeStatus=Completed,Failed,Terminated')).body;
    const expected = counts.Completed + counts.Failed + counts.Terminated;
    assert.equal(expected, 3);
    await eventually(async () => assert.equal(await dialog.getByTestId('purge-count').textContent(), String(expected)));
    await dialog.getByRole('button', { name: `Delete ${expected} instances` }).click();
    await eventually(async () => assert.match((await dialog.getByRole('status').textContent()) ?? '', /Deleted 3 instances/));
    for (const id of ['pbf-1', 'pbf-2', 'pbf-3']) assert.equal(await statusOf(suite.server, id), 'missing');
    assert.equal(await statusOf(suite.server, 'pbf-4'), 'Running');
    assert.equal(await statusOf(suite.server, 'other-pbf'), 'Completed', 'outside the filter');
    await page.close();
  });
});
