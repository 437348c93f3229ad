// The Agents Deployment form: stored options in, the API's `deployment` object out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromForm, names, OptionError, toForm } from '../../.test-build/deployment.js';

test('defaults fill options a group has not set', () => {
  const v = toForm({ method: 'manual' });
  assert.equal(v.instances_limit, '5');
  assert.equal(v.destroy_after_idle_minutes, '30');
  assert.equal(v.spot, false);
});

test('docker options become typed values; empty ones are left out', () => {
  const v = toForm({ method: 'docker' });
  v.instances_limit = '3';
  v.cpus = '1.5';
  v.env = 'A=1\nB=two=2\n';
  v.network = '';
  const d = fromForm('docker', v);
  assert.equal(d.method, 'docker');
  assert.equal(d.instances_limit, 3);
  assert.equal(d.cpus, 1.5);
  assert.deepEqual(d.env, { A: '1', B: 'two=2' });
  assert.equal('network' in d, false);
  assert.equal('region' in d, false, 'options of other methods are not sent');
});

test('aws options keep the option keys of the API', () => {
  const v = toForm({ method: 'aws_ec2', region: 'eu-west-1', spot: true, disk_size_gb: 20 });
  const d = fromForm('aws_ec2', v);
  assert.equal(d.region, 'eu-west-1');
  assert.equal(d.spot, true);
  assert.equal(d.monitoring, false);
  assert.equal(d.disk_size_gb, 20);
  assert.equal(d.destroy_after_jobs, 1);
});

test('aws network options: security groups are a list, empty ones are left out', () => {
  const v = toForm({ method: 'aws_ec2', security_group_ids: ['sg-1', 'sg-2'], key_name: 'ci' });
  assert.equal(v.security_group_ids, 'sg-1, sg-2');
  assert.equal(v.subnet_id, '');
  v.security_group_ids = 'sg-1,sg-2  sg-3\n';
  v.subnet_id = ' subnet-0abc ';
  v.iam_instance_profile = 'kraken-ci';
  v.key_name = '';
  const d = fromForm('aws_ec2', v);
  assert.deepEqual(d.security_group_ids, ['sg-1', 'sg-2', 'sg-3']);
  assert.equal(d.subnet_id, 'subnet-0abc');
  assert.equal(d.iam_instance_profile, 'kraken-ci');
  assert.equal('key_name' in d, false, 'a cleared option is not sent, so the server drops it');
  assert.equal('subnet_id' in fromForm('docker', v), false, 'not sent for other methods');
});

test('keys this form does not know are kept', () => {
  const d = fromForm('local', toForm({ method: 'local' }), { method: 'local', future_option: 'x' });
  assert.equal(d.future_option, 'x');
});

test('a bad number names its option', () => {
  const v = toForm({ method: 'local' });
  v.min_idle = 'many';
  assert.throws(() => fromForm('local', v), (e) => e instanceof OptionError && e.key === 'min_idle');
});

test('cloud lists are read as strings or objects', () => {
  assert.deepEqual(names(['a', 'b']), ['a', 'b']);
  assert.deepEqual(names({ regions: [{ name: 'eu-west-1' }, { name: 'us-east-1' }] }, 'name'), ['eu-west-1', 'us-east-1']);
  assert.deepEqual(names([{ instance_type: 't3.micro' }], 'name', 'instance_type'), ['t3.micro']);
});
