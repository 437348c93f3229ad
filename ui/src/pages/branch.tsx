// A branch's management page: its stages with a schema editor each (JSON, Starlark or
// YAML; Check Schema marks errors at their line), enable/disable, New Stage, and the
// branch's environment variables.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, messageOf, post, put } from '../api';
import { BranchHead, useBranch } from '../components/branch_head';
import { CodeEditor, goToLine } from '../components/code_editor';
import { Check, Dialog, Empty, ErrorBox, Field, fieldError, formError, PageState } from '../components/ui';
import { useResource, useTitle } from '../hooks';
import { locateError, type SchemaError } from '../schema_errors';
import { FORMATS, isTemplate, normalFormat, TEMPLATES } from '../stage_templates';
import type { Branch, SchemaFormat, Stage, StageSchema } from '../types';

// Server-side schema check without saving. Servers without it answer 404; then only the
// JSON syntax is checked here and the full check happens on save.
const checkPath = (stageId: number) => `/stages/${stageId}/check-schema`;

export function BranchPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const head = useBranch(id);
  const stages = useResource(() => get<Stage[]>(`/branches/${id}/stages`), [id]);
  const [selected, setSelected] = useState<number | null>(null);
  const [newStage, setNewStage] = useState(false);
  useTitle(head.data ? `${head.data.branch.name} · Stages` : 'Branch');

  const list = stages.data ?? [];
  const current = list.find((s) => s.id === selected) ?? list[0];

  const replaceStage = (s: Stage) => stages.set((old) => (old ?? []).map((x) => (x.id === s.id ? s : x)));

  if (!head.data) return <div class="page"><PageState error={head.error} loading={head.loading} /></div>;
  const { branch, project } = head.data;
  return (
    <div class="page">
      <BranchHead branch={branch} project={project} tab="stages">
        <button type="button" class="primary" onClick={() => setNewStage(true)}>
          New Stage
        </button>
      </BranchHead>
      <PageState error={stages.error} loading={stages.loading && !stages.data} />
      {stages.data && list.length === 0 && (
        <Empty>No stages yet — click <strong>New Stage</strong> to write the first one.</Empty>
      )}
      {current && (
        <div class="stages-layout">
          <nav class="stage-list" aria-label="Stages">
            <h2 class="sr-only">Stages</h2>
            <ul>
              {list.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    class={`stage-item${s.id === current.id ? ' current' : ''}`}
                    aria-current={s.id === current.id ? 'true' : undefined}
                    onClick={() => setSelected(s.id)}
                  >
                    <span class="stage-name">{s.name}</span>
                    <span class="muted small">
                      {s.enabled ? '' : 'disabled · '}parent: {String(s.schema?.parent ?? 'root')}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <StageEditor
            key={current.id}
            stage={current}
            onSaved={replaceStage}
            onDeleted={() => {
              setSelected(null);
              void stages.reload();
            }}
          />
        </div>
      )}
      <EnvVars branch={branch} onSaved={(b) => head.set((old) => (old ? { ...old, branch: b } : old))} />
      {newStage && (
        <NewStageDialog
          branchId={id}
          onClose={() => setNewStage(false)}
          onCreated={(s) => {
            setNewStage(false);
            setSelected(s.id);
            void stages.reload();
          }}
        />
      )}
    </div>
  );
}

function summary(schema: StageSchema | undefined): string {
  if (!schema) return '';
  const jobs = Array.isArray(schema.jobs) ? schema.jobs.length : 0;
  const params = (schema.parameters ?? []).map((p) => p.name).join(', ');
  return `parent ${schema.parent ?? 'root'}, ${jobs} job${jobs === 1 ? '' : 's'}${params ? `, parameters: ${params}` : ''}`;
}

