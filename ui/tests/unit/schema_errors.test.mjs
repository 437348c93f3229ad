// Placing schema errors at their line: the server names a field path, the editor needs a line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  jsonSyntaxErrorLine, lineOfJsonPath, lineOfKeysInOrder, locateError, parseFieldPath,
} from '../../.test-build/schema_errors.js';

const CODE = `{
  "parent": "root",
  "triggers": {"parent": true},
  "jobs": [
    {
      "name": "build",
      "steps": [
        {"tool": "shell", "cmd": "make"},
        {
          "tool": "shell",
          "cmd": 5
        }
      ]
    }
  ]
}`;

test('field paths split into keys and indices', () => {
  assert.deepEqual(parseFieldPath('schema.jobs[0].steps[1].cmd'), ['jobs', 0, 'steps', 1, 'cmd']);
  assert.deepEqual(parseFieldPath('parent'), ['parent']);
});

test('a field is placed at the line of its key', () => {
  assert.equal(lineOfJsonPath(CODE, ['jobs', 0, 'steps', 1, 'cmd']), 11);
  assert.equal(lineOfJsonPath(CODE, ['jobs', 0, 'steps', 0, 'tool']), 8);
  assert.equal(lineOfJsonPath(CODE, ['triggers', 'parent']), 3);
  assert.equal(lineOfJsonPath(CODE, ['jobs', 0, 'name']), 6);
});

test('a missing field is placed at its nearest written parent', () => {
  assert.equal(lineOfJsonPath(CODE, ['jobs', 0, 'steps', 1, 'when']), 9);
  assert.equal(lineOfJsonPath(CODE, ['jobs', 0, 'environments']), 5);
});

test('a line from the server wins over the field path', () => {
  const e = locateError(CODE, 'json', { message: 'bad', field: 'schema.jobs[0].name', line: 2, column: 4 });
  assert.equal(e.line, 2);
  assert.equal(e.column, 4);
});

test('server errors on JSON code find their line through the path', () => {
  const e = locateError(CODE, 'json', { message: 'must be a string', field: 'schema.jobs[0].steps[1].cmd' });
  assert.equal(e.line, 11);
});

test('YAML and Starlark errors are placed by finding the keys in order', () => {
  const yaml = 'parent: root\njobs:\n  - name: a\n    steps:\n      - tool: shell\n        cmd: 5\n';
  assert.equal(lineOfKeysInOrder(yaml, ['jobs', 0, 'steps', 0, 'cmd']), 6);
  const star = 'def stage(ctx):\n    return {\n        "jobs": [{\n            "steps": [{"tool": "shell", "cmd": 5}],\n        }],\n    }\n';
  assert.equal(lineOfKeysInOrder(star, ['jobs', 0, 'steps', 0, 'cmd']), 4);
});

test('JSON syntax errors give their line from the engine message', () => {
  const text = '{\n  "a": 1\n  "b": 2\n}';
  let message = '';
  try {
    JSON.parse(text);
  } catch (e) {
    message = e.message;
  }
  const pos = jsonSyntaxErrorLine(text, message);
  assert.ok(pos && pos.line === 3, `${message} -> ${JSON.stringify(pos)}`);
  assert.deepEqual(jsonSyntaxErrorLine('{\n\n  x', 'Unexpected token x in JSON at position 5'), { line: 3, column: 3 });
});
