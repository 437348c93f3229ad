// Places a schema error at a line of the stage's code. The server names the field at
// fault as a path ("schema.jobs[0].steps[1].cmd"); this finds the line where that key
// (or, if it is missing, its nearest parent) is written. A line given by the server wins.
// Pure functions, no DOM.

export type PathSegment = string | number;

// "schema.jobs[0].steps[1].cmd" -> ["jobs", 0, "steps", 1, "cmd"]
export function parseFieldPath(field: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  if (out[0] === 'schema' || out[0] === 'schema_code') out.shift();
  return out;
}

// Lines (1-based) where each value of a JSON document starts, keyed by its path joined
// with "\u0000". Object members map to the line of their key. Stops at the first syntax error.
export function jsonPathLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const key = (path: PathSegment[]) => path.join('\u0000');

  const ws = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const str = (): string => {
    // text[i] === '"'
    let s = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        s += text[i + 1] ?? '';
        i += 2;
      } else {
        if (text[i] === '\n') line++;
        s += text[i++];
      }
    }
    i++;
    return s;
  };
  const value = (path: PathSegment[]): boolean => {
    ws();
    if (!lines.has(key(path))) lines.set(key(path), line);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return true;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') return false;
        const keyLine = line;
        const name = str();
        lines.set(key([...path, name]), keyLine);
        ws();
        if (text[i] !== ':') return false;
        i++;
        // value() keeps this line: a member is placed at its key even when the value starts lower.
        if (!value([...path, name])) return false;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return true;
      }
      for (let n = 0; ; n++) {
        if (!value([...path, n])) return false;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '"') {
      str();
      return true;
    }
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  value([]);
  return lines;
}

// The line of `path` in JSON text, or of its nearest ancestor that is written there.
export function lineOfJsonPath(text: string, path: PathSegment[]): number | null {
  const lines = jsonPathLines(text);
  for (let n = path.length; n > 0; n--) {
    const l = lines.get(path.slice(0, n).join('\u0000'));
    if (l !== undefined) return l;
  }
  return null;
}

// For YAML and Starlark text: finds the named keys of the path in order, each after the
// previous one. Indices are not counted, so this is a best guess.
export function lineOfKeysInOrder(text: string, path: PathSegment[]): number | null {
  let from = 0;
  let found: number | null = null;
  for (const seg of path) {
    if (typeof seg === 'number') continue;
    const esc = seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(["']${esc}["']\\s*:|^\\s*-?\\s*${esc}\\s*:)`, 'm');
    const m = re.exec(text.slice(from));
    if (!m) break;
    from += m.index + m[0].length;
    found = from;
  }
  if (found === null) return null;
  return text.slice(0, found).split('\n').length;
}

// The line and column of a JSON.parse syntax error, from the engine's message.
export function jsonSyntaxErrorLine(text: string, message: string): { line: number; column?: number } | null {
  let m = /line (\d+) column (\d+)/.exec(message);
  if (m) return { line: Number(m[1]), column: Number(m[2]) };
  m = /position (\d+)/.exec(message);
  if (m) {
    const before = text.slice(0, Number(m[1])).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }
  if (/end of (JSON|data)/i.test(message)) return { line: text.split('\n').length };
  return null;
}

export interface SchemaError {
  message: string;
  field?: string;
  line: number | null;
  column?: number;
}

// Locates a server error in the code it was about.
export function locateError(
  code: string,
  format: string,
  err: { message: string; field?: string; line?: number; column?: number },
): SchemaError {
  if (err.line) return { message: err.message, field: err.field, line: err.line, column: err.column };
  if (!err.field || err.field === 'schema_code' || err.field === 'schema') {
    if (format === 'json') {
      try {
        JSON.parse(code);
      } catch (e) {
        const pos = jsonSyntaxErrorLine(code, (e as Error).message);
        if (pos) return { message: err.message, field: err.field, ...pos };
      }
    }
    return { message: err.message, field: err.field, line: null };
  }
  const path = parseFieldPath(err.field);
  const line = format === 'json' ? lineOfJsonPath(code, path) : lineOfKeysInOrder(code, path);
  return { message: err.message, field: err.field, line };
}
