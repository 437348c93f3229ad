// An agents group: its agents, the Agents Deployment form (manual, local, Docker or AWS
// EC2, each with its options) and a live table of the machines the group's autoscaling made.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, messageOf, put } from '../api';
import { Badge, Check, Empty, ErrorBox, Field, fieldError, formError, PageState } from '../components/ui';
import {
  ALL_KEYS, fromForm, METHODS, names, OptionError, SECTIONS, toForm,
  type FormValues, type OptionSpec,
} from '../deployment';
import { coalesce, useLive } from '../events';
import { ago, dateTime } from '../format';
import { useResource, useTitle } from '../hooks';
import { Link, navigate } from '../router';
import type { AgentsGroup, DeploymentMethod, Machine } from '../types';
import { AgentsTabs, hostSummary } from './agents';

export const METHOD_LABELS: Record<string, string> = Object.fromEntries(METHODS.map((m) => [m.value, m.label]));

type MachinesState = { available: true; items: Machine[] } | { available: false; message: string };

export function GroupPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const group = useResource(() => get<AgentsGroup>(`/groups/${id}`), [id]);
  const machines = useResource<MachinesState>(async () => {
    try {
      const m = await get<Machine[] | { items: Machine[] }>(`/groups/${id}/machines`);
      return { available: true, items: Array.isArray(m) ? m : m?.items ?? [] };
    } catch (e) {
      if (e instanceof ApiError && e.notFound && !e.field)
        return { available: false, message: 'This server does not report machines yet.' };
      throw e;
    }
  }, [id]);
  useTitle(group.data ? `Group ${group.data.name}` : 'Group');

  const reloadGroup = useRef(coalesce(() => void group.reload(), 200)).current;
  const reloadMachines = useRef(coalesce(() => void machines.reload(), 200)).current;
  useLive((e) => {
    if (!e) {
      reloadGroup();
      reloadMachines();
      return;
    }
    if (e.kind === 'group' && e.id === id) {
      reloadGroup();
      reloadMachines();
    } else if (e.kind === 'machine' && (e.group_id === undefined || e.group_id === id)) reloadMachines();
    else if (e.kind === 'agent') reloadGroup();
  });

  if (!group.data) return <div class="page"><PageState error={group.error} loading={group.loading} /></div>;
  const g = group.data;
  const agents = g.agents ?? [];
  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/agents/groups">Groups</Link> / <span>{g.name}</span>
      </nav>
      <div class="page-head">
        <h1>Group {g.name}</h1>
      </div>
      <AgentsTabs current="groups" />
      <section aria-labelledby="group-agents">
        <h2 id="group-agents">Agents</h2>
        {agents.length === 0 ? (
          <Empty>
            {g.deployment?.method && g.deployment.method !== 'manual'
              ? 'No agents in this group right now — machines are created when jobs wait for this group.'
              : 'No agents in this group yet — add agents to it on the Agents page, or set up an Agents Deployment below.'}
          </Empty>
        ) : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">State</th>
                  <th scope="col">Host</th>
                  <th scope="col">Current job</th>
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{a.name}<div class="muted small">{a.system}</div></th>
                    <td>
                      <Badge kind={a.disabled ? 'muted' : a.state === 'online' ? 'ok' : 'bad'}>
                        {a.disabled ? 'disabled' : a.state}
                      </Badge>
                    </td>
                    <td class="small">{hostSummary(a.host_info)}</td>
                    <td>{a.job_id ? <Link href={`/jobs/${a.job_id}`}>job {a.job_id}</Link> : <span class="muted">idle</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <DeploymentForm key={g.id} group={g} onSaved={(ng) => group.set(() => ng)} />
      <section aria-labelledby="group-machines">
        <h2 id="group-machines">Machines</h2>
        <PageState error={machines.error} loading={machines.loading && !machines.data} />
        {machines.data && !machines.data.available && <Empty>{machines.data.message}</Empty>}
        {machines.data?.available && machines.data.items.length === 0 && (
          <Empty>
            No machines — {g.deployment?.method && g.deployment.method !== 'manual'
              ? 'they are created when jobs wait for this group.'
              : 'a manual group has none; choose another deployment method to have machines created.'}
          </Empty>
        )}
        {machines.data?.available && machines.data.items.length > 0 && (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Machine</th>
                  <th scope="col">State</th>
                  <th scope="col">Instance</th>
                  <th scope="col">System</th>
                  <th scope="col">Jobs</th>
                  <th scope="col">Age</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {machines.data.items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.name || `machine ${m.id}`}</th>
                    <td><Badge kind={machineTone(m.state)}>{machineStateLabel(m.state)}</Badge></td>
                    <td class="mono small">{m.driver_id ?? ''}</td>
                    <td>{m.system ?? ''}</td>
                    <td>{m.job_count ?? ''}</td>
                    <td title={dateTime(m.created ?? null)}>{ago(m.created ?? null).replace(' ago', '')}</td>
                    <td class="small error-text">{m.last_error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

// The autoscaler's `gone` is a machine its provider destroyed: EC2 and the tutorial call
// that terminated.
export function machineStateLabel(state: string): string {
  return state === 'gone' ? 'terminated' : state;
}

function machineTone(state: string): string {
  if (state === 'idle' || state === 'busy') return 'ok';
  if (state === 'failed') return 'bad';
  if (state === 'gone' || state === 'terminating' || state === 'draining') return 'muted';
  return 'busy';
}

// A list of names the server fetches from the cloud (regions, instance types). When the
// server cannot give it, the field becomes a text input with the reason beside it.
function useCloudList(path: string | null, ...keys: string[]) {
  const [state, setState] = useState<{ items: string[] | null; error: string }>({ items: null, error: '' });
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState({ items: null, error: '' });
    get<unknown>(path)
      .then((l) => live && setState({ items: names(l, ...keys), error: '' }))
      .catch((e) => {
        if (!live) return;
        const msg = e instanceof ApiError && e.notFound && !e.field
          ? 'this server cannot list them yet; type the name'
          : messageOf(e);
        setState({ items: null, error: msg });
      });
    return () => {
      live = false;
    };
  }, [path]);
  return state;
}

function DeploymentForm({ group, onSaved }: { group: AgentsGroup; onSaved: (g: AgentsGroup) => void }) {
  const [name, setName] = useState(group.name);
  const [method, setMethod] = useState<DeploymentMethod>((group.deployment?.method as DeploymentMethod) ?? 'manual');
  const [values, setValues] = useState<FormValues>(toForm(group.deployment));
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const regions = useCloudList(method === 'aws_ec2' ? '/settings/cloud/aws/regions' : null, 'name', 'region', 'id', 'code');
  const region = String(values.region ?? '');
  const types = useCloudList(
    method === 'aws_ec2' && (regions.items?.includes(region) || /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
      ? `/settings/cloud/aws/instance-types?region=${encodeURIComponent(region)}` : null,
    'name', 'instance_type', 'id',
  );

  const set = (k: string, v: string | boolean) => setValues((o) => ({ ...o, [k]: v }));
  const optError = (key: string) =>
    err instanceof OptionError ? (err.key === key ? err.message : undefined) : fieldError(err, `deployment.${key}`, key);

  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setNote('');
    setBusy(true);
    try {
      const deployment = fromForm(method, values, group.deployment);
      const saved = await put<AgentsGroup | null>(`/groups/${group.id}`, { name, deployment });
      onSaved(saved && typeof saved === 'object' && 'id' in saved ? { ...group, ...saved } : { ...group, name, deployment });
      setNote('Saved.');
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!confirm(`Delete group ${group.name}? Its agents stay, without this group.`)) return;
    try {
      await del(`/groups/${group.id}`);
      navigate('/agents/groups');
    } catch (x) {
      setErr(x);
    }
  };

  const input = (o: OptionSpec) => {
    const fid = `dep-${o.key}`;
    const error = optError(o.key);
    if (o.type === 'bool')
      return <Check key={o.key} id={fid} label={o.label} checked={Boolean(values[o.key])} onChange={(v) => set(o.key, v)} />;
    const text = String(values[o.key] ?? '');
    let control;
    if (o.type === 'textarea' || o.type === 'env') {
      control = (
        <textarea id={fid} rows={o.type === 'env' ? 3 : 5} value={text} placeholder={o.placeholder} class="mono"
          onInput={(e) => set(o.key, e.currentTarget.value)} />
      );
    } else if (o.type === 'region' || o.type === 'instance_type') {
      const list = o.type === 'region' ? regions : types;
      const hint = list.error ? `Cannot list: ${list.error}.` : o.type === 'instance_type' && !region ? 'Choose a region first.' : undefined;
      control = list.items ? (
        <select id={fid} value={text} onChange={(e) => set(o.key, e.currentTarget.value)}>
          <option value="">— choose —</option>
          {(list.items.includes(text) || !text ? list.items : [text, ...list.items]).map((n) => (
            <option key={n} value={n}>{n}</option>
          ))}
        </select>
      ) : (
        <input id={fid} value={text} placeholder={o.type === 'region' ? 'us-east-1' : 't3.micro'}
          onInput={(e) => set(o.key, e.currentTarget.value)} />
      );
      return (
        <Field key={o.key} id={fid} label={o.label} error={error} hint={hint}>
          {control}
        </Field>
      );
    } else {
      control = (
        <input id={fid} value={text} placeholder={o.placeholder}
          inputMode={o.type === 'int' ? 'numeric' : o.type === 'number' ? 'decimal' : undefined}
          onInput={(e) => set(o.key, e.currentTarget.value)} />
      );
    }
    return (
      <Field key={o.key} id={fid} label={o.label} error={error} hint={o.hint} wide={o.type === 'textarea' || o.type === 'env'}>
        {control}
      </Field>
    );
  };

  const keys = [...ALL_KEYS].flatMap((k) => [`deployment.${k}`, k]);
  const methodHelp = METHODS.find((m) => m.value === method)?.help;
  return (
    <section class="card" aria-labelledby="deployment-title">
      <h2 id="deployment-title">Agents Deployment</h2>
      <form onSubmit={save}>
        <div class="form-grid">
          <Field id="group-name-edit" label="Group name" error={fieldError(err, 'name')}>
            <input id="group-name-edit" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field id="dep-method" label="Method" error={fieldError(err, 'deployment.method', 'deployment')}>
            <select id="dep-method" value={method} onChange={(e) => setMethod(e.currentTarget.value as DeploymentMethod)}>
              {METHODS.map((m) => (
                <option key={m.value} value={m.value}>{m.label}</option>
              ))}
              {!METHODS.some((m) => m.value === method) && <option value={method}>{method}</option>}
            </select>
          </Field>
        </div>
        {methodHelp && <p class="muted">{methodHelp}</p>}
        {(SECTIONS[method] ?? []).map((s) => (
          <fieldset key={s.title}>
            <legend>{s.title}</legend>
            <div class="form-grid">{s.options.map(input)}</div>
          </fieldset>
        ))}
        {note && <div class="note" role="status">{note}</div>}
        <ErrorBox error={err instanceof OptionError ? null : formError(err, 'name', 'deployment.method', 'deployment', ...keys)} />
        <div class="actions">
          <button type="button" class="danger" onClick={remove}>Delete Group</button>
          <span class="spacer" />
          <button type="submit" class="primary" disabled={busy}>Save</button>
        </div>
      </form>
    </section>
  );
}
