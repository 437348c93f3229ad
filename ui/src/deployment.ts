// The agents deployment of a group: which options each method has, their defaults, and
// the conversion between the form's text values and the `deployment` object of the API.

import type { Deployment, DeploymentMethod } from './types';

export type OptionType = 'int' | 'number' | 'text' | 'bool' | 'textarea' | 'env' | 'list' | 'region' | 'instance_type';

export interface OptionSpec {
  key: string;
  label: string;
  type: OptionType;
  hint?: string;
  placeholder?: string;
  default?: string | boolean;
}

export interface Section {
  title: string;
  options: OptionSpec[];
}

const instancesLimit: OptionSpec = {
  key: 'instances_limit', label: 'Instances limit', type: 'int', default: '5',
  hint: 'At most this many machines of this group exist at once.',
};
const destroyAfterJobs: OptionSpec = {
  key: 'destroy_after_jobs', label: 'Destroy after N jobs', type: 'int', default: '1',
  hint: 'A machine is destroyed once it has run this many jobs; 0 keeps it.',
};
const destroyAfterIdle: OptionSpec = {
  key: 'destroy_after_idle_minutes', label: 'Destroy after M idle minutes', type: 'int', default: '30',
  hint: 'A machine without a job for this long is destroyed; 0 keeps it.',
};
const minIdle: OptionSpec = {
  key: 'min_idle', label: 'Minimum idle machines', type: 'int', default: '0',
  hint: 'Kept ready for the next jobs, within the instances limit.',
};
const bootTimeout: OptionSpec = {
  key: 'boot_timeout', label: 'Boot timeout (seconds)', type: 'int', default: '300',
  hint: 'A machine whose agent has not checked in by then is counted as failed and destroyed.',
};
const defaultSystem: OptionSpec = {
  key: 'default_system', label: 'Default system', type: 'text', placeholder: 'any',
  hint: 'Used for jobs whose environment asks for system "any".',
};

const destruction: Section = { title: 'Destruction', options: [destroyAfterJobs, destroyAfterIdle] };

export const METHODS: { value: DeploymentMethod; label: string; help: string }[] = [
  { value: 'manual', label: 'Manual', help: 'Agents are installed by hand and join this group; Kraken creates no machines.' },
  { value: 'local', label: 'Local processes', help: 'Kraken starts agents as processes on the server machine when jobs wait.' },
  { value: 'docker', label: 'Docker', help: 'Kraken runs agents in containers of a Docker or Podman engine when jobs wait.' },
  { value: 'aws_ec2', label: 'AWS EC2', help: 'Kraken starts EC2 instances with an agent when jobs wait. Set the AWS keys under Settings → Cloud.' },
];

export const SECTIONS: Record<string, Section[]> = {
  manual: [],
  local: [{ title: 'Capacity', options: [instancesLimit, minIdle, bootTimeout, defaultSystem] }, destruction],
  docker: [
    {
      title: 'Docker',
      options: [
        { key: 'engine', label: 'Engine address', type: 'text', default: 'unix:///var/run/docker.sock',
          hint: 'The Docker Engine API: a unix socket or tcp://host:port.' },
        { key: 'image', label: 'Default image', type: 'text', placeholder: 'debian:12',
          hint: 'For jobs whose system is "any".' },
        { key: 'network', label: 'Network', type: 'text', placeholder: 'bridge' },
        { key: 'env', label: 'Extra environment variables', type: 'env', placeholder: 'NAME=value',
          hint: 'One NAME=value a line, set in each container.' },
        { key: 'cpus', label: 'CPU limit', type: 'number', placeholder: 'no limit', hint: 'CPUs per container, e.g. 1.5.' },
        { key: 'memory_mb', label: 'Memory limit (MiB)', type: 'int', placeholder: 'no limit' },
      ],
    },
    { title: 'Capacity', options: [instancesLimit, minIdle, bootTimeout, defaultSystem] },
    destruction,
  ],
  aws_ec2: [
    {
      title: 'AWS EC2',
      options: [
        { key: 'region', label: 'Region', type: 'region' },
        { key: 'instance_type', label: 'Instance type', type: 'instance_type' },
        instancesLimit,
        { key: 'default_ami', label: 'Default AMI', type: 'text', placeholder: 'ami-…',
          hint: 'The image of instances for jobs whose system is "any".' },
        { key: 'spot', label: 'Spot instance', type: 'bool', default: false },
        { key: 'monitoring', label: 'Detailed monitoring (CloudWatch)', type: 'bool', default: false },
        { key: 'cpu_credits_unlimited', label: 'Unlimited CPU credits (T2/T3 types)', type: 'bool', default: false },
        { key: 'disk_size_gb', label: 'Disk size (GiB)', type: 'int', placeholder: 'AMI default',
          hint: '0 or empty keeps the AMI\u2019s size.' },
        { key: 'init_script', label: 'Init script', type: 'textarea',
          hint: 'Shell commands each instance runs at boot, once its agent has started.' },
      ],
    },
    {
      title: 'Network and access',
      options: [
        { key: 'subnet_id', label: 'Subnet', type: 'text', placeholder: 'subnet-… (default VPC)',
          hint: 'Instances start in this subnet; empty uses the default VPC.' },
        { key: 'security_group_ids', label: 'Security groups', type: 'list', placeholder: 'sg-…, sg-…',
          hint: 'Security group ids, separated by commas or spaces; empty uses the default group.' },
        { key: 'key_name', label: 'Key pair name', type: 'text', placeholder: 'none',
          hint: 'The EC2 key pair allowed to log in over SSH.' },
        { key: 'iam_instance_profile', label: 'IAM instance profile', type: 'text', placeholder: 'none',
          hint: 'The name of an instance profile whose role the jobs may use.' },
      ],
    },
    { title: 'Capacity', options: [minIdle, bootTimeout, defaultSystem] },
    destruction,
  ],
};

