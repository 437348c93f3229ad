// The EC2 emulator against the official AWS SDK for JavaScript v3 (@aws-sdk/client-ec2,
// pinned in package.json): the SDK's own request building, SigV4 signing and XML parsing
// must all accept the emulator as EC2. Starts `kraken ec2-emulator` on a free port.
// Run by CTest (ec2_sdk) with KRAKEN_BIN set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  EC2Client, RunInstancesCommand, DescribeInstancesCommand, TerminateInstancesCommand,
  DescribeRegionsCommand, DescribeInstanceTypeOfferingsCommand, DescribeImagesCommand,
} from '@aws-sdk/client-ec2';

const ACCESS_KEY = 'AKIASDKTEST000000001';
const SECRET = 'sdk-test-secret-key/with+odd=chars';
let emulator;
let endpoint;

function client(secret = SECRET, region = 'eu-west-1') {
  return new EC2Client({
    region, endpoint, maxAttempts: 1,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret },
  });
}

before(async () => {
  const bin = process.env.KRAKEN_BIN;
  assert.ok(bin, 'KRAKEN_BIN must name the kraken binary');
  emulator = spawn(bin, ['ec2-emulator', '--port', '0', '--access-key', ACCESS_KEY,
                         '--secret-key', SECRET, '--boot-mode', 'process'],
                   { stdio: ['ignore', 'pipe', 'inherit'] });
  endpoint = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('emulator did not start: ' + out)), 10000);
    emulator.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    emulator.on('error', reject);
    emulator.on('exit', (code) => reject(new Error('emulator exited with ' + code + ': ' + out)));
  });
});

after(() => emulator?.kill('SIGTERM'));

test('DescribeRegions, DescribeInstanceTypeOfferings and DescribeImages parse', async () => {
  const ec2 = client();
  const regions = await ec2.send(new DescribeRegionsCommand({}));
  assert.ok(regions.Regions.some((r) => r.RegionName === 'eu-west-1'));
  assert.equal(regions.Regions[0].Endpoint, `ec2.${regions.Regions[0].RegionName}.amazonaws.com`);
  const types = await ec2.send(new DescribeInstanceTypeOfferingsCommand({
    LocationType: 'region', Filters: [{ Name: 'instance-type', Values: ['t2.*'] }],
  }));
  assert.ok(types.InstanceTypeOfferings.length >= 3);
  assert.ok(types.InstanceTypeOfferings.every((o) => o.InstanceType.startsWith('t2.') && o.Location === 'eu-west-1'));
  const images = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] }));
  assert.equal(images.Images[0].RootDeviceName, '/dev/xvda');
  assert.equal(images.Images[0].State, 'available');
});

test('RunInstances, DescribeInstances and TerminateInstances succeed', async () => {
  const ec2 = client();
  const run = await ec2.send(new RunInstancesCommand({
    ImageId: 'ami-0123456789abcdef0', InstanceType: 't2.micro', MinCount: 1, MaxCount: 1,
    UserData: Buffer.from('#!/bin/bash\necho booted from the SDK\n').toString('base64'),
    InstanceMarketOptions: { MarketType: 'spot' },
    Monitoring: { Enabled: true },
    CreditSpecification: { CpuCredits: 'unlimited' },
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }],
    TagSpecifications: [{ ResourceType: 'instance', Tags: [
      { Key: 'kraken-server', Value: 'sdk' }, { Key: 'kraken-group', Value: '1' }, { Key: 'kraken-machine', Value: '9' }] }],
    ClientToken: 'sdk-test-token-1',
  }));
  assert.equal(run.Instances.length, 1);
  const id = run.Instances[0].InstanceId;
  assert.match(id, /^i-[0-9a-f]{17}$/);
  assert.equal(run.Instances[0].State.Name, 'pending');
  assert.equal(run.Instances[0].InstanceLifecycle, 'spot');
  assert.ok(run.Instances[0].LaunchTime instanceof Date);

  const described = await ec2.send(new DescribeInstancesCommand({
    Filters: [{ Name: 'tag:kraken-server', Values: ['sdk'] }, { Name: 'tag:kraken-machine', Values: ['9'] }],
  }));
  const found = described.Reservations.flatMap((r) => r.Instances);
  assert.deepEqual(found.map((i) => i.InstanceId), [id]);
  assert.equal(found[0].Tags.find((t) => t.Key === 'kraken-group').Value, '1');
  assert.equal(found[0].Placement.AvailabilityZone, 'eu-west-1a');

  const none = await ec2.send(new DescribeInstancesCommand({
    Filters: [{ Name: 'tag:kraken-server', Values: ['someone-else'] }],
  }));
  assert.equal(none.Reservations.length, 0);

  const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  assert.equal(term.TerminatingInstances[0].InstanceId, id);
  assert.equal(term.TerminatingInstances[0].CurrentState.Name, 'shutting-down');
  assert.ok(['pending', 'running'].includes(term.TerminatingInstances[0].PreviousState.Name));
});

test('a wrong secret key is rejected with AuthFailure', async () => {
  await assert.rejects(client('not-the-secret').send(new DescribeInstancesCommand({})), (e) => {
    assert.equal(e.name, 'AuthFailure');
    assert.equal(e.$metadata.httpStatusCode, 401);
    assert.match(e.message, /not able to validate the provided access credentials/);
    return true;
  });
});

test('EC2 errors reach the SDK as EC2 errors', async () => {
  await assert.rejects(client().send(new TerminateInstancesCommand({ InstanceIds: ['i-0000000000000000f'] })),
    (e) => e.name === 'InvalidInstanceID.NotFound' && /does not exist/.test(e.message));
  await assert.rejects(client().send(new RunInstancesCommand({ ImageId: 'debian', MinCount: 1, MaxCount: 1 })),
    (e) => e.name === 'InvalidAMIID.Malformed');
  const faults = await fetch(`${endpoint}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ throttle: 1 }) });
  assert.equal(faults.status, 200);
  await assert.rejects(client().send(new DescribeRegionsCommand({})),
    (e) => e.name === 'RequestLimitExceeded' && e.$metadata.httpStatusCode === 503);
});
