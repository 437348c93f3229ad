// Agents groups: the list and Add New Group.

import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { Dialog, Empty, ErrorBox, Field, fieldError, formError, PageState } from '../components/ui';
import { coalesce, useLive } from '../events';
import { useResource, useTitle } from '../hooks';
import { Link, navigate } from '../router';
import type { AgentsGroup } from '../types';
import { AgentsTabs } from './agents';
import { METHOD_LABELS } from './group';
import { useRef } from 'preact/hooks';

export function GroupsPage() {
  useTitle('Agents groups');
  const groups = useResource(() => get<AgentsGroup[]>('/groups'), []);
  const [adding, setAdding] = useState(false);
  const reload = useRef(coalesce(() => void groups.reload(), 200)).current;
  useLive((e) => {
    if (!e || e.kind === 'group') reload();
  });
  const list = groups.data ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Agents Groups</h1>
        <button type="button" class="primary" onClick={() => setAdding(true)}>Add New Group</button>
      </div>
      <AgentsTabs current="groups" />
      <PageState error={groups.error} loading={groups.loading && !groups.data} />
      {groups.data && list.length === 0 && <Empty>No groups yet — click <strong>Add New Group</strong>.</Empty>}
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Agents deployment</th>
              <th scope="col">Agents</th>
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <tr key={g.id}>
                <th scope="row"><Link href={`/agents/groups/${g.id}`}>{g.name}</Link></th>
                <td>
                  {METHOD_LABELS[g.deployment?.method ?? 'manual'] ?? g.deployment?.method}
                  {g.deployment?.method && g.deployment.method !== 'manual' && g.deployment.instances_limit !== undefined && (
                    <span class="muted small"> · up to {String(g.deployment.instances_limit)}</span>
                  )}
                </td>
                <td class="num">{g.agents ? g.agents.length : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && (
        <NewGroupDialog onClose={() => setAdding(false)} onCreated={(g) => navigate(`/agents/groups/${g.id}`)} />
      )}
    </div>
  );
}

function NewGroupDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (g: AgentsGroup) => void }) {
  const [name, setName] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      onCreated(await post<AgentsGroup>('/groups', { name, deployment: { method: 'manual' } }));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="Add New Group" onClose={onClose}>
      <form onSubmit={submit}>
        <Field id="group-name" label="Name" error={fieldError(err, 'name')}
          hint="Jobs pick a group with agents_group in their environment.">
          <input id="group-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={formError(err, 'name')} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Add</button>
        </div>
      </form>
    </Dialog>
  );
}
