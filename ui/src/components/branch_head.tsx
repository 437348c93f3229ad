// The heading shared by a branch's pages: project / branch and the Stages, CI and DEV tabs.

import { get } from '../api';
import { useResource } from '../hooks';
import { Link } from '../router';
import type { Branch, Project } from '../types';
import { Tabs } from './ui';

export function useBranch(id: number) {
  return useResource(async () => {
    const branch = await get<Branch>(`/branches/${id}`);
    let project: Project | null = null;
    try {
      project = await get<Project>(`/projects/${branch.project_id}`);
    } catch {
      // The heading only misses the project's name.
    }
    return { branch, project };
  }, [id]);
}

export function BranchHead({ branch, project, tab, children }: {
  branch: Branch;
  project: Project | null;
  tab: 'stages' | 'ci' | 'dev';
  children?: preact.ComponentChildren;
}) {
  const base = `/branches/${branch.id}`;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> / <span>{project?.name ?? `project ${branch.project_id}`}</span>
      </nav>
      <div class="page-head">
        <h1>
          {branch.name}
          {branch.branch_name && branch.branch_name !== branch.name && (
            <span class="muted small"> ({branch.branch_name})</span>
          )}
        </h1>
        {children}
      </div>
      <Tabs
        items={[
          { href: base, label: 'Stages', current: tab === 'stages' },
          { href: `${base}/ci`, label: 'CI', current: tab === 'ci' },
          { href: `${base}/dev`, label: 'DEV', current: tab === 'dev' },
        ]}
      />
    </>
  );
}