function StageEditor({ stage, onSaved, onDeleted }: {
  stage: Stage;
  onSaved: (s: Stage) => void;
  onDeleted: () => void;
}) {
  const [name, setName] = useState(stage.name);
  const [description, setDescription] = useState(stage.description ?? '');
  const [format, setFormat] = useState<SchemaFormat>(normalFormat(stage.schema_format));
  const [code, setCode] = useState(stage.schema_code ?? '');
  const [errors, setErrors] = useState<SchemaError[]>([]);
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const dirty = name !== stage.name || description !== (stage.description ?? '') || code !== (stage.schema_code ?? '') ||
    format !== normalFormat(stage.schema_format);
  const editorId = `stage-code-${stage.id}`;

  const showError = (x: unknown) => {
    if (x instanceof ApiError && (!x.field || x.field.startsWith('schema'))) {
      setErrors([locateError(code, format, x)]);
      setErr(null);
    } else {
      setErr(x);
    }
  };

  const localSyntax = (): SchemaError | null => {
    if (format !== 'json') return null;
    try {
      JSON.parse(code);
      return null;
    } catch (e) {
      return locateError(code, 'json', { message: messageOf(e), field: 'schema_code' });
    }
  };

  const check = async () => {
    setErrors([]);
    setErr(null);
    setNote('');
    const syntax = localSyntax();
    if (syntax) {
      setErrors([syntax]);
      return;
    }
    setBusy(true);
    try {
      const res = await post<{ schema?: StageSchema }>(checkPath(stage.id), { schema_code: code, schema_format: format });
      setNote(`Schema is valid: ${summary(res?.schema ?? (format === 'json' ? JSON.parse(code) : undefined))}.`);
    } catch (x) {
      if (x instanceof ApiError && x.notFound && !x.field)
        setNote('The JSON syntax is valid. This server checks the rest of the schema when you save.');
      else showError(x);
    } finally {
      setBusy(false);
    }
  };

  const save = async (e?: Event) => {
    e?.preventDefault();
    setErrors([]);
    setErr(null);
    setNote('');
    const syntax = localSyntax();
    if (syntax) {
      setErrors([syntax]);
      return;
    }
    setBusy(true);
    try {
      const saved = await put<Stage | null>(`/stages/${stage.id}`, {
        name,
        description,
        schema_code: code,
        schema_format: format,
      });
      onSaved(saved && typeof saved === 'object' && 'id' in saved ? saved : await get<Stage>(`/stages/${stage.id}`));
      setNote('Saved.');
    } catch (x) {
      showError(x);
    } finally {
      setBusy(false);
    }
  };

  const toggle = async (enabled: boolean) => {
    setErr(null);
    try {
      const saved = await put<Stage | null>(`/stages/${stage.id}`, { enabled });
      onSaved(saved && typeof saved === 'object' && 'id' in saved ? saved : { ...stage, enabled });
    } catch (x) {
      setErr(x);
    }
  };

  const remove = async () => {
    if (!confirm(`Delete stage "${stage.name}"? Its past runs stay in the results.`)) return;
    try {
      await del(`/stages/${stage.id}`);
      onDeleted();
    } catch (x) {
      setErr(x);
    }
  };

  const changeFormat = (f: SchemaFormat) => {
    if (isTemplate(code)) setCode(TEMPLATES[f]);
    setFormat(f);
    setErrors([]);
  };

  const errorListId = `${editorId}-errors`;
  return (
    <form class="stage-editor card" onSubmit={save} aria-label={`Stage ${stage.name}`}>
      <div class="form-grid">
        <Field id={`stage-name-${stage.id}`} label="Name" error={fieldError(err, 'name')}>
          <input id={`stage-name-${stage.id}`} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id={`stage-format-${stage.id}`} label="Schema format" error={fieldError(err, 'schema_format')}>
          <select id={`stage-format-${stage.id}`} value={format}
            onChange={(e) => changeFormat(e.currentTarget.value as SchemaFormat)}>
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>{f.label}</option>
            ))}
          </select>
        </Field>
        <Field id={`stage-desc-${stage.id}`} label="Description" error={fieldError(err, 'description')} wide>
          <input id={`stage-desc-${stage.id}`} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
      </div>
      <Check id={`stage-enabled-${stage.id}`} label="Enabled (disabled stages are not started in new flows)"
        checked={stage.enabled} onChange={toggle} />
      <div class="field">
        <label for={editorId}>Schema</label>
        <CodeEditor id={editorId} value={code} onInput={(v) => { setCode(v); if (errors.length) setErrors([]); }}
          errors={errors} describedBy={errors.length ? errorListId : undefined} />
      </div>
      {errors.length > 0 && (
        <ul class="schema-errors" id={errorListId} role="alert">
          {errors.map((e, i) => (
            <li key={i}>
              {e.line ? (
                <button type="button" class="link" onClick={() => goToLine(editorId, e.line!)}>
                  Line {e.line}{e.column ? `:${e.column}` : ''}
                </button>
              ) : null}{' '}
              {e.field?.startsWith('schema.') && <code>{e.field}</code>} {e.message}
            </li>
          ))}
        </ul>
      )}
      {note && <div class="note" role="status">{note}</div>}
      <ErrorBox error={formError(err, 'name', 'description', 'schema_format')} />
      <div class="actions">
        <button type="button" class="danger" onClick={remove}>Delete</button>
        <span class="spacer" />
        <button type="button" onClick={check} disabled={busy}>Check Schema</button>
        <button type="submit" class="primary" disabled={busy || !dirty}>Save</button>
      </div>
    </form>
  );
}

