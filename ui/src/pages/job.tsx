// /jobs/:id opens the job on its run's page.

import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorBox, Loading } from '../components/ui';
import { navigate } from '../router';
import type { Job } from '../types';

export function JobRedirect({ params }: { params: Record<string, string> }) {
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    get<Job>(`/jobs/${Number(params.id)}`)
      .then((j) => navigate(`/runs/${j.run_id}?job=${j.id}`, true))
      .catch(setErr);
  }, [params.id]);
  return <div class="page">{err ? <ErrorBox error={err} /> : <Loading />}</div>;
}
