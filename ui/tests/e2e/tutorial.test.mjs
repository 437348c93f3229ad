// The tutorial "Autoscaling CI with Kraken CI", through the web UI only: a real Kraken
// server and a real `kraken ec2-emulator` whose instances boot their user data (download the
// agent from the server, register, run the job). Every step a user takes is a click or a
// keystroke in Chromium; the emulator's admin API is read only to check what EC2 was asked.
// Needs KRAKEN_BIN and a built UI; skipped without KRAKEN_BIN.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBrowser, signedInPage } from '../support/browser.mjs';
import { EMU_ACCESS_KEY, EMU_SECRET, startEmulator } from '../support/ec2emu.mjs';
import { screenshot } from '../support/screenshots.mjs';
import { skipReason, startServer } from '../support/server.mjs';

const AMI = 'ami-0123456789abcdef0';
const INIT_MARK = 'kraken-tutorial-init-script-ran';

// The tutorial's stage: one job `hello` on an instance of group aws-t2-micro.
const STAGE = {
  parent: 'root',
  triggers: { parent: true },
  jobs: [
    {
      name: 'hello',
      timeout: 500,
      steps: [{ tool: 'shell', cmd: "echo 'hello world'" }],
      environments: [{ system: AMI, agents_group: 'aws-t2-micro', config: 'default' }],
    },
  ],
};

