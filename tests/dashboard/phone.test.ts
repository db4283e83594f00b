/** A 390 px phone screen: every view fits without sideways scrolling; keyboard use with visible focus. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { dashboardSuite, eventually, listedIds, startInstance } from './browser-harness.js';

const PHONE = { width: 390, height: 844 };

const suite = dashboardSuite({}, async (server) => {
  await startInstance(server, 'FlakyWithRetry', { id: 'phone-with-a-rather-long-instance-id-0123456789abcdef' });
  await startInstance(server, 'ParentOfChildren', { id: 'phone-parent' });
  await startInstance(server, 'AlwaysFails', { id: 'phone-fails' });
});

async function assertNoSidewaysScroll(page: Page, view: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  assert.ok(scrollWidth <= clientWidth, `${view}: the page is ${scrollWidth} px wide on a ${clientWidth} px screen`);
}

describe('on a 390 px phone', () => {
  test('the list, the instance page (timeline and history), and a dialog fit the screen', async () => {
    const page = await suite.browser.open(suite.server, '/', PHONE);
    await eventually(async () => assert.ok((await listedIds(page)).length >= 5));
    await assertNoSidewaysScroll(page, 'the list');
    assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('table.instances tbody tr')).display"), 'block', 'rows are cards');

    await page.getByLabel('Created', { exact: true }).selectOption('custom');
    await assertNoSidewaysScroll(page, 'the list with a custom range');

    for (const id of ['phone-with-a-rather-long-instance-id-0123456789abcdef', 'phone-fails', 'phone-parent']) {
      await page.goto(`${suite.server.url}/instances/${id}`);
      await page.locator('.timeline, .timeline + *').first().waitFor();
      await assertNoSidewaysScroll(page, `the timeline of ${id}`);
      await page.getByRole('tab', { name: /^History/ }).click();
      await page.locator('table.history-table tbody tr').first().waitFor();
      await assertNoSidewaysScroll(page, `the history of ${id}`);
    }
    await page.getByRole('button', { name: 'Start instance' }).click();
    await page.getByRole('dialog').waitFor();
    await assertNoSidewaysScroll(page, 'the start dialog');
    await page.close();
  });

  test('the keyboard reaches the controls, with a visible focus ring, and Escape closes a dialog', async () => {
    const page = await suite.browser.open(suite.server, '/', PHONE);
    await eventually(async () => assert.ok((await listedIds(page)).length >= 5));
    let reached = false;
    for (let press = 0; press < 30 && !reached; press++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>("document.activeElement?.textContent === 'Start instance'");
    }
    assert.ok(reached, 'Tab reaches "Start instance"');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    assert.equal(outline, 'solid', 'the focused control is outlined');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Start an instance' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await eventually(async () => assert.equal(await dialog.count(), 0));
    await page.close();
  });
});