function NewStageDialog({ branchId, onClose, onCreated }: {
  branchId: number;
  onClose: () => void;
  onCreated: (s: Stage) => void;
}) {
  const [name, setName] = useState('');
  const [format, setFormat] = useState<SchemaFormat>('json');
  const [code, setCode] = useState(TEMPLATES.json);
  const [errors, setErrors] = useState<SchemaError[]>([]);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setErr(null);
    if (format === 'json') {
      try {
        JSON.parse(code);
      } catch (x) {
        setErrors([locateError(code, 'json', { message: messageOf(x), field: 'schema_code' })]);
        return;
      }
    }
    setBusy(true);
    try {
      onCreated(await post<Stage>(`/branches/${branchId}/stages`, { name, schema_code: code, schema_format: format }));
    } catch (x) {
      if (x instanceof ApiError && x.field?.startsWith('schema')) setErrors([locateError(code, format, x)]);
      else setErr(x);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="New Stage" onClose={onClose} wide>
      <form onSubmit={submit}>
        <div class="form-grid">
          <Field id="new-stage-name" label="Name" error={fieldError(err, 'name')}>
            <input id="new-stage-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field id="new-stage-format" label="Schema format">
            <select id="new-stage-format" value={format} onChange={(e) => {
              const f = e.currentTarget.value as SchemaFormat;
              if (isTemplate(code)) setCode(TEMPLATES[f]);
              setFormat(f);
            }}>
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>{f.label}</option>
              ))}
            </select>
          </Field>
        </div>
        <div class="field">
          <label for="new-stage-code">Schema</label>
          <CodeEditor id="new-stage-code" value={code} onInput={setCode} errors={errors} rows={16} />
        </div>
        {errors.length > 0 && (
          <ul class="schema-errors" role="alert">
            {errors.map((e, i) => (
              <li key={i}>
                {e.line ? <>Line {e.line}: </> : null}
                {e.field?.startsWith('schema.') && <code>{e.field}</code>} {e.message}
              </li>
            ))}
          </ul>
        )}
        <ErrorBox error={formError(err, 'name')} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Create</button>
        </div>
      </form>
    </Dialog>
  );
}

function EnvVars({ branch, onSaved }: { branch: Branch; onSaved: (b: Branch) => void }) {
  const toRows = (env: Record<string, string> | undefined) => Object.entries(env ?? {}).map(([k, v]) => ({ k, v: String(v) }));
  const [rows, setRows] = useState(toRows(branch.env));
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState('');
  useEffect(() => setRows(toRows(branch.env)), [branch.env]);

  const set = (i: number, patch: Partial<{ k: string; v: string }>) =>
    setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setNote('');
    const env: Record<string, string> = {};
    for (const r of rows) {
      if (!r.k.trim()) continue;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.k.trim())) {
        setErr(new ApiError(400, 'invalid', 'a name is letters, digits and _ and does not start with a digit', `env.${r.k}`));
        return;
      }
      env[r.k.trim()] = r.v;
    }
    try {
      const saved = await put<Branch | null>(`/branches/${branch.id}`, { env });
      onSaved(saved && typeof saved === 'object' && 'id' in saved ? saved : { ...branch, env });
      setNote('Saved.');
    } catch (x) {
      setErr(x);
    }
  };

  return (
    <section class="card env-vars" aria-labelledby="env-title">
      <h2 id="env-title">Environment Variables</h2>
      <p class="muted">Set in every job of this branch's flows; stages read them as <code>#{'{'}env.NAME{'}'}</code>.</p>
      <form onSubmit={save}>
        {rows.length === 0 && <Empty>No variables yet — click <strong>Add Variable</strong>.</Empty>}
        {rows.map((r, i) => (
          <div class="env-row" key={i}>
            <Field id={`env-name-${i}`} label="Name" error={fieldError(err, `env.${r.k}`)}>
              <input id={`env-name-${i}`} value={r.k} onInput={(e) => set(i, { k: e.currentTarget.value })} />
            </Field>
            <Field id={`env-value-${i}`} label="Value">
              <input id={`env-value-${i}`} value={r.v} onInput={(e) => set(i, { v: e.currentTarget.value })} />
            </Field>
            <button type="button" class="icon" aria-label={`Remove ${r.k || 'variable'}`}
              onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>×</button>
          </div>
        ))}
        {note && <div class="note" role="status">{note}</div>}
        <ErrorBox error={formError(err, ...rows.map((r) => `env.${r.k}`))} />
        <div class="actions">
          <button type="button" onClick={() => setRows((x) => [...x, { k: '', v: '' }])}>Add Variable</button>
          <button type="submit" class="primary">Save Variables</button>
        </div>
      </form>
    </section>
  );
}
