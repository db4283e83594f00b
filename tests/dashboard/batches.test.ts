/** Batch jobs from the browser: started by the list's filter after a dry-run count, followed on the jobs page. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardSuite, eventually, listedIds, statusOf, waitingApproval } from './browser-harness.js';

const suite = dashboardSuite({}, async (server) => {
  for (const id of ['bt-a-1', 'bt-a-2', 'bt-a-3']) await waitingApproval(server, id);
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
    for (const id of ['bt-a-1', 'bt-a-2', 'bt-a-3']) assert.equal(await statusOf(suite.server, id), 'Terminated');
    assert.equal(await statusOf(suite.server, 'bt-other'), 'Running');
    const job = (await suite.server.api('GET', `/batches/${encodeURIComponent(jobId)}`)).body;
    assert.equal(job.state, 'completed');
    assert.equal(job.done, 3);
    await eventually(async () => assert.deepEqual(await page.locator('table.batches td.batch-id').allTextContents(), [jobId]));
    assert.match((await page.getByTestId('retention-policy').textContent()) ?? '', /No retention policy/);
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