export const ALL_KEYS = new Set(Object.values(SECTIONS).flatMap((s) => s.flatMap((x) => x.options.map((o) => o.key))));

export type FormValues = Record<string, string | boolean>;

// The form's values for a stored deployment: stored values, else defaults.
export function toForm(d: Deployment | undefined): FormValues {
  const v: FormValues = {};
  for (const sections of Object.values(SECTIONS))
    for (const s of sections)
      for (const o of s.options) {
        const stored = d?.[o.key];
        if (o.type === 'bool') v[o.key] = stored === undefined ? Boolean(o.default) : Boolean(stored);
        else if (o.type === 'list' && Array.isArray(stored)) v[o.key] = stored.map(String).join(', ');
        else if (o.type === 'env' && stored && typeof stored === 'object')
          v[o.key] = Object.entries(stored as Record<string, unknown>).map(([k, x]) => `${k}=${x}`).join('\n');
        else v[o.key] = stored === undefined || stored === null ? String(o.default ?? '') : String(stored);
      }
  return v;
}

export class OptionError extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
  }
}

// The `deployment` object to save. Options of other methods are left out; keys this form
// does not know are kept as they were.
export function fromForm(method: DeploymentMethod, v: FormValues, original?: Deployment): Deployment {
  const out: Deployment = { method };
  for (const [k, x] of Object.entries(original ?? {})) if (k !== 'method' && !ALL_KEYS.has(k)) out[k] = x;
  for (const s of SECTIONS[method] ?? [])
    for (const o of s.options) {
      const raw = v[o.key];
      if (o.type === 'bool') {
        out[o.key] = Boolean(raw);
        continue;
      }
      const text = String(raw ?? '').trim();
      if (text === '') continue;
      if (o.type === 'int') {
        if (!/^\d+$/.test(text)) throw new OptionError(o.key, 'must be a whole number, 0 or more');
        out[o.key] = Number(text);
      } else if (o.type === 'number') {
        const n = Number(text);
        if (!isFinite(n) || n < 0) throw new OptionError(o.key, 'must be a number, 0 or more');
        out[o.key] = n;
      } else if (o.type === 'list') {
        out[o.key] = text.split(/[\s,]+/).filter(Boolean);
      } else if (o.type === 'env') {
        const env: Record<string, string> = {};
        for (const line of text.split('\n')) {
          const l = line.trim();
          if (!l) continue;
          const eq = l.indexOf('=');
          if (eq <= 0) throw new OptionError(o.key, `"${l}" is not NAME=value`);
          env[l.slice(0, eq).trim()] = l.slice(eq + 1);
        }
        out[o.key] = env;
      } else {
        out[o.key] = o.type === 'textarea' ? String(raw) : text;
      }
    }
  return out;
}

// Region or instance type lists may come as strings or as objects; this takes the names.
export function names(list: unknown, ...keys: string[]): string[] {
  const arr = Array.isArray(list)
    ? list
    : list && typeof list === 'object'
      ? (Object.values(list as Record<string, unknown>).find(Array.isArray) as unknown[] | undefined) ?? []
      : [];
  return arr
    .map((x) => {
      if (typeof x === 'string') return x;
      if (x && typeof x === 'object') for (const k of keys) if (typeof (x as Record<string, unknown>)[k] === 'string') return (x as Record<string, string>)[k];
      return '';
    })
    .filter(Boolean);
}
