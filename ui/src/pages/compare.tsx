// Flow comparison: the tests whose status differs between a flow and another flow of the
// same project, grouped by change. /flows/:id/compare?with=OTHER

import { useState } from 'preact/hooks';
import { get } from '../api';
import { Badge, PageState } from '../components/ui';
import { useResource, useTitle } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { statusTone } from '../test_results';

interface Entry { test: string; system: string; job_name: string; base_status: string | null; other_status: string | null; other_result_id: number | null; base_result_id: number | null }
interface Comparison { groups: Record<string, Entry[]>; counts: Record<string, number> }

const GROUPS: [string, string][] = [['regressions', 'Regressions'], ['fixes', 'Fixes'], ['new', 'New tests'], ['missing', 'Missing tests'], ['other', 'Other changes']];

export function ComparePage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const { query } = useLocation();
  const other = Number(query.get('with')) || 0;
  const [input, setInput] = useState(other ? String(other) : '');
  useTitle(`Compare flow ${id}`);
  const cmp = useResource(() => (other ? get<Comparison>(`/flows/${id}/compare?with=${other}`) : Promise.resolve(null)), [id, other]);
  return (
    <div class="page">
      <p class="crumbs"><Link href={`/flows/${id}`}>Flow {id}</Link></p>
      <h1>Compare flow {id}</h1>
      <form onSubmit={(e) => { e.preventDefault(); navigate(`/flows/${id}/compare?with=${input}`); }}>
        <label for="with">With flow id</label>{' '}
        <input id="with" type="number" min="1" value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} />{' '}
        <button type="submit">Compare</button>
      </form>
      {other > 0 && (!cmp.data ? <PageState error={cmp.error} loading={cmp.loading} /> : (
        <>
          <p class="muted">{cmp.data.counts.unchanged} tests unchanged.</p>
          {GROUPS.map(([key, label]) => (cmp.data!.groups[key]?.length ?? 0) > 0 && (
            <section key={key}>
              <h2>{label} ({cmp.data!.groups[key].length})</h2>
              <table class="results">
                <thead><tr><th scope="col">Test</th><th scope="col">Flow {id}</th><th scope="col">Flow {other}</th><th scope="col">Job</th><th scope="col">System</th></tr></thead>
                <tbody>
                  {cmp.data!.groups[key].map((e) => (
                    <tr key={`${e.test}/${e.system}/${e.job_name}`}>
                      <th scope="row">{e.other_result_id || e.base_result_id ? <Link href={`/results/${e.other_result_id ?? e.base_result_id}`}>{e.test}</Link> : e.test}</th>
                      <td>{e.base_status && <Badge kind={statusTone(e.base_status)}>{e.base_status}</Badge>}</td>
                      <td>{e.other_status && <Badge kind={statusTone(e.other_status)}>{e.other_status}</Badge>}</td>
                      <td>{e.job_name}</td>
                      <td>{e.system}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      ))}
    </div>
  );
}
