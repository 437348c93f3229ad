// The main page: a card per project with its branches and the state of each branch's
// last CI and DEV flow. New Project and New Branch dialogs.

import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { flowTitle, flowTone, toneLabel } from '../components/runs';
import { Dialog, Empty, ErrorBox, Field, fieldError, formError, PageState } from '../components/ui';
import { useLive } from '../events';
import { ago } from '../format';
import { useResource, useTitle } from '../hooks';
import { branchOfFlow, flowOfEvent, noteFlow } from '../lookup';
import { Link, navigate } from '../router';
import type { Branch, Flow, FlowKind, Page, Project } from '../types';

type LastFlows = Record<number, { ci?: Flow | null; dev?: Flow | null }>;

async function lastFlow(branchId: number, kind: FlowKind): Promise<Flow | null> {
  const page = await get<Page<Flow>>(`/branches/${branchId}/flows?kind=${kind}&limit=1`);
  const f = page.items[0] ?? null;
  if (f) noteFlow(f);
  return f;
}

async function lastFlows(branchId: number) {
  const [ci, dev] = await Promise.all([lastFlow(branchId, 'ci'), lastFlow(branchId, 'dev')]);
  return { ci, dev };
}

export function MainPage() {
  useTitle('Projects');
  const projects = useResource(() => get<Project[]>('/projects'), []);
  const [last, setLast] = useState<LastFlows>({});
  const [dialog, setDialog] = useState<null | { kind: 'project' } | { kind: 'branch'; project: Project }>(null);

  // Each branch's last flows load once the project list is in.
  useEffect(() => {
    for (const p of projects.data ?? [])
      for (const b of p.branches ?? [])
        lastFlows(b.id).then((v) => setLast((old) => ({ ...old, [b.id]: v }))).catch(() => {});
  }, [projects.data]);

  const branchIds = new Set((projects.data ?? []).flatMap((p) => (p.branches ?? []).map((b) => b.id)));
  const refreshBranch = (id: number) =>
    lastFlows(id).then((v) => setLast((old) => ({ ...old, [id]: v }))).catch(() => {});

  useLive(async (e) => {
    if (!e) {
      void projects.reload();
      return;
    }
    if (e.kind !== 'flow' && e.kind !== 'run') return;
    const flow = await flowOfEvent(e);
    if (flow === undefined) return;
    const branch = await branchOfFlow(flow, e);
    if (branch !== undefined && branchIds.has(branch)) void refreshBranch(branch);
  });

  return (
    <div class="page">
      <div class="page-head">
        <h1>Projects</h1>
        <button type="button" class="primary" onClick={() => setDialog({ kind: 'project' })}>
          New Project
        </button>
      </div>
      <PageState error={projects.error} loading={projects.loading && !projects.data} />
      {projects.data && projects.data.length === 0 && (
        <Empty>No projects yet — click <strong>New Project</strong> to create one, then add a branch and its stages.</Empty>
      )}
      <div class="cards">
        {(projects.data ?? []).map((p) => (
          <section class="card project" key={p.id} aria-labelledby={`project-${p.id}`}>
            <div class="card-head">
              <h2 id={`project-${p.id}`}>{p.name}</h2>
              <button type="button" onClick={() => setDialog({ kind: 'branch', project: p })}>
                New Branch
              </button>
            </div>
            {p.description && <p class="muted">{p.description}</p>}
            {(p.branches ?? []).length === 0 ? (
              <Empty>No branches yet — click <strong>New Branch</strong>.</Empty>
            ) : (
              <table class="branches">
                <thead>
                  <tr>
                    <th scope="col">Branch</th>
                    <th scope="col">CI</th>
                    <th scope="col">DEV</th>
                  </tr>
                </thead>
                <tbody>
                  {p.branches.map((b) => (
                    <tr key={b.id}>
                      <th scope="row">
                        <Link href={`/branches/${b.id}`}>{b.name}</Link>
                        {b.branch_name && b.branch_name !== b.name && <div class="muted small">{b.branch_name}</div>}
                      </th>
                      <td>
                        <FlowStatus branch={b} kind="ci" flow={last[b.id]?.ci} />
                      </td>
                      <td>
                        <FlowStatus branch={b} kind="dev" flow={last[b.id]?.dev} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))}
      </div>
      {dialog?.kind === 'project' && (
        <NewProjectDialog
          onClose={() => setDialog(null)}
          onCreated={() => {
            setDialog(null);
            void projects.reload();
          }}
        />
      )}
      {dialog?.kind === 'branch' && (
        <NewBranchDialog
          project={dialog.project}
          onClose={() => setDialog(null)}
          onCreated={(b) => {
            setDialog(null);
            navigate(`/branches/${b.id}`);
          }}
        />
      )}
    </div>
  );
}

function FlowStatus({ branch, kind, flow }: { branch: Branch; kind: FlowKind; flow: Flow | null | undefined }) {
  const href = `/branches/${branch.id}/${kind}`;
  if (flow === undefined) return <Link href={href} class="flowstatus muted">…</Link>;
  if (flow === null)
    return (
      <Link href={href} class="flowstatus muted">
        no flows
      </Link>
    );
  const tone = flowTone(flow);
  return (
    <Link href={href} class={`flowstatus ${tone}`} title={`${flowTitle(flow)}: ${toneLabel(tone)}`}>
      <span class={`dot ${tone}`} aria-hidden="true" />
      <span>{flowTitle(flow)}</span>
      <span class="muted small">
        {toneLabel(tone)} · {ago(flow.finished || flow.created)}
      </span>
    </Link>
  );
}

function NewProjectDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (p: Project) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      onCreated(await post<Project>('/projects', { name, description }));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="New Project" onClose={onClose}>
      <form onSubmit={submit}>
        <Field id="project-name" label="Name" error={fieldError(err, 'name')}>
          <input id="project-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="project-description" label="Description" error={fieldError(err, 'description')}>
          <textarea id="project-description" rows={3} value={description}
            onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={formError(err, 'name', 'description')} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Create</button>
        </div>
      </form>
    </Dialog>
  );
}

function NewBranchDialog({ project, onClose, onCreated }: {
  project: Project;
  onClose: () => void;
  onCreated: (b: Branch) => void;
}) {
  const [name, setName] = useState('');
  const [repoBranch, setRepoBranch] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, string> = { name };
      if (repoBranch.trim()) body.branch_name = repoBranch.trim();
      onCreated(await post<Branch>(`/projects/${project.id}/branches`, body));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`New Branch in ${project.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <Field id="branch-name" label="Name" error={fieldError(err, 'name')}>
          <input id="branch-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="branch-repo" label="Repository branch" error={fieldError(err, 'branch_name')}
          hint="The branch in the code repository; the name above when left empty.">
          <input id="branch-repo" value={repoBranch} placeholder={name || 'main'}
            onInput={(e) => setRepoBranch(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={formError(err, 'name', 'branch_name')} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Create</button>
        </div>
      </form>
    </Dialog>
  );
}
