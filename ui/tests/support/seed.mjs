// Test data made through the public API: a project with a branch, a root stage with a
// parameter and a child stage.

export const ROOT_STAGE = {
  parent: 'root',
  triggers: { parent: true },
  parameters: [{ name: 'COUNT', type: 'string', default: '3', description: 'how many lines to print' }],
  jobs: [
    {
      name: 'hello',
      steps: [{ tool: 'shell', cmd: 'for i in $(seq 25); do echo line $i; sleep 0.2; done' }],
      environments: [{ system: 'any', agents_group: 'all' }],
    },
  ],
};

export const CHILD_STAGE = {
  parent: 'build',
  triggers: { parent: true },
  jobs: [
    {
      name: 'test',
      steps: [{ tool: 'shell', cmd: 'echo testing' }],
      environments: [{ system: 'any', agents_group: 'all' }],
    },
  ],
};

export async function seedProject(api, name = 'demo') {
  const project = await api('POST', '/projects', { name, description: 'A project for the UI tests' });
  const branch = await api('POST', `/projects/${project.id}/branches`, { name: 'main' });
  const build = await api('POST', `/branches/${branch.id}/stages`, {
    name: 'build',
    schema_code: JSON.stringify(ROOT_STAGE, null, 2),
    schema_format: 'json',
  });
  const tests = await api('POST', `/branches/${branch.id}/stages`, {
    name: 'tests',
    schema_code: JSON.stringify(CHILD_STAGE, null, 2),
    schema_format: 'json',
  });
  return { project, branch, stages: [build, tests] };
}
