/**
 * Takes the screenshots in docs/dashboard.md with the end-to-end tests' browser and server: a fresh store
 * with the demo app's instances, at 1280 px (light and dark) and on a 390 px phone.
 * Run: npm run build && node dist/scripts/dashboard-screenshots.js
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { eventually, launchBrowser, startDashboardServer, startInstance, waitingApproval, type DashboardServer } from '../tests/dashboard/browser-harness.js';

const OUT = fileURLToPath(new URL('../../docs/dashboard/', import.meta.url));

async function seed(server: DashboardServer): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const city of ['Tokyo', 'Seattle', 'London', 'Lisbon']) await startInstance(server, 'HelloWorld', { input: city });
  ids.sequence = await startInstance(server, 'E1_HelloSequence', { id: 'order-1042' });
  ids.fanOut = await startInstance(server, 'FanOutFanIn', { id: 'fan-out-7', input: 12 });
  ids.parent = await startInstance(server, 'ParentOfChildren', { id: 'trip-planner' });
  ids.retry = await startInstance(server, 'FlakyWithRetry', { id: 'payment-retry-3' });
  ids.failed = await startInstance(server, 'AlwaysFails', { id: 'invoice-9' });
  ids.waiting = await waitingApproval(server, 'approval-17');
  const suspended = await waitingApproval(server, 'approval-18');
  await server.api('POST', `/instances/${suspended}/suspend?reason=waiting%20for%20finance`);
  const terminated = await waitingApproval(server, 'approval-19');
  await server.api('POST', `/instances/${terminated}/terminate?reason=cancelled%20by%20customer`);
  await startInstance(server, 'Sleep', { input: 1 });
  return ids;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
  console.log(`docs/dashboard/${name}.png`);
}

const server = await startDashboardServer();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  const ids = await seed(server);
  const list = await browser.open(server, '/', { width: 1280, height: 860 });
  await eventually(async () => {
    if ((await list.locator('table.instances tbody tr').count()) < 12) throw new Error('not listed yet');
  });
  await list.getByLabel(`Select ${ids.waiting}`).check();
  await list.getByLabel('Select approval-18').check();
  await shoot(list, 'list');

  await list.getByRole('region', { name: 'Selected instances' }).getByRole('button', { name: 'Resume…' }).click();
  await list.getByRole('dialog').getByRole('button', { name: 'Resume 2' }).click();
  await list.getByRole('dialog').getByText(/done, \d+ refused/).waitFor();
  await list.screenshot({ path: `${OUT}bulk-results.png` });
  console.log('docs/dashboard/bulk-results.png');

  const instance = await browser.open(server, `/instances/${ids.retry}`, { width: 1280, height: 860 });
  await instance.locator('.timeline').waitFor();
  await shoot(instance, 'instance-timeline');
  await instance.getByRole('tab', { name: /^History/ }).click();
  await instance.locator('table.history-table').waitFor();
  await shoot(instance, 'instance-history');

  const failed = await browser.open(server, `/instances/${ids.failed}`, { width: 1280, height: 860 });
  await failed.locator('.failure-message').waitFor();
  await shoot(failed, 'instance-failed');

  const batch = await browser.open(server, '/?status=Running&name=Approval', { width: 1280, height: 860 });
  await batch.getByRole('button', { name: 'Apply to all matching…' }).click();
  const batchDialog = batch.getByRole('dialog', { name: 'Apply to all matching' });
  await batchDialog.getByLabel('Operation').selectOption('raiseEvent');
  await batchDialog.getByLabel('Event name').fill('Approval');
  await batchDialog.getByLabel('Event data (JSON, optional)').fill('{ "by": "ops", "ticket": 4711 }');
  await batchDialog.getByTestId('batch-count').waitFor();
  await batch.screenshot({ path: `${OUT}batch-raise-event.png` });
  console.log('docs/dashboard/batch-raise-event.png');
  // Each open page holds a change stream, and the browser opens only six connections to one server.
  await batch.close();

  const dark = await browser.open(server, '/', { width: 1280, height: 860 });
  await dark.emulateMedia({ colorScheme: 'dark' });
  await dark.locator('table.instances').waitFor();
  await shoot(dark, 'list-dark');

  const phone = await browser.open(server, '/', { width: 390, height: 844 });
  await phone.locator('table.instances').waitFor();
  await phone.screenshot({ path: `${OUT}phone-list.png` });
  console.log('docs/dashboard/phone-list.png');
  const phoneInstance = await browser.open(server, `/instances/${ids.parent}`, { width: 390, height: 844 });
  await phoneInstance.locator('.timeline').waitFor();
  await shoot(phoneInstance, 'phone-instance');
} finally {
  await browser.close();
  await server.close();
}
