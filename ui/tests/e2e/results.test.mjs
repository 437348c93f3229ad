// The test-result pages against a real server and agent: the run's Results tab with its
// filters, a test case page with its history and comments, and the flow comparison.
// Needs KRAKEN_BIN and a built UI; skipped without KRAKEN_BIN.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBrowser, signedInPage } from '../support/browser.mjs';
import { screenshot } from '../support/screenshots.mjs';
import { skipReason, startAgent, startServer } from '../support/server.mjs';

const RND_STAGE = {
  parent: 'root',
  triggers: { parent: true },
  jobs: [{ name: 'rnd', steps: [{ tool: 'rndtest', count: 60 }], environments: [{ system: 'any', agents_group: 'all', config: 'default' }] }],
};

async function processedFlow(api, branchId) {
  const flow = await api('POST', `/branches/${branchId}/flows`, { kind: 'ci' });
  for (let i = 0; i < 300; i++) {
    const f = await api('GET', `/flows/${flow.id}`);
    if (f.state === 'completed' && f.runs.every((r) => r.state === 'processed')) return f;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`flow ${flow.id} was not processed in time`);
}

describe('test results UI', { skip: skipReason }, () => {
  let server;
  let browser;
  let agent;
  let flows;

  before(async () => {
    server = await startServer();
    browser = await openBrowser();
    agent = await startAgent(server, { name: 'results-agent' });
    const project = await server.api('POST', '/projects', { name: 'results' });
    const branch = await server.api('POST', `/projects/${project.id}/branches`, { name: 'main' });
    await server.api('POST', `/branches/${branch.id}/stages`, { name: 'rnd', schema_code: JSON.stringify(RND_STAGE), schema_format: 'json' });
    flows = [await processedFlow(server.api, branch.id), await processedFlow(server.api, branch.id)];
  });
  after(async () => {
    await agent?.stop();
    await browser?.close();
    await server?.stop();
  });

  test('the Results tab filters and links to a test case page with its history', async () => {
    const run = flows[1].runs[0];
    const page = await signedInPage(browser, server.url, `/runs/${run.id}?tab=results`);
    await page.locator('table.results tbody tr').first().waitFor();
    assert.equal(await page.locator('table.results tbody tr').count(), 50, 'one page of 50 of 60');
    await screenshot(page, 'test-results');
    await page.getByLabel('Status').selectOption('disabled');
    await page.waitForFunction(() => document.querySelectorAll('table.results tbody tr').length === 3);
    await page.locator('table.results tbody th a').first().click();
    await page.waitForURL(/\/results\/\d+/);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    assert.equal(await page.locator('svg.chart rect').count(), 2, 'one bar per flow');
    await page.getByLabel('Comment', { exact: true }).fill('disabled on purpose');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('disabled on purpose').waitFor();
    await page.context().close();
  });

  test('the comparison lists the tests whose status changed', async () => {
    const page = await signedInPage(browser, server.url, `/flows/${flows[0].id}/compare?with=${flows[1].id}`);
    await page.getByText(/tests unchanged/).waitFor();
    const cmp = await server.api('GET', `/flows/${flows[0].id}/compare?with=${flows[1].id}`);
    const changed = Object.values(cmp.groups).reduce((n, g) => n + g.length, 0);
    assert.equal(await page.locator('table.results tbody tr').count(), changed);
    await page.context().close();
  });
});
