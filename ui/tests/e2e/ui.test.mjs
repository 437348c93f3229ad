// The web UI against a real Kraken server in headless Chromium. Needs KRAKEN_BIN (the
// `kraken` binary) and a built UI (npm run build); skipped without KRAKEN_BIN.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBrowser, signedInPage } from '../support/browser.mjs';
import { screenshot } from '../support/screenshots.mjs';
import { seedProject } from '../support/seed.mjs';
import { skipReason, startAgent, startServer } from '../support/server.mjs';

describe('web UI', { skip: skipReason }, () => {
  let server;
  let browser;
  let seed;

  before(async () => {
    server = await startServer();
    browser = await openBrowser();
    seed = await seedProject(server.api);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the main page shows projects, branches and their last flows', async () => {
    await server.api('POST', `/branches/${seed.branch.id}/flows`, { kind: 'ci' });
    const page = await signedInPage(browser, server.url);
    await page.getByRole('heading', { name: 'demo' }).waitFor();
    await page.getByRole('link', { name: 'main', exact: true }).waitFor();
    await page.locator('.flowstatus', { hasText: 'CI 1' }).waitFor();
    await page.context().close();
  });

  test('Check Schema marks a server error at its line', async () => {
    const page = await signedInPage(browser, server.url, `/branches/${seed.branch.id}`);
    const editor = page.getByLabel('Schema', { exact: true });
    const code = await editor.inputValue();
    await editor.fill(code.replace('"tool": "shell"', '"tool": 5'));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const err = page.locator('.schema-errors li').first();
    await err.waitFor();
    const line = code.split('\n').findIndex((l) => l.includes('"tool": "shell"')) + 1;
    assert.match(await err.textContent(), new RegExp(`Line ${line}\\b`));
    assert.equal(await page.locator('.gutter .err').textContent(), String(line));
    await page.context().close();
  });

  test('Run Flow adds the new flow live, and the run page follows the job log', async () => {
    const agent = await startAgent(server);
    try {
      const page = await signedInPage(browser, server.url, `/branches/${seed.branch.id}/ci`);
      await page.locator('li.flow-row').first().waitFor();
      const before = await page.locator('li.flow-row').count();
      await page.getByRole('button', { name: 'Run Flow' }).click();
      assert.equal(await page.getByLabel('COUNT').inputValue(), '3', 'parameter defaults are filled');
      await page.getByRole('dialog').getByRole('button', { name: 'Run Flow' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('li.flow-row').length > n, before);
      await page.locator('li.flow-row').first().locator('a.runbox').first().click();
      await page.waitForURL(/\/runs\/\d+/);
      await page.getByRole('button', { name: 'hello', exact: true }).click();
      await page.waitForFunction(() => document.querySelector('.log pre')?.textContent?.includes('line 3'), null, {
        timeout: 20000,
      });
      await page.getByText('passed').first().waitFor({ timeout: 20000 });
      // The flow page: build, then its child stage tests, both done.
      await page.getByRole('link', { name: /^Flow / }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('.node-state')].filter((n) => /ok/.test(n.textContent)).length === 2,
        null, { timeout: 20000 });
      await screenshot(page, 'flow');
      await page.context().close();
    } finally {
      await agent.stop();
    }
  });

  test('a flow started elsewhere appears on Branch Results without a reload', async () => {
    const page = await signedInPage(browser, server.url, `/branches/${seed.branch.id}/dev`);
    await page.getByText('No DEV flows yet').waitFor();
    await page.waitForFunction(() => document.querySelector('.live')?.classList.contains('live') &&
      document.querySelector('.live .live-text')?.textContent === 'live');
    await server.api('POST', `/branches/${seed.branch.id}/flows`, { kind: 'dev' });
    await page.locator('li.flow-row').first().waitFor({ timeout: 10000 });
    await page.context().close();
  });

  test('Branch Results renders 100 flows of 5 stages in under 300 ms', async () => {
    const branch = await server.api('POST', `/projects/${seed.project.id}/branches`, { name: 'many' });
    for (let i = 0; i < 5; i++)
      await server.api('POST', `/branches/${branch.id}/stages`, {
        name: `stage-${i}`,
        schema: {
          parent: 'root',
          triggers: { parent: true },
          jobs: [{ name: 'j', steps: [{ tool: 'shell', cmd: 'true' }], environments: [{ system: 'any', agents_group: 'nobody' }] }],
        },
      });
    for (let i = 0; i < 100; i++) await server.api('POST', `/branches/${branch.id}/flows`, { kind: 'ci' });
    const page = await signedInPage(browser, server.url, `/branches/${branch.id}/ci`);
    await page.waitForFunction(() => document.querySelectorAll('li.flow-row').length === 20);
    let best = Infinity;
    for (let attempt = 0; attempt < 3 && best >= 300; attempt++) {
      if (attempt) {
        await page.selectOption('#page-size', '20');
        await page.waitForFunction(() => document.querySelectorAll('li.flow-row').length === 20);
      }
      // From the page-size change to the frame after 100 rows are in the document.
      const ms = await page.evaluate(
        () =>
          new Promise((done) => {
            const t0 = performance.now();
            const mo = new MutationObserver(() => {
              if (document.querySelectorAll('li.flow-row').length !== 100) return;
              mo.disconnect();
              requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
            });
            mo.observe(document.body, { childList: true, subtree: true });
            const select = document.getElementById('page-size');
            select.value = '100';
            select.dispatchEvent(new Event('change', { bubbles: true }));
          }),
      );
      best = Math.min(best, ms);
    }
    assert.equal(await page.locator('a.runbox').count(), 500);
    assert.ok(best < 300, `took ${Math.round(best)} ms`);
    await page.context().close();
  });

  test('a discovered agent shows up live and is authorized from the Discovered page', async () => {
    const page = await signedInPage(browser, server.url, '/agents/discovered');
    await page.getByText('No agents wait for authorization').waitFor();
    const agent = await startAgent(server, { name: 'newcomer', authorized: false });
    try {
      await page.getByRole('button', { name: 'Authorize newcomer' }).click({ timeout: 15000 });
      await page.getByText('No agents wait for authorization').waitFor();
      await page.getByRole('link', { name: 'Agents', exact: true }).first().click();
      await page.getByRole('rowheader', { name: /newcomer/ }).waitFor();
    } finally {
      await agent.stop();
    }
    await page.context().close();
  });

  test('settings the server does not have yet say so', async () => {
    const page = await signedInPage(browser, server.url, '/settings');
    await page.getByRole('heading', { name: 'General' }).waitFor();
    const url = page.getByLabel('Server URL');
    await url.waitFor();
    // Either the server has the settings (the field is editable) or the page says it has not.
    const missing = await page.getByText('This server does not have general settings yet').count();
    assert.ok(missing === 1 || (await url.isEnabled()));
    await page.getByRole('button', { name: 'Test Access' }).waitFor();
    await page.context().close();
  });

  test('Settings → Cloud stores the secrets without ever showing them back', async () => {
    const secret = 'never/shown+secret=1';
    const token = 'never-shown-session-token';
    const page = await signedInPage(browser, server.url, '/settings');
    const field = (label) => page.getByLabel(label, { exact: true });
    await field('Access key').fill('AKIAUITESTSETTINGS01');
    await field('Secret access key').fill(secret);
    await field('Session token (optional)').fill(token);
    await field('EC2 endpoint (optional)').fill('ftp://127.0.0.1:1');
    await field('Default region (optional)').fill('eu-west-1');
    const cloud = page.locator('section', { has: page.getByRole('heading', { name: 'Cloud' }) });
    await cloud.getByRole('button', { name: 'Save' }).click();
    // The server's error is shown at the field it names.
    await page.locator('.field.has-error', { has: page.locator('#aws-endpoint') }).getByText(/http/).waitFor();
    await field('EC2 endpoint (optional)').fill('http://127.0.0.1:8788');
    await cloud.getByRole('button', { name: 'Save' }).click();
    await cloud.getByRole('status').getByText('Saved.').waitFor();
    await page.reload();
    await page.waitForFunction(() => document.getElementById('aws-endpoint')?.value === 'http://127.0.0.1:8788');
    assert.equal(await field('Default region (optional)').inputValue(), 'eu-west-1');
    assert.equal(await field('Secret access key').inputValue(), '');
    assert.equal(await field('Session token (optional)').inputValue(), '');
    assert.match(await field('Secret access key').getAttribute('placeholder'), /set/);
    assert.match(await field('Session token (optional)').getAttribute('placeholder'), /set/);
    const html = await page.content();
    assert.ok(!html.includes(secret) && !html.includes(token), 'a secret reached the page');
    // The session token can be removed; the secret stays.
    await field('Remove the stored session token').check();
    await cloud.getByRole('button', { name: 'Save' }).click();
    await cloud.getByRole('status').getByText('Saved.').waitFor();
    const stored = await server.api('GET', '/settings/cloud/aws');
    assert.equal(stored.session_token_set, false);
    assert.equal(stored.secret_set, true);
    assert.equal(stored.endpoint, 'http://127.0.0.1:8788');
    await page.context().close();
  });

  test('every page loads under the server\'s Content-Security-Policy without a violation', async () => {
    const flow = await server.api('POST', `/branches/${seed.branch.id}/flows`, { kind: 'ci' });
    const page = await signedInPage(browser, server.url);
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const paths = ['/', `/branches/${seed.branch.id}`, `/branches/${seed.branch.id}/ci`, `/flows/${flow.id}`,
      '/agents', '/agents/discovered', '/agents/groups', '/settings', '/login'];
    for (const path of paths) {
      const response = await page.goto(path);
      assert.match(response.headers()['content-security-policy'], /frame-ancestors 'none'/, path);
      assert.equal(response.headers()['x-content-type-options'], 'nosniff', path);
      await page.locator('main, form').first().waitFor();
      await page.waitForTimeout(200);  // violations are reported asynchronously
      assert.deepEqual(await page.evaluate(() => window.cspViolations), [], path);
    }
    await page.context().close();
  });

  test('pages fit a phone screen', async () => {
    const page = await signedInPage(browser, server.url, '/', { width: 390, height: 844 });
    for (const path of ['/', `/branches/${seed.branch.id}`, `/branches/${seed.branch.id}/ci`, '/agents', '/settings']) {
      await page.goto(path);
      await page.locator('main h1').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path} is ${overflow}px wider than the screen`);
    }
    await page.context().close();
  });
});
