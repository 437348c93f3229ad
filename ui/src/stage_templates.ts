// Starting code for a new stage in each schema format, and the format labels.

import type { SchemaFormat } from './types';

export const FORMATS: { value: SchemaFormat; label: string }[] = [
  { value: 'json', label: 'JSON' },
  { value: 'starlark', label: 'Starlark' },
  { value: 'yaml', label: 'YAML' },
];

export const TEMPLATES: Record<SchemaFormat, string> = {
  json: `{
  "parent": "root",
  "triggers": {"parent": true},
  "parameters": [],
  "jobs": [
    {
      "name": "build",
      "steps": [
        {"tool": "shell", "cmd": "echo hello"}
      ],
      "environments": [
        {"system": "any", "agents_group": "all"}
      ]
    }
  ]
}
`,
  starlark: `def stage(ctx):
    return {
        "parent": "root",
        "triggers": {"parent": True},
        "parameters": [],
        "jobs": [{
            "name": "build",
            "steps": [{"tool": "shell", "cmd": "echo hello"}],
            "environments": [{"system": "any", "agents_group": "all"}],
        }],
    }
`,
  yaml: `parent: root
triggers:
  parent: true
parameters: []
jobs:
  - name: build
    steps:
      - tool: shell
        cmd: echo hello
    environments:
      - system: any
        agents_group: all
`,
};

export function isTemplate(code: string): boolean {
  const t = code.trim();
  return t === '' || Object.values(TEMPLATES).some((v) => v.trim() === t);
}

export function normalFormat(f: string | undefined): SchemaFormat {
  return f === 'starlark' || f === 'yaml' ? f : 'json';
}
