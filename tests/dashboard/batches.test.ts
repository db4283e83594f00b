/** Batch jobs from the browser: started by the list's filter after a dry-run count, followed on the jobs page. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { dashboardSuite, eventually, listedIds, startInstance, statusOf, waitingApproval } from './browser-harness.js';

const suite = dashboardSuite({}, async (server) => {
  for (const id of ['bt-a-1', 'bt-a-2', 'bt-a-3']) await waitingApproval(server, id);
  for (const id of ['bt-ev-1', 'bt-ev-2']) await waitingApproval(server, id);
  // FlakyOnce fails its first run (its activity fails once per instance), so a rewind completes it.
  for (const id of ['bt-rw-1', 'bt-rw-2']) await startInstance(server, 'FlakyOnce', { id, until: ['Failed'] });
  for (const id of ['bt-rs-1', 'bt-rs-2']) await startInstance(server, 'HelloWorld', { id, input: id, tags: ['batch:restart'] });
  // Running too, but outside the filter (its id prefix): the job must leave it alone.
  await waitingApproval(server, 'bt-other');
  for (let index = 1; index <= 6; index += 1) await waitingApproval(server, `bt-slow-${index}`);
});

describe('batch jobs', () => {
  test('apply to all matching: the dry-run count, then a job that terminates exactly those, seen on the jobs page', async () => {
    const page = await suite.browser.open(suite.server, '/?status=Running&prefix=bt-a-');
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['bt-a-1', 'bt-a-2', 'bt-a-3']));
    await page.getByRole('button', { name: 'Apply to all matching…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply to all matching' });
    await dialog.getByLabel('Operation').selectOption('terminate');
    await eventually(async () => assert.equal(await dialog.getByTestId('batch-count').textContent(), '3'));
    await dialog.getByLabel('Reason (optional)').fill('from the dashboard');
    await dialog.getByRole('button', { name: 'Start: terminate 3' }).click();
    await dialog.getByRole('link', { name: 'Follow its progress' }).click();
    await eventually(async () => assert.equal(new URL(page.url()).pathname, '/batches'));
    const jobId = new URL(page.url()).searchParams.get('job');
    assert.ok(jobId);

    // The page polls while the job runs: it shows the end without a reload.
    await eventually(async () => assert.equal(await page.getByTestId('batch-state').textContent(), 'completed'), 30_000);
    assert.equal(await page.getByTestId('batch-matched').textContent(), '3');
    assert.equal(await page.getByTestId('batch-done').textContent(), '3');
    assert.equal(await page.getByTestId('batch-failed').textContent(), '0');
    // A termination is a message: the job completes when it is delivered, the instances' steps may come after.
    for (const id of ['bt-a-1', 'bt-a-2', 'bt-a-3']) await eventually(async () => assert.equal(await statusOf(suite.server, id), 'Terminated'));
    assert.equal(await statusOf(suite.server, 'bt-other'), 'Running');
    const job = (await suite.server.api('GET', `/batches/${encodeURIComponent(jobId)}`)).body;
    assert.equal(job.state, 'completed');
    assert.equal(job.done, 3);
    await eventually(async () => assert.deepEqual(await page.locator('table.batches td.batch-id').allTextContents(), [jobId]));
    assert.match((await page.getByTestId('retention-policy').textContent()) ?? '', /No retention policy/);
    await page.close();
  });

  test('raise event: the event name and JSON data are checked before the dry run, then every matching instance gets the event', async () => {
    const page = await suite.browser.open(suite.server, '/?status=Running&prefix=bt-ev-');
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['bt-ev-1', 'bt-ev-2']));
    const dialog = await openBatchDialog(page, 'raiseEvent');
    const start = dialog.getByRole('button', { name: /^Start:/ });
    assert.equal(await dialog.getByLabel('Reason (optional)').count(), 0, 'raising an event takes no reason');
    await eventually(async () => assert.match((await dialog.textContent()) ?? '', /Name the event/));
    assert.equal(await start.isDisabled(), true);
    await dialog.getByLabel('Event name').fill('Approval');
    await dialog.getByLabel('Event data (JSON, optional)').fill('{"by": ');
    await eventually(async () => assert.match((await dialog.locator('#batch-event-data-help').textContent()) ?? '', /not valid JSON/));
    assert.equal(await start.isDisabled(), true, 'no start with data that is not JSON');
    await dialog.getByLabel('Event data (JSON, optional)').fill('{"by": "batch"}');
    await eventually(async () => assert.equal(await dialog.getByTestId('batch-count').textContent(), '2'));
    assert.equal(await dialog.locator('#batch-event-data-help').textContent(), 'Valid JSON.');
    await dialog.getByRole('button', { name: 'Start: raise event 2' }).click();
    await followJob(page, dialog);
    assert.equal(await page.getByTestId('batch-operation').textContent(), 'raise event');
    for (const id of ['bt-ev-1', 'bt-ev-2']) {
      assert.deepEqual((await suite.server.api('GET', `/instances/${id}`)).body.output, { outcome: 'approved', data: { by: 'batch' } });
    }
    await page.close();
  });

  test("raise event: the server's refusal of the event name shows with the dry run, and nothing starts", async () => {
    const jobsBefore = (await suite.server.api('GET', '/batches')).body.length;
    const page = await suite.browser.open(suite.server, '/?prefix=bt-ev-');
    const dialog = await openBatchDialog(page, 'raiseEvent');
    await dialog.getByLabel('Event name').fill('x'.repeat(300));
    await eventually(async () => assert.match((await dialog.getByRole('alert').textContent()) ?? '', /an event name must be a string of 1 to 256 characters/));
    assert.equal(await dialog.getByRole('button', { name: /^Start:/ }).isDisabled(), true);
    assert.equal((await suite.server.api('GET', '/batches')).body.length, jobsBefore);
    await page.close();
  });

  test('rewind: the failed instances matching run again, with the reason recorded', async () => {
    const page = await suite.browser.open(suite.server, '/?status=Failed&prefix=bt-rw-');
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['bt-rw-1', 'bt-rw-2']));
    const dialog = await openBatchDialog(page, 'rewind');
    await eventually(async () => assert.equal(await dialog.getByTestId('batch-count').textContent(), '2'));
    await dialog.getByLabel('Reason (optional)').fill('after the fix');
    await dialog.getByRole('button', { name: 'Start: rewind 2' }).click();
    await followJob(page, dialog);
    for (const id of ['bt-rw-1', 'bt-rw-2']) {
      await eventually(async () => assert.equal(await statusOf(suite.server, id), 'Completed'));
      const events = (await suite.server.api('GET', `/instances/${id}/history`)).body.events as { type: string; reason?: string }[];
      assert.equal(events.find((event) => event.type === 'ExecutionRewound')?.reason, 'after the fix');
    }
    await page.close();
  });

  test('restart: each matching instance starts again under a new id with its input and tags; the old ones stay', async () => {
    const page = await suite.browser.open(suite.server, '/?prefix=bt-rs-');
    await eventually(async () => assert.deepEqual((await listedIds(page)).sort(), ['bt-rs-1', 'bt-rs-2']));
    const dialog = await openBatchDialog(page, 'restart');
    assert.equal(await dialog.getByLabel('Reason (optional)').count(), 0, 'a restart takes no reason');
    await eventually(async () => assert.equal(await dialog.getByTestId('batch-count').textContent(), '2'));
    await dialog.getByRole('button', { name: 'Start: restart 2' }).click();
    await followJob(page, dialog);
    assert.equal(await page.getByTestId('batch-operation').textContent(), 'restart');
    await eventually(async () => {
      const tagged = (await suite.server.api('GET', '/instances?tag=batch:restart&showInput=true')).body as { instanceId: string; input: unknown }[];
      const restarted = tagged.filter((status) => !status.instanceId.startsWith('bt-rs-'));
      assert.deepEqual(restarted.map((status) => status.input).sort(), ['bt-rs-1', 'bt-rs-2']);
    });
    for (const id of ['bt-rs-1', 'bt-rs-2']) assert.equal(await statusOf(suite.server, id), 'Completed');
    await page.close();
  });

  test('a running job shows its progress as it goes and is cancelled after a confirmation', async () => {
    // One instance a second: the job is still running when the page asks to cancel it.
    const started = await suite.server.api('POST', '/batches', { json: { operation: 'suspend', filter: { instanceIdPrefix: 'bt-slow-' }, chunkSize: 1, ratePerSecond: 1 } });
    assert.equal(started.status, 202, started.text);
    const jobId = started.body.id as string;
    const page = await suite.browser.open(suite.server, `/batches?job=${encodeURIComponent(jobId)}`);
    await eventually(async () => assert.ok(Number(await page.getByTestId('batch-done').textContent()) >= 1));
    assert.equal(await page.getByTestId('batch-state').textContent(), 'running');
    await page.getByRole('button', { name: 'Cancel job…' }).click();
    await page.getByRole('dialog', { name: 'Cancel the batch job' }).getByRole('button', { name: 'Cancel the job' }).click();
    await eventually(async () => assert.equal(await page.getByTestId('batch-state').textContent(), 'cancelled'));
    const job = (await suite.server.api('GET', `/batches/${encodeURIComponent(jobId)}`)).body;
    assert.equal(job.state, 'cancelled');
    assert.ok(job.done < 6, `the job did ${job.done} of 6`);
    assert.equal(await page.getByRole('button', { name: 'Cancel job…' }).count(), 0);
    await page.close();
  });

  test('retention: set from the page (checked through the API), a bad value shows the server\'s message', async () => {
    const page = await suite.browser.open(suite.server, '/batches');
    const panel = page.getByRole('region', { name: 'Retention' });
    await panel.getByLabel('Keep Completed (days)').fill('7');
    await panel.getByRole('button', { name: 'Save retention policy' }).click();
    await eventually(async () => assert.deepEqual((await suite.server.api('GET', '/retention')).body.policy, { completedDays: 7 }));
    await eventually(async () => assert.match((await panel.getByTestId('retention-policy').textContent()) ?? '', /Keep Completed \(days\)7/));
    await panel.getByLabel('Keep Failed (days)').fill('-1');
    await panel.getByRole('button', { name: 'Save retention policy' }).click();
    await eventually(async () => assert.match((await panel.getByRole('alert').textContent()) ?? '', /failedDays/));
    assert.deepEqual((await suite.server.api('GET', '/retention')).body.policy, { completedDays: 7 });
    await suite.server.api('PUT', '/retention', { json: {} });
    await page.close();
  });

  test("the server's refusal is shown in the dialog, and nothing starts", async () => {
    const jobsBefore = (await suite.server.api('GET', '/batches')).body.length;
    // ':x' has an empty key: the server refuses the batch filter with its own message.
    const page = await suite.browser.open(suite.server, '/?tags=%3Ax');
    await page.getByRole('button', { name: 'Apply to all matching…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply to all matching' });
    await eventually(async () => assert.match((await dialog.getByRole('alert').textContent()) ?? '', /tag key must be a non-empty string/));
    assert.equal(await dialog.getByRole('button', { name: /^Start:/ }).isDisabled(), true);
    assert.equal((await suite.server.api('GET', '/batches')).body.length, jobsBefore);
    await page.close();
  });
});

async function openBatchDialog(page: Page, operation: string) {
  await page.getByRole('button', { name: 'Apply to all matching…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply to all matching' });
  await dialog.getByLabel('Operation').selectOption(operation);
  return dialog;
}

/** Follows the dialog's link to the job and waits until the jobs page shows it completed. */
async function followJob(page: Page, dialog: ReturnType<Page['getByRole']>): Promise<void> {
  await dialog.getByRole('link', { name: 'Follow its progress' }).click();
  await eventually(async () => assert.equal(new URL(page.url()).pathname, '/batches'));
  await eventually(async () => assert.equal(await page.getByTestId('batch-state').textContent(), 'completed'), 30_000);
  assert.equal(await page.getByTestId('batch-failed').textContent(), '0');
}