describe('the autoscaling tutorial through the UI', { skip: skipReason }, () => {
  let emulator;
  let server;
  let browser;

  before(async () => {
    emulator = await startEmulator();
    server = await startServer();
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop(); // before the emulator: no more EC2 calls while it halts instances
    await emulator?.stop();
  });

  test('keys, Test Access, group aws-t2-micro, a stage, Run Flow: hello world on an instance that is then terminated', async () => {
    const page = await signedInPage(browser, server.url);

    // Settings → Cloud: a wrong secret names EC2's error; the right one works.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Access key', { exact: true }).fill(EMU_ACCESS_KEY);
    await page.getByLabel('Secret access key', { exact: true }).fill('not-the-secret');
    await page.getByLabel('EC2 endpoint (optional)', { exact: true }).fill(emulator.url);
    await page.getByLabel('Default region (optional)', { exact: true }).fill('us-east-1');
    await page.getByRole('button', { name: 'Test Access' }).click();
    await page.getByText(/Access failed: AuthFailure/).waitFor();
    await page.getByLabel('Secret access key', { exact: true }).fill(EMU_SECRET);
    await page.getByRole('button', { name: 'Test Access' }).click();
    await page.getByText(/Access works: AWS accepted the keys/).waitFor();
    assert.equal(await page.getByLabel('Secret access key', { exact: true }).inputValue(), '', 'the secret is not shown back');
    assert.match(await page.getByLabel('Secret access key', { exact: true }).getAttribute('placeholder'), /set/);
    await page.reload();
    assert.equal(await page.getByLabel('EC2 endpoint (optional)', { exact: true }).inputValue(), emulator.url);
    assert.equal(await page.getByLabel('Secret access key', { exact: true }).inputValue(), '');
    assert.ok(!(await page.content()).includes(EMU_SECRET), 'the secret never reaches the page');
    await screenshot(page, 'settings-cloud');

    // Agents → Groups → Add New Group aws-t2-micro, deployed on AWS EC2 as in the tutorial.
    await page.locator('summary', { hasText: 'Agents' }).click();
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('button', { name: 'Add New Group' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('aws-t2-micro');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'Group aws-t2-micro' }).waitFor();
    await page.getByLabel('Method', { exact: true }).selectOption('aws_ec2');
    // The region and instance-type lists come from EC2 (here the emulator) through the server.
    await page.locator('select#dep-region option[value="us-east-1"]').waitFor({ state: 'attached' });
    await page.getByLabel('Region', { exact: true }).selectOption('us-east-1');
    await page.locator('select#dep-instance_type option[value="t2.micro"]').waitFor({ state: 'attached' });
    await page.getByLabel('Instance type', { exact: true }).selectOption('t2.micro');
    await page.getByLabel('Instances limit', { exact: true }).fill('2');
    await page.getByLabel('Default AMI', { exact: true }).fill(AMI);
    await page.getByLabel('Spot instance', { exact: true }).check();
    await page.getByLabel('Detailed monitoring (CloudWatch)', { exact: true }).check();
    await page.getByLabel('Unlimited CPU credits (T2/T3 types)', { exact: true }).check();
    await page.getByLabel('Disk size (GiB)', { exact: true }).fill('8');
    await page.getByLabel('Init script', { exact: true }).fill(`echo ${INIT_MARK}`);
    await page.getByLabel('Subnet', { exact: true }).fill('subnet-0a1b2c3d');
    await page.getByLabel('Security groups', { exact: true }).fill('sg-0a1b2c3d, sg-4e5f6a7b');
    await page.getByLabel('Key pair name', { exact: true }).fill('ci-admin');
    await page.getByLabel('IAM instance profile', { exact: true }).fill('kraken-ci-agent');
    await page.getByLabel('Destroy after N jobs', { exact: true }).fill('1');
    await page.getByLabel('Destroy after M idle minutes', { exact: true }).fill('10');
    // A malformed subnet is refused by the server and shown at its field.
    await page.getByLabel('Subnet', { exact: true }).fill('net-1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.field.has-error', { has: page.locator('#dep-subnet_id') }).getByText(/subnet/).waitFor();
    await page.getByLabel('Subnet', { exact: true }).fill('subnet-0a1b2c3d');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    // A second tab stays on the group: its Machines table must follow the machine live.
    const groupTab = await page.context().newPage();
    await groupTab.goto(page.url());
    await groupTab.getByText(/No machines/).waitFor();

    // Projects → New Project → New Branch → New Stage with the tutorial's job.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('button', { name: 'New Project' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('tutorial');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const card = page.locator('section.project', { has: page.getByRole('heading', { name: 'tutorial' }) });
    await card.getByRole('button', { name: 'New Branch' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('main');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'New Stage' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('tutorial');
    await page.getByRole('dialog').getByLabel('Schema', { exact: true }).fill(JSON.stringify(STAGE, null, 2));
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: /^tutorial/ }).waitFor();

    // Branch Results (CI) → Run Flow → the run → job hello and its log.
    await page.getByRole('link', { name: 'CI', exact: true }).click();
    await page.getByText('No CI flows yet').waitFor();
    await page.getByRole('button', { name: 'Run Flow' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run Flow' }).click();
    await page.locator('li.flow-row a.runbox').first().click();
    await page.waitForURL(/\/runs\/\d+/);
    const jobRow = page.locator('table.jobs tbody tr', { has: page.getByRole('button', { name: 'hello', exact: true }) });
    await jobRow.getByText('aws-t2-micro').waitFor();
    await page.getByRole('button', { name: 'hello', exact: true }).click();
    // Queued until an instance boots and its agent registers; the page follows it live.
    await jobRow.getByText('ok', { exact: true }).waitFor({ timeout: 90000 });
    await page.waitForFunction(() => document.querySelector('.log pre')?.textContent?.includes('hello world'), null, {
      timeout: 10000,
    });
    assert.equal(await jobRow.locator('td').nth(2).textContent(), AMI, 'the system is the AMI');
    await screenshot(page, 'run-job-log');

    // The flow page with its stage run.
    await page.getByRole('link', { name: /^Flow / }).click();
    await page.waitForURL(/\/flows\/\d+$/);
    await page.locator('.node-state').first().waitFor();
    await page.getByRole('link', { name: /CI$/ }).first().click();
    await page.locator('li.flow-row').first().waitFor();
    await screenshot(page, 'branch-results');

    // The group's machine, seen by the tab that was never reloaded: created for the job,
    // destroyed after its one job.
    const machine = groupTab.locator('section[aria-labelledby="group-machines"] tbody tr');
    await machine.getByText('terminated', { exact: true }).waitFor({ timeout: 30000 });
    assert.equal(await machine.count(), 1);
    const instanceId = (await machine.locator('td.mono').textContent()).trim();
    assert.match(instanceId, /^i-[0-9a-f]+$/);
    await groupTab.waitForTimeout(500); // the top bar's count of discovered agents is recounted
    assert.equal(await groupTab.locator('.topbar .count').count(), 0, 'the retired agent does not wait for authorization');
    await screenshot(groupTab, 'group-aws-ec2', { fullPage: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    await page.locator('section.project .flowstatus', { hasText: 'CI 1' }).waitFor();
    await screenshot(page, 'projects');

    // What EC2 was asked for, and that the instance really ran the init script and is gone.
    const instances = await emulator.admin('GET', '/_emulator/instances');
    assert.equal(instances.length, 1, JSON.stringify(instances));
    const [i] = instances;
    assert.equal(i.instance_id, instanceId);
    assert.equal(i.image_id, AMI);
    assert.equal(i.instance_type, 't2.micro');
    assert.equal(i.launch.spot, true);
    assert.equal(i.launch.monitoring, true);
    assert.equal(i.launch.cpu_credits, 'unlimited');
    assert.equal(i.launch.block_devices[0].volume_size, 8);
    assert.deepEqual(i.launch.security_group_ids, ['sg-0a1b2c3d', 'sg-4e5f6a7b']);
    assert.equal(i.launch.key_name, 'ci-admin');
    assert.equal(i.launch.iam_instance_profile, 'kraken-ci-agent');
    assert.equal(i.state, 'terminated');
    const console_ = await emulator.admin('GET', `/_emulator/instances/${instanceId}/console`);
    assert.ok(String(console_).includes(INIT_MARK), `the init script did not run:\n${console_}`);
    await page.context().close();
  });
});
