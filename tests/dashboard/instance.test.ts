/** The instance page in the browser: status fields, JSON panels, history pages, the timeline, relations, live updates. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardSuite, eventually, startInstance, untilStatus, waitingApproval } from './browser-harness.js';

const suite = dashboardSuite();

describe('the instance page', () => {
  test('opens from the list and shows every status field and the payloads as JSON, with copy buttons', async () => {
    const id = await startInstance(suite.server, 'E1_HelloSequence', { id: 'page-hello', input: { to: ['Tokyo'], nested: { deep: [1, 2] } } });
    const page = await suite.browser.open(suite.server);
    await page.getByRole('link', { name: id }).click();
    await eventually(async () => assert.equal(new URL(page.url()).pathname, `/instances/${id}`));
    const status = (await suite.server.api('GET', `/instances/${id}`)).body;
    const summary = page.getByRole('region', { name: 'Status', exact: true });
    await summary.waitFor();
    assert.equal(await summary.locator('div', { hasText: 'Orchestrator' }).locator('dd').textContent(), status.name);
    assert.equal(await summary.locator('div', { hasText: 'Runtime status' }).locator('dd').textContent(), status.runtimeStatus);
    assert.equal(await summary.locator('div', { hasText: /^Created/ }).locator('time').getAttribute('datetime'), status.createdTime);
    assert.equal(await summary.locator('div', { hasText: 'Last updated' }).locator('time').getAttribute('datetime'), status.lastUpdatedTime);
    assert.match((await summary.locator('div', { hasText: 'Execution id' }).locator('dd').textContent()) ?? '', /^[0-9a-f]{32}$/);
    assert.equal(await page.locator('.instance-header .badge').textContent(), 'Completed');

    const output = page.getByRole('region', { name: 'Output' });
    assert.deepEqual(await output.locator('.json-string').allTextContents(), status.output.map((text: string) => JSON.stringify(text)));
    await output.getByRole('button', { name: 'Copy output' }).click();
    assert.deepEqual(JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')), status.output);
    const input = page.getByRole('region', { name: 'Input' });
    const nested = input.locator('details', { hasText: 'nested' }).first();
    await nested.locator('summary').first().click();
    assert.equal(await nested.getAttribute('open'), null, 'a JSON object folds');
    await page.close();
  });

  test('pages the raw history in a table, as the API pages it', async () => {
    const id = await startInstance(suite.server, 'FanOutFanIn', { id: 'page-fan', input: 80 });
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    await page.getByRole('tab', { name: /^History/ }).click();
    const table = page.locator('table.history-table');
    await eventually(async () => assert.equal(await table.locator('tbody tr').count(), 100));
    const api = (await suite.server.api('GET', `/instances/${id}/history?fromSequence=100&limit=100`)).body;
    await page.getByRole('button', { name: 'Later ›' }).click();
    await eventually(async () => assert.equal(await table.locator('tbody tr td[data-label="#"]').first().textContent(), '100'));
    assert.deepEqual(await table.locator('tbody td[data-label="Event"] code').allTextContents(), api.events.map((event: { type: string }) => event.type));
    await page.getByRole('button', { name: '‹ Earlier' }).click();
    await eventually(async () => assert.equal(await table.locator('tbody tr td[data-label="#"]').first().textContent(), '0'));
    await page.close();
  });

  test('the history table and the timeline say what each TagsChanged set and removed', async () => {
    const id = await startInstance(suite.server, 'TaggedOrder', { id: 'page-tags', tags: ['tenant:acme'], until: ['Running'] });
    await suite.server.api('POST', `/instances/${id}/raiseEvent/Paid`, { json: { amount: 5 } });
    await untilStatus(suite.server, id, 'Completed');
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    const markers = page.locator('.timeline .marker .visually-hidden');
    await eventually(async () => assert.ok((await markers.allTextContents()).includes('tags set paid=yes · removed stage')));
    assert.ok((await markers.allTextContents()).includes('tags set stage=awaiting-payment'));
    await page.getByRole('tab', { name: /^History/ }).click();
    const rows = page.locator('table.history-table tbody tr.event-TagsChanged td[data-label="Details"]');
    await eventually(async () => assert.deepEqual(await rows.allTextContents(), ['tags: set stage=awaiting-payment', 'tags: set paid=yes · removed stage']));
    const api = (await suite.server.api('GET', `/instances/${id}/history`)).body.events as { type: string; set?: unknown; remove?: unknown }[];
    assert.deepEqual(api.filter((event) => event.type === 'TagsChanged').map(({ set, remove }) => ({ set, remove })), [
      { set: { stage: 'awaiting-payment' }, remove: [] },
      { set: { paid: 'yes' }, remove: ['stage'] },
    ]);
    const started = page.locator('table.history-table tbody tr.event-ExecutionStarted td[data-label="Details"]');
    assert.match((await started.textContent()) ?? '', /tags tenant=acme/);
    await page.close();
  });

  test('draws the timeline with failed attempts, the retry timer and the next attempt', async () => {
    const id = await startInstance(suite.server, 'FlakyWithRetry', { id: 'page-retry' });
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    const rows = page.locator('.timeline .timeline-row');
    await eventually(async () => assert.equal(await rows.count(), 5), 5000);
    const labels = (await page.locator('.timeline [role="rowheader"]').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
    assert.deepEqual(labels, ['events', 'FailsFirstTime activity #0', 'retry FailsFirstTime retry timer #1', 'FailsFirstTime activity #2 · attempt 2']);
    assert.equal(await page.locator('.span.outcome-failed').count(), 1);
    assert.equal(await page.locator('.span.outcome-completed').count(), 1);
    assert.match((await page.locator('.span.outcome-failed').getAttribute('title')) ?? '', /Simulated failure/);
    await page.close();
  });

  test('links a parent to its sub-orchestrations and back', async () => {
    const id = await startInstance(suite.server, 'ParentOfChildren', { id: 'page-parent' });
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    const children = page.getByRole('region', { name: 'Sub-orchestrations' });
    await eventually(async () => assert.deepEqual(await children.getByRole('link').allTextContents(), ['page-parent:0', 'page-parent:1']));
    await children.getByRole('link', { name: 'page-parent:1' }).click();
    await eventually(async () => assert.equal(decodeURIComponent(new URL(page.url()).pathname), '/instances/page-parent:1'));
    assert.equal((await suite.server.api('GET', '/instances/page-parent%3A1')).body.output, 'Hello Seattle!');
    await page.getByRole('region', { name: 'Status', exact: true }).getByRole('link', { name: /page-parent \(ParentOfChildren\)/ }).click();
    await eventually(async () => assert.equal(new URL(page.url()).pathname, `/instances/${id}`));
    await page.close();
  });

  test('shows a failure with its message and stack trace', async () => {
    const id = await startInstance(suite.server, 'AlwaysFails', { id: 'page-fails' });
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    const failure = page.getByRole('region', { name: 'Failure', exact: true });
    const details = (await suite.server.api('GET', `/instances/${id}`)).body.failureDetails;
    await eventually(async () => assert.equal((await failure.locator('.failure-message').textContent())?.trim(), `${details.errorType}: ${details.errorMessage}`));
    assert.match(details.errorMessage, /boom/);
    await failure.getByText('Stack trace').click();
    assert.equal(await failure.locator('pre.stack').textContent(), details.stackTrace);
    await page.close();
  });

  test('updates by itself when the instance moves on, and says when it does not exist', async () => {
    const id = await waitingApproval(suite.server, 'page-live');
    const page = await suite.browser.open(suite.server, `/instances/${id}`);
    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Running'));
    await suite.server.api('POST', `/instances/${id}/raiseEvent/Approval`, { json: 'yes' });
    await untilStatus(suite.server, id, 'Completed');
    await eventually(async () => assert.equal(await page.locator('.instance-header .badge').textContent(), 'Completed'), 5000);
    assert.deepEqual((await suite.server.api('GET', `/instances/${id}`)).body.output, { outcome: 'approved', data: 'yes' });
    await eventually(async () => assert.match((await page.getByRole('region', { name: 'Output' }).textContent()) ?? '', /outcome: "approved"/));

    const missing = await suite.browser.open(suite.server, '/instances/no-such-instance');
    await eventually(async () => assert.match((await missing.getByRole('alert').textContent()) ?? '', /There is no instance 'no-such-instance'/));
    await Promise.all([page.close(), missing.close()]);
  });
});
